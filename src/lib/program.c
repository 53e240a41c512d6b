#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/task.h"
#include "mem/vmcoreinfo_recover.h"
#include "program_internal.h"

const char *vmt_version(void)
{
	return PACKAGE_VERSION;
}

const char *vmt_build_features(void)
{
	static char buf[128];

	if (!buf[0]) {
		for (int c = COMPRESSION_ZLIB; c < COMPRESSION_COUNT; c++) {
			if (compression_available(c)) {
				strcat(buf, buf[0] ? " " : "");
				strcat(buf, compression_name(c));
			}
		}
	}
	return buf;
}

const char *vmt_vtop_status_name(enum vmt_vtop_status status)
{
	static const char *const names[] = {
		[VMT_VTOP_MAPPED] = "mapped",
		[VMT_VTOP_NOT_MAPPED] = "not_mapped",
		[VMT_VTOP_EXCLUDED] = "excluded",
		[VMT_VTOP_NOT_IN_DUMP] = "not_in_dump",
		[VMT_VTOP_SWAP] = "swap",
		[VMT_VTOP_PROT_NONE] = "prot_none",
		[VMT_VTOP_INVALID] = "invalid",
	};

	return (unsigned)status < sizeof(names) / sizeof(names[0]) ?
		       names[status] : "invalid";
}

static struct vmt_error *read_kvirt(void *arg, uint64_t vaddr, void *buf,
				    size_t len)
{
	struct vmt_program *prog = arg;

	return vmt_program_read_virt(prog, vaddr, buf, len);
}

// Kernel memory in place (an ELF dump's mapped file data), for the BTF.
static const void *map_kvirt(void *arg, uint64_t vaddr, size_t len)
{
	struct vmt_program *prog = arg;

	if (prog->layout_err || !prog->as)
		return NULL;
	return address_space_map(prog->as, ARM64_TABLE_KERNEL, 0, vaddr, len);
}

// A --vmcoreinfo file: VMCOREINFO is one page in the kernel; more than
// this is not one (and /dev/zero never ends).
#define MAX_VMCOREINFO_FILE (64u << 20)

static struct vmt_error *read_file(const char *path, char **ret,
				   size_t *len_ret)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int fd;

	// O_NONBLOCK: a FIFO without a writer must not block open(); a
	// pipe's contents (process substitution) are read once it is cleared.
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return vmt_error_os(errno, path, "cannot open");
	if (fcntl(fd, F_SETFL, 0) < 0 || !(f = fdopen(fd, "r"))) {
		struct vmt_error *err = vmt_error_os(errno, path, "cannot open");

		close(fd);
		return err;
	}
	for (;;) {
		if (len > MAX_VMCOREINFO_FILE) {
			free(buf);
			fclose(f);
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: more than %u bytes: not VMCOREINFO",
						path, MAX_VMCOREINFO_FILE);
		}
		if (len + 4096 > cap) {
			char *nbuf = realloc(buf, cap = cap * 2 + 8192);

			if (!nbuf) {
				free(buf);
				fclose(f);
				return &vmt_enomem;
			}
			buf = nbuf;
		}
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	*ret = buf;
	*len_ret = len;
	return NULL;
}

// Whether @p vi can describe the kernel: a note without these is damaged.
static bool vmcoreinfo_usable(const struct vmcoreinfo *vi)
{
	uint64_t stext;

	return vi->osrelease && vi->page_size &&
	       vmcoreinfo_symbol(vi, "_stext", &stext);
}

