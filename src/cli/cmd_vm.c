// `vm`: a task's memory map, crash style, as /proc/PID/maps (--maps), or
// with every page (-p); or JSON.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum vm_mode { VM_CRASH, VM_MAPS, VM_PAGES };

// One entry of -p: a mapped page, or a run of pages without a physical
// address that share a status (found a table entry at a time).
struct vm_page {
	uint64_t vaddr;
	uint64_t count;
	struct vmt_translation t;
};

typedef void page_fn(struct cmd_ctx *ctx, const struct vm_page *p,
		     void *arg);

// -p's pages of one VMA. @p fn gets each entry in address order; a walk
// that fails stops with the error.
static struct vmt_error *vma_pages(struct cmd_ctx *ctx, int pid,
				   const struct vmt_vma *vma,
				   uint64_t page_size, page_fn *fn, void *arg)
{
	unsigned int shift = (unsigned int)__builtin_ctzll(page_size);
	struct vm_page run = { 0 };
	uint64_t va = vma->start;

	while (va < vma->end) {
		struct vmt_translation t;
		struct vmt_error *err;
		uint64_t span = page_size;

		err = vmt_program_vtop_user(ctx->prog, pid, va, &t);
		if (err)
			return err;
		// An entry above the last level that maps nothing leaves its
		// whole range without pages: skip it in one step.
		if (!t.has_paddr && t.status != VMT_VTOP_SWAP && t.nr_levels) {
			int level = t.levels[t.nr_levels - 1].level;
			unsigned int s = shift + (shift - 3) *
						 (unsigned int)(3 - level);
			uint64_t range = UINT64_C(1) << s;

			if (level < 3 && s < 64)
				span = range - (va & (range - 1));
		}
		if (span > vma->end - va)
			span = vma->end - va;
		if (!t.has_paddr && t.status != VMT_VTOP_SWAP) {
			if (run.count && run.t.status == t.status) {
				run.count += span >> shift;
			} else {
				if (run.count)
					fn(ctx, &run, arg);
				run.vaddr = va;
				run.count = span >> shift;
				run.t = t;
			}
		} else {
			struct vm_page one = { va, 1, t };

			if (run.count)
				fn(ctx, &run, arg);
			run.count = 0;
			fn(ctx, &one, arg);
		}
		va += span;
	}
	if (run.count)
		fn(ctx, &run, arg);
	return NULL;
}

static void page_json(struct cmd_ctx *ctx, const struct vm_page *p, void *arg)
{
	struct json *j = arg;
	const struct vmt_translation *t = &p->t;

	(void)ctx;
	json_begin_object(j);
	json_key(j, "vaddr");
	json_addr(j, p->vaddr);
	json_key(j, "count");
	json_uint(j, p->count);
	json_key(j, "status");
	json_string(j, vmt_vtop_status_name(t->status));
	json_key(j, "paddr");
	json_addr_or_null(j, t->has_paddr, t->paddr);
	json_key(j, "swap_type");
	json_uint_or_null(j, t->status == VMT_VTOP_SWAP, t->swap_type);
	json_key(j, "swap_offset");
	json_uint_or_null(j, t->status == VMT_VTOP_SWAP, t->swap_offset);
	json_end_object(j);
}

static void page_text(struct cmd_ctx *ctx, const struct vm_page *p, void *arg)
{
	const struct vmt_translation *t = &p->t;
	uint64_t page_size = *(const uint64_t *)arg;
	const char *status = vmt_vtop_status_name(t->status);

	if (p->count > 1)
		fprintf(ctx->out, "  %14" PRIx64 "-%-14" PRIx64 " %s (%" PRIu64
			" pages)\n",
			p->vaddr, p->vaddr + p->count * page_size - 1, status,
			p->count);
	else if (t->status == VMT_VTOP_SWAP)
		fprintf(ctx->out, "  %14" PRIx64 "  swap type %" PRIu64
			" offset %#" PRIx64 "\n",
			p->vaddr, t->swap_type, t->swap_offset);
	else if (t->has_paddr && t->status != VMT_VTOP_MAPPED)
		fprintf(ctx->out, "  %14" PRIx64 "  %-16" PRIx64 " %s\n",
			p->vaddr, t->paddr, status);
	else if (t->has_paddr)
		fprintf(ctx->out, "  %14" PRIx64 "  %" PRIx64 "\n", p->vaddr,
			t->paddr);
	else
		fprintf(ctx->out, "  %14" PRIx64 "  %s\n", p->vaddr, status);
}

