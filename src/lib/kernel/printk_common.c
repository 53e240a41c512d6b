// The windowed reader and the record list shared by the log parsers.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/printk_parse.h"

struct vmt_error *kwindow_init(struct kwindow *w, kread_fn *read, void *arg,
			       uint64_t lo, uint64_t hi)
{
	memset(w, 0, sizeof(*w));
	w->read = read;
	w->arg = arg;
	w->lo = lo;
	w->hi = hi;
	w->buf = malloc(PRINTK_WINDOW);
	return w->buf ? NULL : &vmt_enomem;
}

void kwindow_deinit(struct kwindow *w)
{
	free(w->buf);
	w->buf = NULL;
}

struct vmt_error *kwindow_read(struct kwindow *w, uint64_t addr, void *out,
			       size_t len)
{
	struct vmt_error *err;
	uint64_t base;
	size_t n;

	if (addr >= w->base && len <= w->len && addr - w->base <= w->len - len) {
		memcpy(out, w->buf + (addr - w->base), len);
		return NULL;
	}
	// Windows start on 4 KiB boundaries inside [lo, hi), so that a read
	// never strays past the array into memory that may not exist.
	base = addr & ~(uint64_t)4095;
	if (base < w->lo)
		base = w->lo;
	n = w->hi - base < PRINTK_WINDOW ? (size_t)(w->hi - base) :
					   PRINTK_WINDOW;
	if (addr < w->lo || len > n || addr - base > n - len ||
	    (w->has_bad && w->bad_base == base))
		return w->read(w->arg, addr, out, len);
	w->len = 0;
	err = w->read(w->arg, base, w->buf, n);
	if (err) {
		// Part of the window is unreadable: remember it, and read only
		// what was asked (which may still be readable).
		vmt_error_destroy(err);
		w->has_bad = true;
		w->bad_base = base;
		return w->read(w->arg, addr, out, len);
	}
	w->base = base;
	w->len = n;
	memcpy(out, w->buf + (addr - base), len);
	return NULL;
}

struct vmt_error *printk_result_add(struct printk_result *res,
				    const struct vmt_log_record *rec,
				    const char *text, size_t text_len,
				    const char *subsystem, size_t subsystem_len,
				    const char *device, size_t device_len)
{
	struct vmt_log_record *r;
	char *mem;

	if (res->nr == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 256;
		struct vmt_log_record *n = realloc(res->records,
						   cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		res->records = n;
		res->cap = cap;
	}
	// text, subsystem and device in one allocation, each NUL-terminated.
	mem = malloc(text_len + subsystem_len + device_len + 3);
	if (!mem)
		return &vmt_enomem;
	r = &res->records[res->nr++];
	*r = *rec;
	memcpy(mem, text, text_len);
	mem[text_len] = '\0';
	r->text = mem;
	r->text_len = text_len;
	mem += text_len + 1;
	r->subsystem = NULL;
	if (subsystem_len) {
		memcpy(mem, subsystem, subsystem_len);
		mem[subsystem_len] = '\0';
		r->subsystem = mem;
		mem += subsystem_len + 1;
	}
	r->device = NULL;
	if (device_len) {
		memcpy(mem, device, device_len);
		mem[device_len] = '\0';
		r->device = mem;
	}
	return NULL;
}

void printk_result_damage(struct printk_result *res, const char *fmt, ...)
{
	va_list ap;

	if (!res->nr_damaged++) {
		va_start(ap, fmt);
		vsnprintf(res->damage, sizeof(res->damage), fmt, ap);
		va_end(ap);
	}
}

struct seq_index {
	uint64_t seq;
	size_t index;
};

static int by_seq(const void *a, const void *b)
{
	const struct seq_index *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	// Keep the order of discovery among equals (the first one wins).
	return x->index < y->index ? -1 : x->index > y->index;
}

void printk_result_sort(struct printk_result *res)
{
	struct vmt_log_record *sorted_recs;
	struct seq_index *order;
	bool sorted = true;
	size_t out = 0;

	for (size_t i = 1; i < res->nr && sorted; i++)
		sorted = res->records[i - 1].seq < res->records[i].seq;
	if (sorted)
		return;
	order = malloc(res->nr * sizeof(*order));
	sorted_recs = malloc(res->nr * sizeof(*sorted_recs));
	if (!order || !sorted_recs) {
		// Out of memory: the records stay in ring order.
		free(order);
		free(sorted_recs);
		return;
	}
	for (size_t i = 0; i < res->nr; i++)
		order[i] = (struct seq_index){ res->records[i].seq, i };
	qsort(order, res->nr, sizeof(*order), by_seq);
	for (size_t i = 0; i < res->nr; i++) {
		struct vmt_log_record *r = &res->records[order[i].index];

		if (out && sorted_recs[out - 1].seq == r->seq) {
			printk_result_damage(res,
					     "two records have sequence number %llu",
					     (unsigned long long)r->seq);
			free((char *)r->text);
			continue;
		}
		sorted_recs[out++] = *r;
	}
	free(order);
	free(res->records);
	res->records = sorted_recs;
	res->cap = res->nr;
	res->nr = out;
}

void printk_result_deinit(struct printk_result *res)
{
	for (size_t i = 0; i < res->nr; i++)
		free((char *)res->records[i].text);
	free(res->records);
	memset(res, 0, sizeof(*res));
}