// No note, or a damaged one, and no --vmcoreinfo: use the kernel's own copy
// of the text if memory holds one that walks.
static struct vmt_error *recover_vmcoreinfo(struct vmt_program *prog,
					    const struct vmt_program_options *opts,
					    bool had_note)
{
	struct vmcoreinfo_found found;
	struct vmcoreinfo vi;
	struct vmt_error *err;

	err = vmcoreinfo_recover(prog->dump, opts->overrides,
				 opts->nr_overrides, &found);
	if (err) {
		warnings_add(&prog->warnings,
			     "%s carries %s VMCOREINFO note (%s); supply one with --vmcoreinfo FILE",
			     prog->dump->files[0], had_note ? "a damaged" : "no",
			     err->message);
		vmt_error_destroy(err);
		return NULL;
	}
	err = vmcoreinfo_parse(found.text, found.len, &vi);
	free(found.text);
	if (err)
		return vmt_error_wrap(err, "%s: VMCOREINFO recovered from memory at physical %#" PRIx64,
				      prog->dump->files[0], found.paddr);
	vmcoreinfo_deinit(&prog->vi);
	prog->vi = vi;
	snprintf(prog->vmcoreinfo_origin, sizeof(prog->vmcoreinfo_origin),
		 "recovered from memory at physical %#" PRIx64, found.paddr);
	prog->info.vmcoreinfo_origin = prog->vmcoreinfo_origin;
	warnings_add(&prog->warnings,
		     "the dump carries %s VMCOREINFO note; using the kernel's own copy at physical %#" PRIx64 " (it walks: _stext through swapper_pg_dir gives the kernel-image address)",
		     had_note ? "a damaged" : "no", found.paddr);
	return NULL;
}

// VMCOREINFO of the dump, overlaid by --vmcoreinfo FILE, or recovered from
// memory when the dump has none that is usable.
static struct vmt_error *load_vmcoreinfo(struct vmt_program *prog,
					 const struct vmt_program_options *opts)
{
	const char *override_path = opts->vmcoreinfo_path;
	struct dump *dump = prog->dump;
	struct vmt_error *err = NULL;

	memset(&prog->vi, 0, sizeof(prog->vi));
	prog->info.vmcoreinfo_origin = "none";
	if (dump->vmcoreinfo) {
		struct vmcoreinfo vi;

		err = vmcoreinfo_parse(dump->vmcoreinfo, dump->vmcoreinfo_len,
				       &vi);
		if (!err) {
			prog->vi = vi;
			prog->info.vmcoreinfo_origin = dump->vmcoreinfo_origin;
		} else {
			// Say where the damaged text is, whatever replaces it.
			warnings_add(&prog->warnings,
				     "%s: VMCOREINFO (%s at offset %#" PRIx64
				     ", %zu bytes): %s",
				     dump->files[0], dump->vmcoreinfo_origin,
				     dump->vmcoreinfo_offset,
				     dump->vmcoreinfo_len, err->message);
		}
	}
	if (!override_path) {
		if (!dump->vmcoreinfo || err || !vmcoreinfo_usable(&prog->vi)) {
			vmt_error_destroy(err);
			err = recover_vmcoreinfo(prog, opts,
						 dump->vmcoreinfo != NULL);
			if (err)
				return err;
		}
	} else {
		struct vmcoreinfo other;
		char *text = NULL;
		size_t len = 0;

		vmt_error_destroy(err);
		err = read_file(override_path, &text, &len);
		if (err)
			return err;
		err = vmcoreinfo_parse(text, len, &other);
		free(text);
		if (err)
			return vmt_error_wrap(err, "%s", override_path);
		for (size_t i = 0; i < other.nr_warnings; i++)
			warnings_add(&prog->warnings, "%s: %s", override_path,
				     other.warnings[i]);
		err = vmcoreinfo_merge(&prog->vi, &other);
		vmcoreinfo_deinit(&other);
		if (err)
			return err;
		prog->info.vmcoreinfo_origin = override_path;
	}
	for (size_t i = 0; i < prog->vi.nr_warnings; i++)
		warnings_add(&prog->warnings, "VMCOREINFO %s",
			     prog->vi.warnings[i]);
	return NULL;
}

static const struct vmt_kv *sort_kv;

static int cmp_kv_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_kv[x].key, sort_kv[y].key);

	return c ? c : x < y ? -1 : x > y;
}

// Mark every line a later one of the same key overrides: sorted by key
// then position, in O(n log n) (a search per line would be quadratic in
// a VMCOREINFO of a million lines).
static struct vmt_error *mark_superseded(struct vmt_kv *kv, size_t nr)
{
	size_t *idx = malloc((nr ? nr : 1) * sizeof(*idx));

