// The CLI's JSON writer (src/cli/output.c, built into this target): any
// sequence of well-nested values, strings of any bytes, numbers at their
// limits, error objects, at any depth, must come out as one valid JSON
// document that reads back as what was written.
//
// The input drives a generator; its values are recorded as events, the
// output is parsed by a strict RFC 8259 reader here, and the two event
// lists must match.
#include <inttypes.h>

#include "fuzz.h"
#include "output.h"

enum ev_kind { EV_OBJ, EV_OBJ_END, EV_ARR, EV_ARR_END, EV_KEY, EV_STR,
	       EV_NUM, EV_TRUE, EV_FALSE, EV_NULL, EV_ANY };

struct ev {
	enum ev_kind kind;
	// Strings: code points (the writer escapes bytes as \u00XX); numbers:
	// their text.
	uint32_t *text;
	size_t len;
};

struct evs {
	struct ev *v;
	size_t nr, cap;
};

static struct ev *ev_add(struct evs *e, enum ev_kind kind)
{
	if (e->nr == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 64;
		e->v = realloc(e->v, e->cap * sizeof(*e->v));
		FUZZ_ASSERT(e->v);
	}
	e->v[e->nr] = (struct ev){ .kind = kind };
	return &e->v[e->nr++];
}

static void ev_text(struct ev *ev, const char *s, size_t len)
{
	ev->text = malloc((len ? len : 1) * sizeof(*ev->text));
	FUZZ_ASSERT(ev->text);
	for (size_t i = 0; i < len; i++)
		ev->text[i] = (unsigned char)s[i];
	ev->len = len;
}

static void evs_free(struct evs *e)
{
	for (size_t i = 0; i < e->nr; i++)
		free(e->v[i].text);
	free(e->v);
}

// ---- the generator ----

#define MAX_DEPTH 80
#define MAX_VALUES 400

struct gen {
	struct fuzz_input in;
	struct json j;
	struct evs evs;
	unsigned int values;
};

static void gen_bytes(struct gen *g, char *buf, size_t *len, size_t max)
{
	size_t n = fuzz_u8(&g->in) % max, got;
	const uint8_t *p = fuzz_bytes(&g->in, n, &got);

	memcpy(buf, p, got);
	*len = got;
}

