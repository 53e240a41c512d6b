// A list of warning strings collected while working (shown by the CLI).
#ifndef VMT_BASE_WARNINGS_H
#define VMT_BASE_WARNINGS_H

#include <stddef.h>

struct warnings {
	char **items;
	size_t nr;
	/** Room in @ref items (grown by doubling). */
	size_t cap;
};

/** Append a formatted warning; silently dropped if memory runs out. */
void warnings_add(struct warnings *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warnings_deinit(struct warnings *w);

#endif