	if (!idx)
		return vmt_error_wrap(&vmt_enomem, "VMCOREINFO: %zu lines", nr);
	for (size_t i = 0; i < nr; i++)
		idx[i] = i;
	sort_kv = kv;
	qsort(idx, nr, sizeof(*idx), cmp_kv_index);
	for (size_t i = 0; i + 1 < nr; i++)
		kv[idx[i]].superseded = !strcmp(kv[idx[i]].key,
						kv[idx[i + 1]].key);
	free(idx);
	return NULL;
}

static struct vmt_error *build_info(struct vmt_program *prog)
{
	struct vmt_dump_info *info = &prog->info;
	struct dump *dump = prog->dump;
	struct vmt_error *err;
	size_t n = 0;

	info->format = dump->format_name;
	for (int c = 0; c < COMPRESSION_COUNT; c++)
		if (dump->compressions & (1u << c))
			prog->compression[n++] = compression_name(c);
	info->compression = prog->compression;
	info->nr_compression = n;
	info->block_size = dump->format == &dump_format_elf ? 0 :
							     dump->block_size;
	info->page_size = prog->vi.page_size ? prog->vi.page_size :
					       dump->block_size;
	info->header_version = dump->header_version;
	info->dump_level = dump->dump_level;
	info->osrelease = prog->vi.osrelease ? prog->vi.osrelease : "";
	// A kdump header's utsname may be blank or "Unknown" (QEMU): then the
	// arm64 VMCOREINFO keys and the ELF machine decide.
	if (dump->machine == EM_AARCH64 ||
	    vmcoreinfo_get(&prog->vi, "NUMBER(kimage_voffset)") ||
	    !strcmp(dump->uts_machine, "aarch64"))
		info->machine = "aarch64";
	else if (dump->uts_machine[0])
		info->machine = dump->uts_machine;
	else
		info->machine = "unknown";
	info->nr_cpus = dump->nr_cpus ? (uint32_t)dump->nr_cpus :
					dump->header_nr_cpus;
	if (vmcoreinfo_crashtime(&prog->vi, &info->crash_time))
		info->has_crash_time = true;
	else if (dump->has_timestamp && dump->timestamp) {
		info->has_crash_time = true;
		info->crash_time = dump->timestamp;
	}
	info->incomplete = dump->incomplete;
	info->vmcoreinfo_raw = prog->vi.raw ? prog->vi.raw : "";
	info->vmcoreinfo_len = prog->vi.raw_len;
	prog->kv = calloc(prog->vi.nr_entries + 1, sizeof(*prog->kv));
	if (!prog->kv)
		return &vmt_enomem;
	for (size_t i = 0; i < prog->vi.nr_entries; i++) {
		prog->kv[i].key = prog->vi.entries[i].key;
		prog->kv[i].value = prog->vi.entries[i].value;
	}
	info->vmcoreinfo = prog->kv;
	info->nr_vmcoreinfo = prog->vi.nr_entries;
	err = mark_superseded(prog->kv, prog->vi.nr_entries);
	if (err)
		return err;
	info->files = (const char *const *)dump->files;
	info->nr_files = dump->nr_files;
	return NULL;
}

struct vmt_error *vmt_program_open(const char *const *paths, size_t nr_paths,
				   const struct vmt_program_options *opts,
				   struct vmt_program **ret)
{
	static const struct vmt_program_options no_opts;
	struct vmt_program *prog;
	struct vmt_error *err;

	if (!opts)
		opts = &no_opts;
	prog = calloc(1, sizeof(*prog));
	if (!prog)
		return &vmt_enomem;
	err = dump_open(paths, nr_paths, &prog->dump);
	// Every error names the file; one that could not say more (memory
	// ran out) at least says which.
	if (err == &vmt_enomem && nr_paths)
		err = vmt_error_wrap(err, "%s: opening the dump", paths[0]);
	if (!err)
		err = load_vmcoreinfo(prog, opts);
	if (!err)
		err = build_info(prog);
	if (err)
		goto fail;
	// PFNs in errors count kernel pages, not kdump blocks.
	if (prog->vi.page_size)
		dump_set_page_size(prog->dump, prog->vi.page_size);