static struct vmt_error *vm_json(struct cmd_ctx *ctx, struct json *j,
				 const struct vmt_task *t,
				 const struct vmt_mm_info *mm,
				 const struct vmt_vma *vmas, size_t n,
				 enum vm_mode mode, uint64_t page_size)
{
	struct vmt_error *err = NULL;

	json_begin_object(j);
	task_json_keys(j, t);
	json_key(j, "mm");
	json_addr_or_null(j, mm != NULL, mm ? mm->mm : 0);
	json_key(j, "pgd");
	json_addr_or_null(j, mm != NULL, mm ? mm->pgd : 0);
	json_key(j, "rss_pages");
	json_uint(j, mm ? mm->rss_pages : 0);
	json_key(j, "total_vm_pages");
	json_uint(j, mm ? mm->total_vm_pages : 0);
	json_key(j, "vmas");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		char dev[32];

		snprintf(dev, sizeof(dev), "%02x:%02x", vmas[i].dev_major,
			 vmas[i].dev_minor);
		json_begin_object(j);
		json_key(j, "vma");
		json_addr(j, vmas[i].vma);
		json_key(j, "start");
		json_addr(j, vmas[i].start);
		json_key(j, "end");
		json_addr(j, vmas[i].end);
		json_key(j, "perms");
		json_string(j, vmas[i].perms);
		json_key(j, "flags");
		json_uint(j, vmas[i].flags);
		json_key(j, "offset");
		json_uint(j, vmas[i].offset);
		json_key(j, "dev");
		json_string(j, dev);
		json_key(j, "inode");
		json_uint(j, vmas[i].inode);
		json_key(j, "path");
		json_string(j, vmas[i].path ? vmas[i].path : "");
		json_key(j, "pages");
		if (mode == VM_PAGES && !err) {
			json_begin_array(j);
			err = vma_pages(ctx, t->pid, &vmas[i], page_size,
					page_json, j);
			json_end_array(j);
		} else {
			json_null(j);
		}
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
	return err;
}

static struct vmt_error *vm_text(struct cmd_ctx *ctx, const struct vmt_task *t,
				 const struct vmt_mm_info *mm,
				 const struct vmt_vma *vmas, size_t n,
				 enum vm_mode mode, uint64_t page_size)
{
	FILE *out = ctx->out;

	fprintf(out, "PID: %-6d TASK: %016" PRIx64 "  CPU: %-2d COMMAND: \"%s\"\n",
		t->pid, t->task, t->cpu, t->comm);
	if (!mm) {
		fprintf(out, "(no user memory: %s)\n",
			t->kthread ? "a kernel thread" : "the task has exited");
		return NULL;
	}
	fprintf(out, "       MM               PGD          RSS    TOTAL_VM\n");
	fprintf(out, "%016" PRIx64 "  %016" PRIx64 "  %" PRIu64 "k  %" PRIu64 "k\n",
		mm->mm, mm->pgd, mm->rss_pages * page_size >> 10,
		mm->total_vm_pages * page_size >> 10);
	fprintf(out, "      VMA                START             END       FLAGS  FILE\n");
	for (size_t i = 0; i < n; i++) {
		struct vmt_error *err;

		fprintf(out, "%016" PRIx64 "  %14" PRIx64 "  %14" PRIx64
			"  %8" PRIx64 "  %s\n",
			vmas[i].vma, vmas[i].start, vmas[i].end, vmas[i].flags,
			vmas[i].path ? vmas[i].path : "");
		if (mode != VM_PAGES)
			continue;
		fprintf(out, "         VIRTUAL  PHYSICAL\n");
		err = vma_pages(ctx, t->pid, &vmas[i], page_size, page_text,
				&page_size);
		if (err)
			return err;
	}
	return NULL;
}

static struct vmt_error *vm_maps(struct cmd_ctx *ctx,
				 const struct vmt_vma *vmas, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vmt_error *err;
		char *line;

		err = vmt_vma_format_maps_line(&vmas[i], &line);
		if (err)
			return err;
		fputs(line, ctx->out);
		free(line);
	}
	return NULL;
}

// One task; returns an exit code. A task without an mm (a kernel thread,
// an exited task) has an empty map, as its /proc/PID/maps is empty.
static int vm_task(struct cmd_ctx *ctx, const struct vmt_task *t,
		   enum vm_mode mode, struct json *j, bool separate)
{
	uint64_t page_size = vmt_program_dump_info(ctx->prog)->page_size;
	struct vmt_vma *vmas = NULL;
	struct vmt_mm_info mm = { 0 };
	struct vmt_error *err = NULL;
	int rc = EXIT_OK;
	size_t n = 0;

