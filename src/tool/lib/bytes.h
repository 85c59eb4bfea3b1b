/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading our own formats byte by byte: explicit little-endian loads and
 * stores (alignment and host byte order do not matter) and bounds checks
 * that cannot overflow.
 */
#ifndef _KMT_BYTES_H
#define _KMT_BYTES_H

#include <stdbool.h>
#include <stdint.h>

static inline uint16_t kmt_le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t kmt_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t kmt_le64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)kmt_le32(b) | (uint64_t)kmt_le32(b + 4) << 32;
}

static inline void kmt_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = v;
	b[1] = v >> 8;
	b[2] = v >> 16;
	b[3] = v >> 24;
}

static inline void kmt_put_le64(void *p, uint64_t v)
{
	kmt_put_le32(p, (uint32_t)v);
	kmt_put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* [off, off + len) lies inside a buffer of @size bytes, without overflow. */
static inline bool kmt_in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static inline uint64_t kmt_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

#endif /* _KMT_BYTES_H */
