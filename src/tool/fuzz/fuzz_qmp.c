// SPDX-License-Identifier: GPL-2.0
/*
 * What a QMP peer sends: the bytes as a stream of messages (lines) into the
 * client, events queued; and the whole input as one JSON text, every token
 * looked at through the accessors collect uses.
 */
#include "fuzz.h"
#include "format/jsonread.h"
#include "input/qmp.h"

static struct kmt_jr_tok kmt_fuzz_tok[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kmt_qmp q;
	static bool init;
	struct kmt_jr j;
	struct kmt_qmp_event ev;
	static const char *const any[] = { "GUEST_PANICKED", "RESET", NULL };
	char buf[64], why[64];
	uint32_t i;
	uint64_t u;
	bool b;

	kmt_fuzz_init();
	if (!init) {
		kmt_qmp_init_buffers(&q);
		q.path = "fuzz";
		init = true;
	}
	q.len = 0;
	q.nev = 0;
	kmt_qmp_feed(&q, (const char *)data, size);
	while (!kmt_qmp_wait_event(&q, any, 0, &ev))
		;
	if (kmt_jr_parse(&j, (const char *)data, size, kmt_fuzz_tok, 4096, why, sizeof(why)))
		return 0;
	for (i = 0; i < j.n; i++) {
		kmt_jr_str(&j, i, buf, sizeof(buf));
		kmt_jr_str_is(&j, i, "return");
		kmt_jr_bool(&j, i, &b);
		kmt_jr_u64(&j, i, &u);
		kmt_jr_count(&j, i);
		kmt_jr_elem(&j, i, 3);
		kmt_jr_get(&j, i, "status");
		kmt_jr_path(&j, i, "data", "action", NULL);
	}
	return 0;
}
