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
	items = realloc(w->items, (w->nr + 1) * sizeof(*items));
	if (!items) {
		free(msg);
		return;
	}
	items[w->nr++] = msg;
	w->items = items;
}

void warnings_deinit(struct warnings *w)
{
	for (size_t i = 0; i < w->nr; i++)
		free(w->items[i]);
	free(w->items);
	w->items = NULL;
	w->nr = 0;
}
