#include <stdint.h>
#include <stdlib.h>

#include "source/extents.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct order {
	uint64_t start;
	size_t idx;
};

static int cmp_start(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

// A binary max-heap of input indices ordered by prio; ties go to the
// lower index so that the result does not depend on the sort.
static int heap_less(const struct extent *in, size_t a, size_t b)
{
	if (in[a].prio != in[b].prio)
		return in[a].prio < in[b].prio;
	return a > b;
}

static void heap_push(const struct extent *in, size_t *heap, size_t *n,
		      size_t v)
{
	size_t i = (*n)++;

	heap[i] = v;
	while (i && heap_less(in, heap[(i - 1) / 2], heap[i])) {
		size_t p = (i - 1) / 2, t = heap[p];

		heap[p] = heap[i];
		heap[i] = t;
		i = p;
	}
}

static void heap_pop(const struct extent *in, size_t *heap, size_t *n)
{
	size_t i = 0;

	heap[0] = heap[--*n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < *n && heap_less(in, heap[m], heap[l]))
			m = l;
		if (r < *n && heap_less(in, heap[m], heap[r]))
			m = r;
		if (m == i)
			break;
		t = heap[m];
		heap[m] = heap[i];
		heap[i] = t;
		i = m;
	}
}

struct vmt_error *extents_overlay(const struct extent *in, size_t nr_in,
				  struct extent **ret, size_t *nr_ret)
{
	struct order *order = NULL;
	size_t *heap = NULL, nr_order = 0, nr_heap = 0;
	size_t nr_points = 0, nr_out = 0, next = 0, last_winner = SIZE_MAX;
	uint64_t *points = NULL;
	struct extent *out = NULL;

	if (nr_in > SIZE_MAX / (2 * sizeof(*points)))
		return &vmt_enomem;
	order = malloc((nr_in ? nr_in : 1) * sizeof(*order));
	heap = malloc((nr_in ? nr_in : 1) * sizeof(*heap));
	points = malloc((nr_in ? 2 * nr_in : 1) * sizeof(*points));
	// At most one piece per elementary interval.
	out = malloc((nr_in ? 2 * nr_in : 1) * sizeof(*out));
	if (!order || !heap || !points || !out)
		goto nomem;
	for (size_t i = 0; i < nr_in; i++) {
		if (in[i].start >= in[i].end)
			continue;
		order[nr_order].start = in[i].start;
		order[nr_order++].idx = i;
		points[nr_points++] = in[i].start;
		points[nr_points++] = in[i].end;
	}
	qsort(order, nr_order, sizeof(*order), cmp_start);
	qsort(points, nr_points, sizeof(*points), cmp_u64);

	for (size_t i = 0; i + 1 < nr_points; i++) {
		uint64_t p = points[i], q = points[i + 1];
		size_t w;

		if (p == q)
			continue;
		while (next < nr_order && order[next].start <= p)
			heap_push(in, heap, &nr_heap, order[next++].idx);
		while (nr_heap && in[heap[0]].end <= p)
			heap_pop(in, heap, &nr_heap);
		if (!nr_heap) {
			last_winner = SIZE_MAX;
			continue;
		}
		w = heap[0];
		if (w == last_winner && nr_out && out[nr_out - 1].end == p) {
			out[nr_out - 1].end = q;
			continue;
		}
		out[nr_out] = in[w];
		out[nr_out].start = p;
		out[nr_out].end = q;
		out[nr_out].off = in[w].off + (p - in[w].start);
		nr_out++;
		last_winner = w;
	}
	free(order);
	free(heap);
	free(points);
	if (!nr_out) {
		free(out);
		out = NULL;
	}
	*ret = out;
	*nr_ret = nr_out;
	return NULL;

nomem:
	free(order);
	free(heap);
	free(points);
	free(out);
	return &vmt_enomem;
}

size_t extents_find(const struct extent *ext, size_t nr, uint64_t addr,
		    int *found)
{
	size_t lo = 0, hi = nr;

	// First extent with end > addr.
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ext[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < nr && ext[lo].start <= addr;
	return lo;
}
