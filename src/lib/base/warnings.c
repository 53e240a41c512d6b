#ifndef _GNU_SOURCE
#define _GNU_SOURCE // vasprintf
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/warnings.h"

void warnings_add(struct warnings *w, const char *fmt, ...)
{
	char *msg, **items;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (w->nr == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;

		items = realloc(w->items, cap * sizeof(*items));
		if (!items) {
			free(msg);
			return;
		}
		w->items = items;
		w->cap = cap;
	}
	w->items[w->nr++] = msg;
}

void warnings_deinit(struct warnings *w)
{
	for (size_t i = 0; i < w->nr; i++)
		free(w->items[i]);
	free(w->items);
	w->items = NULL;
	w->nr = 0;
	w->cap = 0;
}