	if (t->mm) {
		err = vmt_program_task_vmas(ctx->prog, t->pid, &mm, &vmas, &n);
		if (err) {
			rc = cmd_entry_error(ctx, j, err, "pid %d", t->pid);
			vmt_error_destroy(err);
			return rc;
		}
	}
	if (!ctx->json && mode != VM_MAPS && separate)
		fputc('\n', ctx->out);
	if (ctx->json)
		err = vm_json(ctx, j, t, t->mm ? &mm : NULL, vmas, n, mode,
			      page_size);
	else if (mode == VM_MAPS)
		err = vm_maps(ctx, vmas, n);
	else
		err = vm_text(ctx, t, t->mm ? &mm : NULL, vmas, n, mode,
			      page_size);
	if (err) {
		// The task's entry is written; say what stopped it on stderr.
		fprintf(stderr, "vmtool: vm: pid %d: %s\n", t->pid, err->message);
		rc = error_exit_code(err);
		vmt_error_destroy(err);
	}
	vmt_vmas_free(vmas, n);
	// The VMAs before a break were printed: name what broke.
	if (mm.broken[0]) {
		fprintf(stderr, "vmtool: vm: pid %d: the VMA list is incomplete: %s\n",
			t->pid, mm.broken);
		if (rc < EXIT_NOT_FOUND)
			rc = EXIT_NOT_FOUND;
	}
	return rc;
}

int cmd_vm(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "maps", no_argument, NULL, 'm' },
		{ "all", no_argument, NULL, 'a' },
		{ 0 },
	};
	enum vm_mode mode = VM_CRASH;
	const struct vmt_task *tasks;
	struct vmt_error *err;
	bool all = false, shown = false;
	int rc = EXIT_OK, opt;
	struct json j;
	size_t n;

	while ((opt = cmd_getopt(ctx, argc, argv, "map", longopts)) != -1) {
		switch (opt) {
		case 'm':
		case 'p': {
			enum vm_mode m = opt == 'm' ? VM_MAPS : VM_PAGES;

			if (mode != VM_CRASH && mode != m)
				return cmd_usage(ctx, "--maps and -p exclude each other");
			mode = m;
			break;
		}
		case 'a':
			all = true;
			break;
		case CMD_BAD_OPTION:
			return EXIT_USAGE;
		}
	}
	struct context_args cargs;

	// No PID: the task `set` chose, if any.
	if (!all)
		use_context_task(ctx, &argc, &argv, &cargs, false);
	if (!all && optind >= argc)
		return cmd_usage(ctx, "no PID (or --all)");
	if (all && optind < argc)
		return cmd_usage(ctx, "--all takes no PID");
	for (int i = optind; i < argc; i++) {
		int pid;

		if (!parse_pid(argv[i], &pid))
			return cmd_usage(ctx, "'%s' is not a PID", argv[i]);
	}
	err = vmt_program_tasks(ctx->prog, &tasks, &n);
	if (err) {
		rc = cmd_fail(ctx, err, NULL);
		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	}
	// --all: one entry per process with an mm (threads share it).
	for (size_t i = 0; all && i < n; i++) {
		int trc;

		if (!tasks[i].mm || tasks[i].pid != tasks[i].tgid)
			continue;
		trc = vm_task(ctx, &tasks[i], mode, &j, shown);
		shown = true;
		if (trc > rc)
			rc = trc;
	}
	for (int i = optind; i < argc; i++) {
		const struct vmt_task *t;
		int pid, trc;

		parse_pid(argv[i], &pid);
		err = vmt_program_task_by_pid(ctx->prog, pid, &t);
		if (err) {
			vmt_error_destroy(err);
			trc = cmd_entry_fail(ctx, &j, VMT_ERROR_NOT_FOUND,
					     "no such task: pid %d", pid);
		} else {
			trc = vm_task(ctx, t, mode, &j, shown);
			shown = true;
		}
		if (trc > rc)
			rc = trc;
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	if (all && vmt_program_tasks_broken(ctx->prog)) {
		report_error(vmt_program_tasks_broken(ctx->prog),
			     "vm: the task list is incomplete");
		if (rc < EXIT_NOT_FOUND)
			rc = EXIT_NOT_FOUND;
	}
	return rc;
}
