// main() for the fuzz targets in a build without libFuzzer: run the target
// once on each file given (or on each file of the directories given).
// Without arguments it replays the target's committed corpus,
// $VMTOOL_SRCDIR/tests/fuzz/corpus/<its name>/, so every input a fuzzer
// ever found stays a regression test of `make check`.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Run the target on the file at @p path; -1 if it cannot be read.
static int run_file(const char *path)
{
	struct stat st;
	uint8_t *data;
	FILE *f;
	size_t n;

	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	// Exactly the file's size, so that AddressSanitizer sees any read
	// past the end of the input.
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data) {
		fclose(f);
		return -1;
	}
	n = fread(data, 1, (size_t)st.st_size, f);
	fclose(f);
	if (n != (size_t)st.st_size) {
		fprintf(stderr, "%s: short read\n", path);
		free(data);
		return -1;
	}
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

// Run every regular file of @p dir, in name order; returns the count or -1.
static int run_dir(const char *dir)
{
	char **names = NULL;
	size_t nr = 0, cap = 0;
	struct dirent *de;
	int count = 0;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (nr == cap) {
			char **n = realloc(names, (cap = cap ? 2 * cap : 64) *
						   sizeof(*n));

			if (!n)
				abort();
			names = n;
		}
		if (asprintf(&names[nr++], "%s/%s", dir, de->d_name) < 0)
			abort();
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), cmp_names);
	for (size_t i = 0; i < nr; i++) {
		struct stat st;

		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(names[i]) < 0)
				count = -1;
			else if (count >= 0)
				count++;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

static int run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	return S_ISDIR(st.st_mode) ? run_dir(path) : run_file(path) ? -1 : 1;
}

int main(int argc, char **argv)
{
	const char *srcdir = getenv("VMTOOL_SRCDIR");
	const char *name = strrchr(argv[0], '/');
	char corpus[4096];
	int total = 0;

	name = name ? name + 1 : argv[0];
	if (!strncmp(name, "lt-", 3))
		name += 3;
	if (argc < 2) {
		if (!srcdir || !*srcdir) {
			fprintf(stderr,
				"usage: %s FILE|DIR... (or set VMTOOL_SRCDIR to replay tests/fuzz/corpus/%s)\n",
				name, name);
			return 2;
		}
		snprintf(corpus, sizeof(corpus), "%s/tests/fuzz/corpus/%s",
			 srcdir, name);
		total = run_dir(corpus);
		if (total <= 0) {
			fprintf(stderr, "%s: no corpus in %s\n", name, corpus);
			return 1;
		}
	} else {
		for (int i = 1; i < argc; i++) {
			int n = run_path(argv[i]);

			if (n < 0)
				return 1;
			total += n;
		}
	}
	printf("%s: %d inputs replayed\n", name, total);
	return 0;
}