static void gen_value(struct gen *g, int depth)
{
	uint8_t op = fuzz_u8(&g->in);
	char buf[64], num[32];
	size_t len;

	g->values++;
	if (depth >= MAX_DEPTH || g->values >= MAX_VALUES)
		op = 6;
	switch (op % 12) {
	case 0:
	case 1: {
		bool obj = op % 12 == 0;
		unsigned int n = fuzz_u8(&g->in) % 4;

		// Nest deeper more often than not, so deep documents happen.
		if (op & 0x80)
			n = 1;
		obj ? json_begin_object(&g->j) : json_begin_array(&g->j);
		ev_add(&g->evs, obj ? EV_OBJ : EV_ARR);
		for (unsigned int i = 0; i < n; i++) {
			if (obj) {
				gen_bytes(g, buf, &len, sizeof(buf) - 1);
				buf[len] = '\0';
				// json_key takes a C string.
				json_key(&g->j, buf);
				ev_text(ev_add(&g->evs, EV_KEY), buf, strlen(buf));
			}
			gen_value(g, depth + 1);
		}
		obj ? json_end_object(&g->j) : json_end_array(&g->j);
		ev_add(&g->evs, obj ? EV_OBJ_END : EV_ARR_END);
		break;
	}
	case 2:
		gen_bytes(g, buf, &len, sizeof(buf));
		json_string_len(&g->j, buf, len);
		ev_text(ev_add(&g->evs, EV_STR), buf, len);
		break;
	case 3: {
		int64_t v = (int64_t)fuzz_u64(&g->in);

		json_int(&g->j, v);
		snprintf(num, sizeof(num), "%" PRId64, v);
		ev_text(ev_add(&g->evs, EV_NUM), num, strlen(num));
		break;
	}
	case 4: {
		uint64_t v = fuzz_u64(&g->in);

		json_uint(&g->j, v);
		snprintf(num, sizeof(num), "%" PRIu64, v);
		ev_text(ev_add(&g->evs, EV_NUM), num, strlen(num));
		break;
	}
	case 5: {
		bool b = fuzz_u8(&g->in) & 1;

		json_bool(&g->j, b);
		ev_add(&g->evs, b ? EV_TRUE : EV_FALSE);
		break;
	}
	case 6:
		json_null(&g->j);
		ev_add(&g->evs, EV_NULL);
		break;
	case 7: {
		uint64_t v = fuzz_u64(&g->in);

		json_addr(&g->j, v);
		snprintf(num, sizeof(num), "0x%" PRIx64, v);
		ev_text(ev_add(&g->evs, EV_STR), num, strlen(num));
		break;
	}
	case 8:
		gen_bytes(g, buf, &len, sizeof(buf) - 1);
		buf[len] = '\0';
		json_string(&g->j, len ? buf : NULL);
		if (len)
			ev_text(ev_add(&g->evs, EV_STR), buf, strlen(buf));
		else
			ev_add(&g->evs, EV_NULL);
		break;
	case 9:
	case 10: {
		struct vmt_error err = { 0 };
		char msg[64], ctx[64];
		size_t mlen, clen;

		err.code = fuzz_u8(&g->in) % 10;
		err.fault = fuzz_u8(&g->in) % 6;
		err.errnum = (int)fuzz_u32(&g->in);
		err.address = fuzz_u64(&g->in);
		gen_bytes(g, msg, &mlen, sizeof(msg) - 1);
		msg[mlen] = '\0';
		gen_bytes(g, ctx, &clen, sizeof(ctx) - 1);
		ctx[clen] = '\0';
		err.message = fuzz_u8(&g->in) & 1 ? msg : NULL;
		(void)error_kind(&err);
		(void)error_exit_code(&err);
		if (op % 12 == 9)
			json_error(&g->j, &err, (int)(fuzz_u8(&g->in) % 4),
				   clen ? ctx : NULL);
		else
			json_usage_error(&g->j, msg);
		ev_add(&g->evs, EV_ANY);
		break;
	}
	default: {
		// Many siblings: long arrays.
		unsigned int n = fuzz_u8(&g->in);

		json_begin_array(&g->j);
		ev_add(&g->evs, EV_ARR);
		for (unsigned int i = 0; i < n && g->values < MAX_VALUES;
		     i++, g->values++) {
			json_int(&g->j, i);
			snprintf(num, sizeof(num), "%u", i);
			ev_text(ev_add(&g->evs, EV_NUM), num, strlen(num));
		}
		json_end_array(&g->j);
		ev_add(&g->evs, EV_ARR_END);
		break;
	}
	}
}

// ---- a strict reader ----

struct rd {
	const char *p, *end;
	struct evs evs;
};