	// Without a layout, physical reads and `info` still work.
	prog->layout_err = arm64_layout_init(&prog->layout, &prog->vi,
					     opts->overrides,
					     opts->nr_overrides);
	if (!prog->layout_err) {
		err = address_space_create(prog->dump, &prog->layout,
					   &prog->as);
		if (err)
			goto fail;
	}
	err = debuginfo_init(&prog->di, &prog->vi, read_kvirt, prog,
			     &prog->warnings, opts->sym_source);
	if (err)
		goto fail;
	if (!prog->layout_err)
		prog->di.kimage_start = prog->layout.kimage_start.value;
	debuginfo_set_map(&prog->di, map_kvirt);
	program_symbol_ops_init(prog);
	if (opts->vmlinux_path) {
		err = debuginfo_add_vmlinux(&prog->di, opts->vmlinux_path,
					    prog->layout_err ? 0 :
					    prog->layout.kernel_offset.value,
					    opts->force);
		if (err)
			goto fail;
	}
	prog->kernel.dump = prog->dump;
	prog->kernel.layout = &prog->layout;
	prog->kernel.as = prog->as;
	prog->kernel.di = &prog->di;
	prog->kernel.warnings = &prog->warnings;
	prog->kernel.osrelease = prog->info.osrelease;
	*ret = prog;
	return NULL;

fail:
	vmt_program_destroy(prog);
	return err;
}

void vmt_program_destroy(struct vmt_program *prog)
{
	if (!prog)
		return;
	program_page_deinit(prog);
	free(prog->tasks);
	vmt_error_destroy(prog->tasks_broken);
	program_log_deinit(prog);
	program_value_deinit(prog);
	free(prog->cpu_tasks);
	kernel_stacks_destroy(prog->stacks);
	free(prog->modules);
	vmt_error_destroy(prog->modules_err);
	program_kmem_destroy(prog);
	percpu_destroy(prog->percpu);
	debuginfo_deinit(&prog->di);
	address_space_destroy(prog->as);
	free(prog->explain);
	if (!prog->layout_err)
		arm64_layout_deinit(&prog->layout);
	vmt_error_destroy(prog->layout_err);
	free(prog->kv);
	vmcoreinfo_deinit(&prog->vi);
	warnings_deinit(&prog->warnings);
	dump_destroy(prog->dump);
	free(prog);
}

void vmt_program_warnings(struct vmt_program *prog, const char *const **ret,
			  size_t *nr_ret)
{
	*ret = (const char *const *)prog->warnings.items;
	*nr_ret = prog->warnings.nr;
}

const struct vmt_dump_info *vmt_program_dump_info(struct vmt_program *prog)
{
	// The RAM ranges cost a scan of a kdump's bitmap 1: made when first
	// asked for (here or by another reader: VMCOREINFO recovery, save),
	// not at open; dump_ranges() answers from its copy after that, and
	// reports a failure once.
	const struct vmt_phys_range *ranges;
	size_t nr;
	struct vmt_error *err = dump_ranges(prog->dump, &ranges, &nr);

	if (err) {
		warnings_add(&prog->warnings, "%s", err->message);
		vmt_error_destroy(err);
		ranges = NULL;
		nr = 0;
	}
	prog->info.phys_ranges = ranges;
	prog->info.nr_phys_ranges = nr;
	return &prog->info;
}

void vmt_program_cpu_regs(struct vmt_program *prog,
			  const struct vmt_cpu_regs **ret, size_t *nr_ret)
{
	*ret = prog->dump->cpus;
	*nr_ret = prog->dump->nr_cpus;
}

struct vmt_error *vmt_program_read_phys(struct vmt_program *prog,
					uint64_t paddr, void *buf, size_t len)
{
	return dump_read_phys(prog->dump, paddr, buf, len);
}

static bool tasks_loaded_ok(struct vmt_program *prog);
static void refine_layout(struct vmt_program *prog);

static struct vmt_error *need_layout(struct vmt_program *prog)
{
	if (!prog->layout_err)
		return NULL;
	return vmt_error_format(prog->layout_err->code,
				"no arm64 layout: %s",
				prog->layout_err->message);
}

