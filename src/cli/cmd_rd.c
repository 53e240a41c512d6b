// `rd`: read physical (-p), kernel virtual (default) or user (-u PID) memory.
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum rd_space { RD_KERNEL, RD_PHYS, RD_USER };

struct rd_args {
	enum rd_space space;
	int pid;
	unsigned int unit; // bytes
	bool raw;
	uint64_t addr;
	uint64_t count;
};

static struct vmt_error *rd_read(struct cmd_ctx *ctx, const struct rd_args *a,
				 uint64_t addr, void *buf, size_t len)
{
	switch (a->space) {
	case RD_PHYS:
		return vmt_program_read_phys(ctx->prog, addr, buf, len);
	case RD_USER:
		return vmt_program_read_user(ctx->prog, a->pid, addr, buf, len);
	default:
		return vmt_program_read_virt(ctx->prog, addr, buf, len);
	}
}

static uint64_t load_unit(const uint8_t *p, unsigned int unit)
{
	uint64_t v = 0;

	// Dumps here are little-endian arm64.
	for (unsigned int i = unit; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void print_line(const struct rd_args *a, uint64_t addr,
		       const uint8_t *p, size_t len, struct json *j)
{
	if (j) {
		for (size_t i = 0; i + a->unit <= len; i += a->unit)
			json_addr(j, load_unit(p + i, a->unit));
		return;
	}
	printf("%" PRIx64 ":  ", addr);
	for (size_t i = 0; i < 16; i += a->unit) {
		if (i + a->unit <= len)
			printf("%0*" PRIx64 " ", (int)a->unit * 2,
			       load_unit(p + i, a->unit));
		else
			printf("%*s ", (int)a->unit * 2, "");
	}
	printf("  ");
	for (size_t i = 0; i < len; i++)
		putchar(isprint(p[i]) ? p[i] : '.');
	putchar('\n');
}

static int parse_rd_args(struct cmd_ctx *ctx, int argc, char **argv,
			 struct rd_args *a)
{
	const char *addr_text = NULL, *count_text = NULL;
	uint64_t pid;
	int rc = EXIT_OK;

	memset(a, 0, sizeof(*a));
	a->unit = 8;
	a->count = 1;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "-p")) {
			a->space = RD_PHYS;
		} else if (!strcmp(s, "-k")) {
			a->space = RD_KERNEL;
		} else if (!strcmp(s, "-u")) {
			if (++i >= argc || !parse_number(argv[i], &pid) ||
			    pid > 0x7fffffff)
				return usage_error("rd", "-u takes a PID");
			a->space = RD_USER;
			a->pid = (int)pid;
		} else if (!strcmp(s, "-8") || !strcmp(s, "-16") ||
			   !strcmp(s, "-32") || !strcmp(s, "-64")) {
			a->unit = (unsigned int)atoi(s + 1) / 8;
		} else if (!strcmp(s, "--raw") || !strcmp(s, "-r")) {
			a->raw = true;
		} else if (!addr_text) {
			addr_text = s;
		} else if (!count_text) {
			count_text = s;
		} else {
			return usage_error("rd", "unexpected argument '%s'", s);
		}
	}
	if (!addr_text)
		return usage_error("rd",
				   "usage: rd [-p|-u PID] [-8|-16|-32|-64] ADDR [COUNT] [--raw]");
	if (count_text && (!parse_number(count_text, &a->count) || !a->count))
		return usage_error("rd", "COUNT '%s' is not a positive number",
				   count_text);
	if (a->count > (UINT64_C(1) << 40) / a->unit)
		return usage_error("rd", "COUNT %" PRIu64 " is too large",
				   a->count);
	if (a->space == RD_PHYS) {
		if (!parse_hex(addr_text, &a->addr))
			return usage_error("rd", "bad physical address '%s'",
					   addr_text);
	} else if (!parse_address(ctx, addr_text, &a->addr, &rc)) {
		return rc;
	}
	return EXIT_OK;
}

// --raw: the exact bytes. Up to RAW_CHUNK they are read before anything is
// written (a fault then leaves no partial output); longer reads stream in
// chunks so memory stays bounded.
#define RAW_CHUNK (16u << 20)

static int rd_raw(struct cmd_ctx *ctx, const struct rd_args *a, uint64_t len)
{
	size_t cap = len < RAW_CHUNK ? (size_t)len : RAW_CHUNK;
	uint8_t *buf = malloc(cap);
	uint64_t done = 0;
	int rc = EXIT_OK;

	if (!buf)
		return report_error(&vmt_enomem, "rd");
	while (done < len) {
		size_t n = len - done < cap ? (size_t)(len - done) : cap;
		struct vmt_error *err = rd_read(ctx, a, a->addr + done, buf, n);

		if (err) {
			rc = report_error(err, "rd");
			vmt_error_destroy(err);
			break;
		}
		fwrite(buf, 1, n, stdout);
		done += n;
	}
	free(buf);
	return rc;
}

int cmd_rd(struct cmd_ctx *ctx, int argc, char **argv)
{
	uint8_t line[16];
	struct rd_args a;
	struct json j;
	uint64_t len, done = 0;
	int rc;

	rc = parse_rd_args(ctx, argc, argv, &a);
	if (rc)
		return rc;
	len = a.count * a.unit;
	if (a.raw)
		return rd_raw(ctx, &a, len);
	if (ctx->json) {
		json_init(&j, stdout);
		json_begin_object(&j);
		json_key(&j, "address");
		json_addr(&j, a.addr);
		json_key(&j, "unit");
		json_uint(&j, a.unit);
		json_key(&j, "values");
		json_begin_array(&j);
	}
	// Line by line, so what is readable is shown before a fault.
	while (done < len) {
		size_t n = len - done < 16 ? (size_t)(len - done) : 16;
		struct vmt_error *err = rd_read(ctx, &a, a.addr + done, line, n);

		if (err) {
			rc = report_error(err, "rd");
			vmt_error_destroy(err);
			break;
		}
		print_line(&a, a.addr + done, line, n, ctx->json ? &j : NULL);
		done += n;
	}
	if (ctx->json) {
		json_end_array(&j);
		json_end_object(&j);
		json_finish(&j);
	}
	return rc;
}