static void ws(struct rd *r)
{
	while (r->p < r->end &&
	       (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool rd_string(struct rd *r, enum ev_kind kind)
{
	struct ev *ev;
	size_t cap = 16;

	if (r->p >= r->end || *r->p != '"')
		return false;
	r->p++;
	ev = ev_add(&r->evs, kind);
	ev->text = malloc(cap * sizeof(*ev->text));
	FUZZ_ASSERT(ev->text);
	for (;;) {
		uint32_t cp;

		if (r->p >= r->end)
			return false;
		unsigned char c = (unsigned char)*r->p++;

		if (c == '"')
			return true;
		if (c < 0x20 || c >= 0x80) // the writer escapes all of these
			return false;
		if (c == '\\') {
			if (r->p >= r->end)
				return false;
			c = (unsigned char)*r->p++;
			switch (c) {
			case '"': case '\\': case '/': cp = c; break;
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case 'n': cp = '\n'; break;
			case 'r': cp = '\r'; break;
			case 't': cp = '\t'; break;
			case 'u':
				if (r->end - r->p < 4)
					return false;
				cp = 0;
				for (int i = 0; i < 4; i++) {
					int h = hexval(r->p[i]);

					if (h < 0)
						return false;
					cp = cp << 4 | (uint32_t)h;
				}
				r->p += 4;
				// Lone surrogates are not valid text.
				if (cp >= 0xd800 && cp <= 0xdfff)
					return false;
				break;
			default:
				return false;
			}
		} else {
			cp = c;
		}
		if (ev->len == cap) {
			cap *= 2;
			ev->text = realloc(ev->text, cap * sizeof(*ev->text));
			FUZZ_ASSERT(ev->text);
		}
		ev->text[ev->len++] = cp;
	}
}

static bool rd_number(struct rd *r)
{
	const char *s = r->p;

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return false;
	if (*r->p == '0')
		r->p++;
	else
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	ev_text(ev_add(&r->evs, EV_NUM), s, (size_t)(r->p - s));
	return true;
}

static bool rd_value(struct rd *r, int depth)
{
	if (depth > 1000)
		return false;
	ws(r);
	if (r->p >= r->end)
		return false;
	switch (*r->p) {
	case '{':
	case '[': {
		bool obj = *r->p == '{';

		r->p++;
		ev_add(&r->evs, obj ? EV_OBJ : EV_ARR);
		ws(r);
		if (r->p < r->end && *r->p == (obj ? '}' : ']')) {
			r->p++;
			ev_add(&r->evs, obj ? EV_OBJ_END : EV_ARR_END);
			return true;
		}
		for (;;) {
			if (obj) {
				ws(r);
				if (!rd_string(r, EV_KEY))
					return false;
				ws(r);
				if (r->p >= r->end || *r->p++ != ':')
					return false;
			}
			if (!rd_value(r, depth + 1))
				return false;
			ws(r);
			if (r->p >= r->end)
				return false;
			if (*r->p == ',') {
				r->p++;
				continue;
			}
			if (*r->p++ != (obj ? '}' : ']'))
				return false;
			ev_add(&r->evs, obj ? EV_OBJ_END : EV_ARR_END);
			return true;
		}
	}
	case '"':
		return rd_string(r, EV_STR);
	case 't':
		if (r->end - r->p < 4 || memcmp(r->p, "true", 4))
			return false;
		r->p += 4;
		ev_add(&r->evs, EV_TRUE);
		return true;
	case 'f':
		if (r->end - r->p < 5 || memcmp(r->p, "false", 5))
			return false;
		r->p += 5;
		ev_add(&r->evs, EV_FALSE);
		return true;
	case 'n':
		if (r->end - r->p < 4 || memcmp(r->p, "null", 4))
			return false;
		r->p += 4;
		ev_add(&r->evs, EV_NULL);
		return true;
	default:
		return rd_number(r);
	}
}

// Index past the value that starts at event @p i.
static size_t skip_value(const struct evs *e, size_t i)
{
	int depth = 0;

	do {
		FUZZ_ASSERT(i < e->nr);
		if (e->v[i].kind == EV_OBJ || e->v[i].kind == EV_ARR)
			depth++;
		else if (e->v[i].kind == EV_OBJ_END || e->v[i].kind == EV_ARR_END)
			depth--;
		i++;
	} while (depth > 0);
	return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gen g = { .in = { data, size } };
	struct rd r = { 0 };
	char *out = NULL;
	size_t out_len = 0, i, k;
	FILE *f = open_memstream(&out, &out_len);

	FUZZ_ASSERT(f);
	json_init(&g.j, f);
	gen_value(&g, 0);
	json_finish(&g.j);
	FUZZ_ASSERT(fclose(f) == 0);

	// One document, then the newline json_finish() writes.
	r.p = out;
	r.end = out + out_len;
	if (!rd_value(&r, 0) || r.p != r.end - 1 || *r.p != '\n') {
		fprintf(stderr, "invalid JSON at byte %zu of %zu: %.*s\n",
			(size_t)(r.p - out), out_len, (int)out_len, out);
		FUZZ_ASSERT(!"the writer produced valid JSON");
	}
	// It reads back as what was written.
	for (i = 0, k = 0; i < g.evs.nr; i++) {
		const struct ev *want = &g.evs.v[i];

		if (want->kind == EV_ANY) {
			k = skip_value(&r.evs, k);
			continue;
		}
		FUZZ_ASSERT(k < r.evs.nr);
		FUZZ_ASSERT(r.evs.v[k].kind == want->kind);
		FUZZ_ASSERT(r.evs.v[k].len == want->len);
		FUZZ_ASSERT(!want->len || !memcmp(r.evs.v[k].text, want->text,
						  want->len * sizeof(*want->text)));
		k++;
	}
	FUZZ_ASSERT(k == r.evs.nr);
	evs_free(&g.evs);
	evs_free(&r.evs);
	free(out);
	return 0;
}