struct vmt_error *vmt_program_read_virt(struct vmt_program *prog,
					uint64_t vaddr, void *buf, size_t len)
{
	struct vmt_error *err = need_layout(prog);

	if (err)
		return err;
	return address_space_read(prog->as, ARM64_TABLE_KERNEL, 0, vaddr, buf,
				  len);
}

struct vmt_error *vmt_program_vtop(struct vmt_program *prog, uint64_t vaddr,
				   struct vmt_translation *ret)
{
	struct vmt_error *err = need_layout(prog);

	if (err)
		return err;
	refine_layout(prog);
	return address_space_vtop(prog->as, ARM64_TABLE_KERNEL, 0, vaddr,
				  ret);
}

// PA of the user page table root of task @p pid.
static struct vmt_error *user_root(struct vmt_program *prog, int pid,
				   uint64_t *ret)
{
	const struct vmt_task *task;
	struct vmt_error *err;
	uint64_t off, pgd;

	err = vmt_program_task_by_pid(prog, pid, &task);
	if (err)
		return err;
	if (!task->mm)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"pid %d (%s) is a kernel thread: no user memory",
					pid, task->comm);
	err = kernel_member_offset(&prog->kernel, "mm_struct", "pgd", &off);
	if (!err)
		err = kernel_read_u64(&prog->kernel, task->mm + off, &pgd);
	if (!err)
		err = kernel_virt_to_phys(&prog->kernel, pgd, ret);
	if (err)
		return vmt_error_wrap(err, "pid %d: mm %#" PRIx64 " pgd", pid,
				      task->mm);
	return NULL;
}

struct vmt_error *vmt_program_vtop_user(struct vmt_program *prog, int pid,
					uint64_t vaddr,
					struct vmt_translation *ret)
{
	struct vmt_error *err = need_layout(prog);
	uint64_t root;

	if (!err)
		err = user_root(prog, pid, &root);
	if (err)
		return err;
	return address_space_vtop(prog->as, ARM64_TABLE_USER, root, vaddr,
				  ret);
}

struct vmt_error *vmt_program_read_user(struct vmt_program *prog, int pid,
					uint64_t vaddr, void *buf, size_t len)
{
	struct vmt_error *err = need_layout(prog);
	uint64_t root;

	if (!err)
		err = user_root(prog, pid, &root);
	if (err)
		return err;
	return address_space_read(prog->as, ARM64_TABLE_USER, root, vaddr, buf,
				  len);
}

struct vmt_error *vmt_program_ptov(struct vmt_program *prog, uint64_t paddr,
				   uint64_t *ret)
{
	struct vmt_error *err = need_layout(prog);

	if (err)
		return err;
	*ret = arm64_phys_to_linear(&prog->layout, paddr);
	return NULL;
}

// Once symbols load, _end bounds the kernel image exactly.
static void refine_layout(struct vmt_program *prog)
{
	struct vmt_symbol sym;
	struct vmt_error *err;

	if (prog->layout_refined || prog->layout_err)
		return;
	prog->layout_refined = true;
	err = debuginfo_symbol_by_name(&prog->di, "_end", &sym);
	if (!err)
		arm64_layout_set_kimage_end(&prog->layout, sym.address,
					    sym.source);
	vmt_error_destroy(err);
}

void program_refine_layout(struct vmt_program *prog)
{
	refine_layout(prog);
}

struct vmt_layout_item *program_explain_item(struct vmt_program *prog,
					     const char *name)
{
	struct vmt_layout_item *items, *item;

	items = realloc(prog->explain,
			(prog->nr_explain + 1) * sizeof(*items));
	if (!items)
		return NULL;
	prog->explain = items;
	item = &items[prog->nr_explain++];
	memset(item, 0, sizeof(*item));
	item->name = name;
	return item;
}

