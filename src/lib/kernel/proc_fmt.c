// /proc formatting: task state letters (fs/proc/array.c), and
// /proc/PID/maps as show_map_vma() and show_vma_header_prefix() of
// fs/proc/task_mmu.c (6.12) print it. Pure functions: no memory reads.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/task.h"

// include/linux/mm.h
#define VM_READ 0x1ULL
#define VM_WRITE 0x2ULL
#define VM_EXEC 0x4ULL
#define VM_MAYSHARE 0x80ULL

// include/linux/sched.h (6.1 .. 6.12)
#define TASK_REPORT 0x7fU
#define TASK_UNINTERRUPTIBLE 0x2U
#define TASK_NOLOAD 0x400U
#define TASK_IDLE (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)
#define TASK_REPORT_IDLE (TASK_REPORT + 1)
#define TASK_RTLOCK_WAIT 0x1000U
#define TASK_FROZEN 0x8000U

char task_state_char(uint64_t state, uint64_t exit_state)
{
	static const char letters[] = "RSDTtXZPI";
	uint32_t st = (uint32_t)state, s;
	int fls = 0;

	// __task_state_index()
	s = (st | (uint32_t)exit_state) & TASK_REPORT;
	if ((st & TASK_IDLE) == TASK_IDLE)
		s = TASK_REPORT_IDLE;
	if ((st & TASK_RTLOCK_WAIT) || (st & TASK_FROZEN))
		s = TASK_UNINTERRUPTIBLE;
	while (s) {
		fls++;
		s >>= 1;
	}
	return letters[fls];
}

void vma_perms(uint64_t vm_flags, char perms[5])
{
	perms[0] = vm_flags & VM_READ ? 'r' : '-';
	perms[1] = vm_flags & VM_WRITE ? 'w' : '-';
	perms[2] = vm_flags & VM_EXEC ? 'x' : '-';
	// 's' follows VM_MAYSHARE, not VM_SHARED: a shared mapping of a file
	// opened read-only has VM_MAYSHARE alone.
	perms[3] = vm_flags & VM_MAYSHARE ? 's' : 'p';
	perms[4] = '\0';
}

const char *vma_heap_or_stack(uint64_t start, uint64_t end, uint64_t brk,
			      uint64_t start_brk, uint64_t start_stack,
			      bool strict_heap)
{
	bool heap;

	// Linux commit 11250fd12eb8 ("mm: factor out VMA stack and heap
	// checks", 6.6) made the heap test strict.
	if (strict_heap)
		heap = start < brk && end > start_brk;
	else
		heap = start <= brk && end >= start_brk;
	if (heap)
		return "[heap]";
	if (start <= start_stack && end >= start_stack)
		return "[stack]";
	return NULL;
}

struct vmt_error *vma_escape_path(const char *path, char **ret)
{
	size_t n = 0, i;
	const char *p;
	char *out;

	for (p = path; *p; p++)
		n += *p == '\n' ? 4 : 1;
	out = malloc(n + 1);
	if (!out)
		return &vmt_enomem;
	for (p = path, i = 0; *p; p++) {
		// mangle_path(): backslash and three octal digits.
		if (*p == '\n') {
			memcpy(out + i, "\\012", 4);
			i += 4;
		} else {
			out[i++] = *p;
		}
	}
	out[i] = '\0';
	*ret = out;
	return NULL;
}

struct vmt_error *vma_format_maps_line(const struct vmt_vma *vma, char **ret)
{
	// seq_setwidth(m, 25 + sizeof(void *) * 6 - 1), then seq_pad(m, ' ')
	// fills to that width and adds one space before the name.
	enum { PAD_WIDTH = 25 + 8 * 6 - 1 };
	char *out, *line;
	int n;

	n = asprintf(&out,
		     "%08" PRIx64 "-%08" PRIx64 " %.4s %08" PRIx64
		     " %02x:%02x %" PRIu64 " ",
		     vma->start, vma->end, vma->perms, vma->offset,
		     vma->dev_major, vma->dev_minor, vma->inode);
	if (n < 0)
		return &vmt_enomem;
	if (vma->path && vma->path[0])
		n = asprintf(&line, "%s%*s %s\n", out,
			     n < PAD_WIDTH ? PAD_WIDTH - n : 0, "", vma->path);
	else
		n = asprintf(&line, "%s\n", out);
	free(out);
	if (n < 0)
		return &vmt_enomem;
	*ret = line;
	return NULL;
}
