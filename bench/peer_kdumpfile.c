// The libkdumpfile peer of bench_vtop, through its C API only (no Python
// in the timed loops): the same dump, the same address list, the same
// passes, the same JSON line.
//
// usage: peer_kdumpfile DUMP ADDR_FILE [PASSES [OPS]]
//
// ADDR_FILE holds one kernel virtual address per line (hex). Each pass
// goes over the whole list in order, in one fresh context for the first
// pass of each operation so that pass 1 starts with libkdumpfile's caches
// empty (the OS page cache is warm for every run alike):
//   walk  addrxlat_walk() with the system's kernel page-table method
//         (ADDRXLAT_SYS_METH_PGT): a page-table walk every time, through
//         libkdumpfile's page cache.
//   conv  addrxlat_fulladdr_conv(KVADDR -> MACHPHYSADDR): the translation
//         libkdumpfile chooses itself (it may use the linear-map formula).
//   read8 kdump_read(KDUMP_KVADDR, addr, 8 bytes).
// OPS (comma-separated: walk,conv,read8) picks some of them; PASSES may
// be 0 (open only: the baseline of an instruction count). Prints one JSON
// object: per operation, seconds per pass, and how many addresses failed
// (their errors are counted, not timed apart).
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libkdumpfile/kdumpfile.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t *load_addrs(const char *path, size_t *nr_ret)
{
	FILE *f = fopen(path, "r");
	uint64_t *v = NULL;
	size_t n = 0, cap = 0;
	char line[128];

	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				exit(1);
		}
		v[n++] = strtoull(line, NULL, 16);
	}
	fclose(f);
	*nr_ret = n;
	return v;
}

static kdump_ctx_t *open_dump(const char *path)
{
	kdump_ctx_t *ctx = kdump_new();
	kdump_status st;
	FILE *f;

	if (!ctx)
		exit(1);
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	// The file stays open for the context's life (it keeps the fd).
	st = kdump_open_fd(ctx, fileno(f));
	if (st == KDUMP_OK)
		st = kdump_set_string_attr(ctx, KDUMP_ATTR_OSTYPE, "linux");
	if (st == KDUMP_OK && getenv("PEER_ARCH"))
		st = kdump_set_string_attr(ctx, "arch.name", getenv("PEER_ARCH"));
	if (st != KDUMP_OK) {
		fprintf(stderr, "peer_kdumpfile: %s: %s\n", path,
			kdump_get_err(ctx));
		exit(1);
	}
	return ctx;
}

struct result {
	double secs[16];
	size_t fail;
	char first_error[160];
};

enum op { OP_WALK, OP_CONV, OP_READ8 };

static void run(const char *path, const uint64_t *addrs, size_t n,
		int passes, enum op op, struct result *r)
{
	kdump_ctx_t *ctx = open_dump(path);
	addrxlat_ctx_t *axctx;
	addrxlat_sys_t *axsys;
	const addrxlat_meth_t *pgt;
	uint64_t sum = 0;

	if (kdump_get_addrxlat(ctx, &axctx, &axsys) != KDUMP_OK) {
		fprintf(stderr, "peer_kdumpfile: %s\n", kdump_get_err(ctx));
		exit(1);
	}
	pgt = addrxlat_sys_get_meth(axsys, ADDRXLAT_SYS_METH_PGT);
	memset(r, 0, sizeof(*r));
	for (int p = 0; p < passes; p++) {
		double t0 = now();

		for (size_t i = 0; i < n; i++) {
			const char *e = NULL;

			if (op == OP_WALK) {
				addrxlat_step_t step = {
					.ctx = axctx, .sys = axsys, .meth = pgt,
				};

				step.base.as = ADDRXLAT_KVADDR;
				step.base.addr = addrs[i];
				if (addrxlat_walk(&step) == ADDRXLAT_OK)
					sum += step.base.addr;
				else
					e = addrxlat_ctx_get_err(axctx);
			} else if (op == OP_CONV) {
				addrxlat_fulladdr_t fa = {
					.addr = addrs[i], .as = ADDRXLAT_KVADDR,
				};

				if (addrxlat_fulladdr_conv(
					    &fa, ADDRXLAT_MACHPHYSADDR, axctx,
					    axsys) == ADDRXLAT_OK)
					sum += fa.addr;
				else
					e = addrxlat_ctx_get_err(axctx);
			} else {
				uint64_t w = 0;
				size_t len = 8;

				if (kdump_read(ctx, KDUMP_KVADDR, addrs[i], &w,
					       &len) == KDUMP_OK)
					sum += w;
				else
					e = kdump_get_err(ctx);
			}
			if (e && p == 0) {
				if (!r->fail++)
					snprintf(r->first_error,
						 sizeof(r->first_error), "%s",
						 e);
			}
		}
		r->secs[p] = now() - t0;
	}
	addrxlat_ctx_decref(axctx);
	addrxlat_sys_decref(axsys);
	kdump_free(ctx);
	if (sum == 42)
		putchar(' '); // keep the loops' results alive
}

static void print_result(const char *name, const struct result *r,
			 int passes, bool last)
{
	printf("\"%s\": {\"secs\": [", name);
	for (int p = 0; p < passes; p++)
		printf("%s%.6f", p ? ", " : "", r->secs[p]);
	printf("], \"fail\": %zu, \"error\": \"", r->fail);
	for (const char *c = r->first_error; *c; c++)
		if (*c != '"' && *c != '\\' && (unsigned char)*c >= 0x20)
			putchar(*c);
	printf("\"}%s", last ? "" : ", ");
}

int main(int argc, char **argv)
{
	struct result walk = { 0 }, conv = { 0 }, read8 = { 0 };
	int passes = argc > 3 ? atoi(argv[3]) : 2;
	const char *ops = argc > 4 ? argv[4] : "walk,conv,read8";
	uint64_t *addrs;
	size_t n;

	if (argc < 3 || argc > 5 || passes < 0 || passes > 16) {
		fprintf(stderr, "usage: peer_kdumpfile DUMP ADDR_FILE [PASSES [OPS]]\n");
		return 2;
	}
	addrs = load_addrs(argv[2], &n);
	if (strstr(ops, "walk"))
		run(argv[1], addrs, n, passes, OP_WALK, &walk);
	if (strstr(ops, "conv"))
		run(argv[1], addrs, n, passes, OP_CONV, &conv);
	if (strstr(ops, "read8"))
		run(argv[1], addrs, n, passes, OP_READ8, &read8);
	printf("{\"tool\": \"libkdumpfile\", \"n\": %zu, ", n);
	print_result("walk", &walk, passes, false);
	print_result("conv", &conv, passes, false);
	print_result("read8", &read8, passes, true);
	printf("}\n");
	free(addrs);
	return 0;
}
