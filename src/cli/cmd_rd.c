// `rd`: read physical (-p), kernel virtual (default) or user (-u PID)
// memory: words, words as symbols (-s), a string (-a), or raw bytes.
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum rd_space { RD_KERNEL, RD_PHYS, RD_USER };
enum rd_mode { RD_WORDS, RD_SYMBOLS, RD_STRING, RD_RAW };

// The longest string -a reads when no COUNT is given.
#define RD_STRING_DEFAULT 4096u
// Longest reads: words shown as text, and raw bytes (both stream); words
// as JSON (one document, held until the command ends); strings (-a, one
// buffer).
#define RD_MAX_BYTES (UINT64_C(1) << 40)
#define RD_MAX_JSON_VALUES (UINT64_C(1) << 24)
#define RD_MAX_STRING (UINT64_C(1) << 20)

struct rd_args {
	enum rd_space space;
	enum rd_mode mode;
	int pid;
	unsigned int unit; // bytes
	uint64_t addr;
	uint64_t count;
	bool count_given;
};

static const char *space_name(enum rd_space space)
{
	return space == RD_PHYS ? "physical" : space == RD_USER ? "user" :
								  "kernel";
}

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

// "name+0x10" when @p v points into a symbol (inside its size when the
// size is known, else within a page of its start), else false.
static bool symbolize(struct cmd_ctx *ctx, uint64_t v, char *buf, size_t size)
{
	struct vmt_symbol sym;
	struct vmt_error *err;
	uint64_t off;

	if (v < (UINT64_C(1) << 63))
		return false; // only kernel addresses name symbols
	err = vmt_program_symbol_by_addr(ctx->prog, v, &sym, &off);
	if (err) {
		vmt_error_destroy(err);
		return false;
	}
	if (sym.size ? off >= sym.size : off >= 4096)
		return false;
	if (off)
		snprintf(buf, size, "%s+%" PRIu64, sym.name, off);
	else
		snprintf(buf, size, "%s", sym.name);
	return true;
}

static void text_line(struct cmd_ctx *ctx, const struct rd_args *a,
		      uint64_t addr, const uint8_t *p, size_t len)
{
	FILE *out = ctx->out;

	fprintf(out, "%" PRIx64 ":  ", addr);
	for (size_t i = 0; i < 16; i += a->unit) {
		char name[160];

		if (i + a->unit > len)
			fprintf(out, "%*s ", (int)a->unit * 2, "");
		else if (a->mode == RD_SYMBOLS &&
			 symbolize(ctx, load_unit(p + i, a->unit), name,
				   sizeof(name)))
			fprintf(out, "%-16s ", name);
		else
			fprintf(out, "%0*" PRIx64 " ", (int)a->unit * 2,
				load_unit(p + i, a->unit));
	}
	fprintf(out, "  ");
	for (size_t i = 0; i < len; i++)
		fputc(isprint(p[i]) ? p[i] : '.', out);
	fputc('\n', out);
}

static void json_head(struct json *j, const struct rd_args *a)
{
	json_begin_object(j);
	json_key(j, "address");
	json_addr(j, a->addr);
	json_key(j, "space");
	json_string(j, space_name(a->space));
	json_key(j, "pid");
	json_uint_or_null(j, a->space == RD_USER, (uint64_t)a->pid);
	json_key(j, "unit");
	json_uint(j, a->unit);
}

// The end of a result: what stopped a read early (null when nothing did).
static void json_tail(struct json *j, const struct vmt_error *err, int rc)
{
	json_key(j, "error");
	if (err)
		json_error_object(j, err, rc, NULL);
	else
		json_null(j);
	json_end_object(j);
	json_finish(j);
}