// Where symbols and types come from, and each fallback used (issue: every
// fallback is named in `explain`).
static void explain_debuginfo(struct vmt_program *prog)
{
	struct debuginfo *di = &prog->di;
	struct vmt_layout_item *item;
	const char *types = debuginfo_type_source(di);
	struct vmt_symbol sym;
	struct vmt_error *err;

	item = program_explain_item(prog, "vmcoreinfo");
	if (item) {
		snprintf(item->value, sizeof(item->value), "%zu keys",
			 prog->vi.nr_entries);
		snprintf(item->source, sizeof(item->source), "%s",
			 prog->info.vmcoreinfo_origin);
	}
	item = program_explain_item(prog, "symbols");
	if (item) {
		size_t nr;
		const char *how;

		if (di->have_vmlinux) {
			nr = di->elf.nr;
			how = "ELF .symtab of the vmlinux, relocated by KERNELOFFSET";
		} else if (di->kallsyms_state > 0) {
			nr = di->kallsyms.nr;
			how = "kallsyms tables in the dump (VMCOREINFO SYMBOL(kallsyms_*))";
		} else {
			nr = di->vmcoreinfo_syms.nr;
			how = "VMCOREINFO SYMBOL() lines only (no kallsyms, no vmlinux)";
		}
		snprintf(item->value, sizeof(item->value), "%zu", nr);
		snprintf(item->source, sizeof(item->source), "%s", how);
		item->kind = VMT_LAYOUT_NUMBER;
		item->number = nr;
	}
	item = program_explain_item(prog, "types");
	if (item) {
		snprintf(item->value, sizeof(item->value), "%s",
			 types ? types : "none");
		snprintf(item->source, sizeof(item->source), "%s",
			 !types ? "no vmlinux and no BTF found in the dump" :
			 !strcmp(types, "dwarf") ? "DWARF of the vmlinux (libdw)" :
			 di->btf_how);
	}
	// init_task: a symbol, or found by a fallback (named in warnings).
	if (!tasks_loaded_ok(prog))
		return;
	err = debuginfo_symbol_by_name(di, "init_task", &sym);
	item = program_explain_item(prog, "init_task");
	if (item && !err) {
		snprintf(item->value, sizeof(item->value), "%#" PRIx64,
			 sym.address);
		item->kind = VMT_LAYOUT_ADDRESS;
		item->number = sym.address;
		snprintf(item->source, sizeof(item->source), "%s%s",
			 !strcmp(sym.source, "derived") ? "derived: " : "symbol from ",
			 !strcmp(sym.source, "derived") ?
				 debuginfo_derived_how(di, "init_task") :
				 sym.source);
	}
	vmt_error_destroy(err);
	program_explain_modules(prog, program_explain_item(prog, "modules"));
}

struct vmt_error *vmt_program_explain(struct vmt_program *prog,
				      const struct vmt_layout_item **ret,
				      size_t *nr_ret)
{
	struct vmt_error *err = need_layout(prog);

	if (err)
		return err;
	if (!prog->explain) {
		refine_layout(prog);
		err = arm64_layout_explain(&prog->layout, &prog->explain,
					   &prog->nr_explain);
		if (err)
			return err;
		explain_debuginfo(prog);
		program_explain_percpu(prog);
		program_explain_stacks(prog);
	}
	*ret = prog->explain;
	*nr_ret = prog->nr_explain;
	return NULL;
}

void vmt_program_disagreements(struct vmt_program *prog,
			       const char *const **ret, size_t *nr_ret)
{
	if (prog->layout_err) {
		*ret = NULL;
		*nr_ret = 0;
		return;
	}
	*ret = (const char *const *)prog->layout.notes;
	*nr_ret = prog->layout.nr_notes;
}

// A symbol the dump's kallsyms would have had may be missing because the
// layout is wrong (a bad VA_BITS makes every kernel address unmapped): then
// say what the layout found odd.
static struct vmt_error *with_layout_doubts(struct vmt_program *prog,
					    struct vmt_error *err)
{
	struct vmt_error *doubt;

	if (!err || err->code != VMT_ERROR_NOT_FOUND || prog->layout_err ||
	    !prog->layout.nr_notes || prog->di.kallsyms_state >= 0)
		return err;
	doubt = vmt_error_format(VMT_ERROR_NOT_FOUND,
				 "%s (the arm64 layout may be wrong: %s%s)",
				 err->message, prog->layout.notes[0],
				 prog->layout.nr_notes > 1 ? "; see explain" : "");
	if (doubt == &vmt_enomem)
		return err;
	vmt_error_destroy(err);
	return doubt;
}

