// SPDX-License-Identifier: GPL-2.0
/*
 * An ELF core: program headers, notes, VMCOREINFO, the table; what info prints,
 * the panic section included (registers, stack scan, frame-pointer walk), with
 * a small System.map of the machine so the symbolized paths run too, and the
 * modules of kminidump_kernel's table (kallsyms read from the core).
 */
#include "fuzz.h"

static const char kmt_fuzz_map_x86[] =
	"ffffffff81000000 T _stext\nffffffff81000000 T _text\n"
	"ffffffff81000100 T do_one_initcall\nffffffff81001000 t sysrq_handle_crash\n"
	"ffffffff81001020 t __handle_sysrq\nffffffff810ff000 T _etext\n"
	"ffffffff81100000 D init_uts_ns\nffffffff83000000 B _end\n";
static const char kmt_fuzz_map_arm64[] =
	"ffff800008000000 T _text\nffff800008010000 T _stext\n"
	"ffff800008011600 t __handle_sysrq\nffff800008011800 t sysrq_handle_crash\n"
	"ffff800009000000 T _etext\nffff80000b000000 B _end\n";

static void kmt_fuzz_syms(struct kmt_info_ctx *x, uint16_t machine)
{
	static struct kmt_symtab t[2];
	static bool done;
	const struct kmt_symtab *s;
	size_t i;

	if (!done) {
		kmt_symtab_parse(&t[0], kmt_fuzz_map_x86, strlen(kmt_fuzz_map_x86), "x86");
		kmt_symtab_parse(&t[1], kmt_fuzz_map_arm64, strlen(kmt_fuzz_map_arm64), "arm64");
		kmt_symtab_sort_addr(&t[0]);
		kmt_symtab_sort_addr(&t[1]);
		done = true;
	}
	s = &t[machine == EM_AARCH64];
	x->syms = s;
	x->map_path = "System.map";
	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->s[i].name, "_text"))
			x->img_lo = s->s[i].addr;
		else if (!strcmp(s->s[i].name, "_end"))
			x->img_hi = s->s[i].addr;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = kmt_fuzz_copy(data, size);
	struct kmt_info_ctx x = { .out = kmt_fuzz_null_file() };
	struct kmt_kmod *mods = NULL;
	struct kmt_core c;
	size_t nmods = 0, i;

	kmt_fuzz_init();
	if (!kmt_core_open(&c, "core", copy, size)) {
		uint8_t b[64];

		x.c = &c;
		x.all_cpus = size & 1;
		if (c.has_vmci && kmt_vmci_num(&c.vmci, "KERNELOFFSET", 16, &x.kaslr))
			x.kaslr = 0;
		if (size & 2)
			kmt_fuzz_syms(&x, c.machine);
		kmt_kmod_from_core(&c, NULL, &mods, &nmods);
		x.mods = mods;
		x.nmods = nmods;
		if (size & 4)
			kmt_info_print_json(&x);
		else
			kmt_info_print(&x);
		kmt_core_read_pa(&c, 0x1180000, b, sizeof(b));
		kmt_core_close(&c);
	}
	for (i = 0; i < nmods; i++)
		kmt_kmod_free(&mods[i]);
	free(mods);
	free(copy);
	return 0;
}