// Words (or symbols), 16 bytes a line, so what is readable is shown
// before a fault. A fault before anything was read fails the command.
static int rd_words(struct cmd_ctx *ctx, const struct rd_args *a)
{
	uint64_t len = a->count * a->unit, done = 0;
	struct vmt_error *err = NULL;
	char *syms_text = NULL;
	size_t syms_len = 0;
	FILE *syms = NULL;
	uint8_t line[16];
	struct json j, js;
	int rc = EXIT_OK;

	if (ctx->json && a->mode == RD_SYMBOLS) {
		// The "symbols" array is built beside "values".
		syms = open_memstream(&syms_text, &syms_len);
		if (!syms)
			return cmd_fail(ctx, &vmt_enomem, NULL);
		json_init(&js, syms);
		json_begin_array(&js);
	}
	for (; done < len; done += sizeof(line)) {
		size_t n = len - done < 16 ? (size_t)(len - done) : 16;

		err = rd_read(ctx, a, a->addr + done, line, n);
		if (err)
			break;
		if (!done && ctx->json) {
			json_init(&j, ctx->out);
			json_head(&j, a);
			json_key(&j, "values");
			json_begin_array(&j);
		}
		if (!ctx->json) {
			text_line(ctx, a, a->addr + done, line, n);
			continue;
		}
		// Memory words are shown as addresses are: hex strings (their
		// meaning is unknown, and 64-bit values do not survive a
		// double-precision JSON reader).
		for (size_t i = 0; i + a->unit <= n; i += a->unit) {
			uint64_t v = load_unit(line + i, a->unit);
			char name[160];

			json_addr(&j, v);
			if (!syms)
				continue;
			if (symbolize(ctx, v, name, sizeof(name)))
				json_string(&js, name);
			else
				json_null(&js);
		}
	}
	if (syms) {
		json_end_array(&js);
		fclose(syms);
	}
	if (err && !done) {
		rc = cmd_fail(ctx, err, NULL);
		vmt_error_destroy(err);
		free(syms_text);
		return rc;
	}
	if (err) {
		rc = error_exit_code(err);
		if (!ctx->json)
			cmd_entry_error(ctx, NULL, err, "stopped after %" PRIu64
					" bytes", done);
	}
	if (ctx->json) {
		json_end_array(&j);
		json_key(&j, "symbols");
		if (syms_text)
			json_raw(&j, syms_text, syms_len);
		else
			json_null(&j);
		json_key(&j, "string");
		json_null(&j);
		json_tail(&j, err, rc);
	}
	vmt_error_destroy(err);
	free(syms_text);
	return rc;
}

// -a: bytes up to a NUL (or COUNT of them), read a page at a time.
static int rd_string(struct cmd_ctx *ctx, const struct rd_args *a)
{
	uint64_t max = a->count_given ? a->count : RD_STRING_DEFAULT;
	struct vmt_error *err = NULL;
	char *buf = malloc(max + 1);
	uint64_t len = 0;
	bool nul = false;
	int rc = EXIT_OK;

	if (!buf)
		return cmd_fail(ctx, &vmt_enomem, NULL);
	while (len < max && !nul) {
		// Up to the end of a 4 KiB block: a fault stops at a page.
		uint64_t n = 4096 - ((a->addr + len) & 4095);

		if (n > max - len)
			n = max - len;
		err = rd_read(ctx, a, a->addr + len, buf + len, (size_t)n);
		if (err)
			break;
		for (uint64_t i = 0; i < n; i++) {
			if (!buf[len + i]) {
				n = i;
				nul = true;
				break;
			}
		}
		len += n;
	}
	if (err && !len) {
		rc = cmd_fail(ctx, err, NULL);
		vmt_error_destroy(err);
		free(buf);
		return rc;
	}
	if (err)
		rc = error_exit_code(err);
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		json_head(&j, a);
		json_key(&j, "values");
		json_null(&j);
		json_key(&j, "symbols");
		json_null(&j);
		json_key(&j, "string");
		json_string_len(&j, buf, (size_t)len);
		json_tail(&j, err, rc);
	} else {
		// 60 characters a line, each line with its address.
		for (uint64_t off = 0; off < len || off == 0; off += 60) {
			uint64_t n = len - off < 60 ? len - off : 60;

			fprintf(ctx->out, "%" PRIx64 ":  ", a->addr + off);
			for (uint64_t i = 0; i < n; i++)
				fputc(isprint((unsigned char)buf[off + i]) ?
					      buf[off + i] : '.',
				      ctx->out);
			fputc('\n', ctx->out);
			if (!len)
				break;
		}
		if (err)
			cmd_entry_error(ctx, NULL, err, "stopped after %" PRIu64
					" bytes", len);
	}
	vmt_error_destroy(err);
	free(buf);
	return rc;
}

// --raw: the exact bytes. Up to RAW_CHUNK they are read before anything is
// written (a fault then leaves no partial output); longer reads stream in
// chunks so memory stays bounded.
#define RAW_CHUNK (16u << 20)