struct vmt_error *vmt_program_symbol_by_name(struct vmt_program *prog,
					     const char *name,
					     struct vmt_symbol *ret)
{
	struct vmt_error *err = debuginfo_symbol_by_name_all(&prog->di, name,
							     ret);

	if (!err) {
		refine_layout(prog);
		debuginfo_infer_size(&prog->di, ret);
	}
	return with_layout_doubts(prog, err);
}

struct vmt_error *vmt_program_symbol_by_addr(struct vmt_program *prog,
					     uint64_t address,
					     struct vmt_symbol *ret,
					     uint64_t *offset_ret)
{
	// The image's end (_end) bounds the last symbols.
	refine_layout(prog);
	return debuginfo_symbol_by_addr(&prog->di, address, ret, offset_ret);
}

struct vmt_error *vmt_program_find_type(struct vmt_program *prog,
					const char *name,
					const struct vmt_type **ret)
{
	return debuginfo_find_type(&prog->di, name, ret);
}

struct vmt_error *vmt_program_member_offset(struct vmt_program *prog,
					    const char *type,
					    const char *member,
					    uint64_t *ret)
{
	return kernel_member_offset(&prog->kernel, type, member, ret);
}

const char *vmt_program_type_source(struct vmt_program *prog)
{
	return debuginfo_type_source(&prog->di);
}

// Load the task list (which finds init_task); false if it cannot.
static bool tasks_loaded_ok(struct vmt_program *prog)
{
	const struct vmt_task *tasks;
	struct vmt_error *err;
	size_t n;

	err = vmt_program_tasks(prog, &tasks, &n);
	vmt_error_destroy(err);
	return !err;
}

struct vmt_error *vmt_program_tasks(struct vmt_program *prog,
				    const struct vmt_task **ret,
				    size_t *nr_ret)
{
	struct vmt_error *err;

	if (!prog->tasks_loaded) {
		struct task_list_input in;

		// A symbol lookup inside the walk may ask for derived
		// symbols, which load the tasks: not again.
		if (prog->tasks_loading)
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"tasks: being loaded");
		err = need_layout(prog);
		if (err)
			return err;
		prog->tasks_loading = true;
		program_task_input(prog, &in);
		err = task_list(&prog->kernel, &in, &prog->tasks,
				&prog->nr_tasks, &prog->cpu_tasks,
				&prog->nr_cpu_tasks, &prog->tasks_broken);
		prog->tasks_loading = false;
		if (err)
			return err;
		prog->tasks_loaded = true;
	}
	*ret = prog->tasks;
	*nr_ret = prog->nr_tasks;
	return NULL;
}

const struct vmt_error *vmt_program_tasks_broken(struct vmt_program *prog)
{
	return prog->tasks_broken;
}

struct vmt_error *vmt_program_task_by_pid(struct vmt_program *prog, int pid,
					  const struct vmt_task **ret)
{
	const struct vmt_task *tasks;
	struct vmt_error *err;
	size_t n;

	err = vmt_program_tasks(prog, &tasks, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (tasks[i].pid == pid) {
			*ret = &tasks[i];
			return NULL;
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "no task with pid %d",
				pid);
}

struct vmt_error *vmt_program_task_vmas(struct vmt_program *prog, int pid,
					struct vmt_mm_info *mm_ret,
					struct vmt_vma **ret, size_t *nr_ret)
{
	const struct vmt_task *task;
	struct vmt_error *err;

	err = vmt_program_task_by_pid(prog, pid, &task);
	if (err)
		return err;
	return task_vmas(&prog->kernel, task, mm_ret, ret, nr_ret);
}

void vmt_vmas_free(struct vmt_vma *vmas, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(vmas[i].path);
	free(vmas);
}

struct vmt_error *vmt_vma_format_maps_line(const struct vmt_vma *vma,
					   char **ret)
{
	return vma_format_maps_line(vma, ret);
}