static int rd_raw(struct cmd_ctx *ctx, const struct rd_args *a)
{
	uint64_t len = a->count * a->unit;
	size_t cap = len < RAW_CHUNK ? (size_t)len : RAW_CHUNK;
	uint8_t *buf = malloc(cap);
	uint64_t done = 0;
	int rc = EXIT_OK;

	if (!buf)
		return cmd_fail(ctx, &vmt_enomem, NULL);
	while (done < len) {
		size_t n = len - done < cap ? (size_t)(len - done) : cap;
		struct vmt_error *err = rd_read(ctx, a, a->addr + done, buf, n);

		if (err) {
			rc = cmd_fail(ctx, err, done ? "stopped after %" PRIu64
						       " bytes" : NULL, done);
			vmt_error_destroy(err);
			break;
		}
		fwrite(buf, 1, n, ctx->out);
		done += n;
	}
	free(buf);
	return rc;
}

// -8/-16/-32/-64 look like options but are not getopt letters: take them
// out first.
static int take_unit_options(int argc, char **argv, unsigned int *unit)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-8") || !strcmp(argv[i], "-16") ||
		    !strcmp(argv[i], "-32") || !strcmp(argv[i], "-64"))
			*unit = (unsigned int)atoi(argv[i] + 1) / 8;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

static int parse_rd_args(struct cmd_ctx *ctx, int argc, char **argv,
			 struct rd_args *a)
{
	static const struct option longopts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ 0 },
	};
	unsigned int unit = 0;
	int opt, rc = EXIT_OK;

	memset(a, 0, sizeof(*a));
	a->count = 1;
	argc = take_unit_options(argc, argv, &unit);
	while ((opt = cmd_getopt(ctx, argc, argv, "pku:sar", longopts)) != -1) {
		switch (opt) {
		case 'p':
			a->space = RD_PHYS;
			break;
		case 'k':
			a->space = RD_KERNEL;
			break;
		case 'u':
			if (!parse_pid(optarg, &a->pid))
				return cmd_usage(ctx, "-u takes a PID, not '%s'",
						 optarg);
			a->space = RD_USER;
			break;
		case 's':
		case 'a':
		case 'r': {
			enum rd_mode m = opt == 's' ? RD_SYMBOLS :
					 opt == 'a' ? RD_STRING : RD_RAW;

			if (a->mode != RD_WORDS && a->mode != m)
				return cmd_usage(ctx, "-s, -a and --raw exclude each other");
			a->mode = m;
			break;
		}
		case CMD_BAD_OPTION:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cmd_usage(ctx, "no ADDR");
	if (argc - optind > 2)
		return cmd_usage(ctx, "unexpected argument '%s'", argv[optind + 2]);
	if (argc - optind == 2) {
		if (!parse_number(argv[optind + 1], &a->count) || !a->count)
			return cmd_usage(ctx, "COUNT '%s' is not a positive number",
					 argv[optind + 1]);
		a->count_given = true;
	}
	if (a->mode == RD_RAW && ctx->json)
		return cmd_usage(ctx, "--raw writes bytes, not JSON");
	if (a->mode == RD_SYMBOLS && unit && unit != 8)
		return cmd_usage(ctx, "-s shows 64-bit words");
	if (a->mode == RD_STRING && unit && unit != 1)
		return cmd_usage(ctx, "-a reads bytes");
	a->unit = a->mode == RD_STRING ? 1 : unit ? unit : 8;
	if (a->count > RD_MAX_BYTES / a->unit)
		return cmd_usage(ctx, "COUNT %" PRIu64 " is too large", a->count);
	if (a->mode == RD_STRING && a->count > RD_MAX_STRING)
		return cmd_usage(ctx, "-a reads at most %" PRIu64 " bytes",
				 RD_MAX_STRING);
	if (ctx->json && a->mode != RD_STRING && a->count > RD_MAX_JSON_VALUES)
		return cmd_usage(ctx, "--json shows at most %" PRIu64
				 " values (text and --raw have no such limit)",
				 RD_MAX_JSON_VALUES);
	if (a->space == RD_PHYS) {
		if (!parse_hex(argv[optind], &a->addr))
			return cmd_usage(ctx, "'%s' is not a physical address (hex)",
					 argv[optind]);
	} else if (!parse_address(ctx, argv[optind], &a->addr, &rc)) {
		return rc;
	}
	return EXIT_OK;
}

int cmd_rd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct rd_args a;
	int rc;

	rc = parse_rd_args(ctx, argc, argv, &a);
	if (rc)
		return rc;
	switch (a.mode) {
	case RD_RAW:
		return rd_raw(ctx, &a);
	case RD_STRING:
		return rd_string(ctx, &a);
	default:
		return rd_words(ctx, &a);
	}
}
