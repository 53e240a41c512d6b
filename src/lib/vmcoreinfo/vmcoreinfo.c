// VMCOREINFO text -> key/value list. The kernel writes "KEY=VALUE\n" lines
// (kernel/vmcore_info.c, arch/arm64/kernel/vmcore_info.c): SYMBOL() and
// KERNELOFFSET as bare hex ("%lx"), OFFSET/SIZE/LENGTH as "%lu", NUMBER()
// as "%ld" or "0x%llx", CRASHTIME as "%lld".
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/warnings.h"
#include "vmcoreinfo/vmcoreinfo.h"

// Digits of @p s in @p base, the whole string, no sign, no blanks; false on
// overflow or an empty string.
static bool parse_digits(const char *s, unsigned int base, uint64_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*ret = v;
	return true;
}

// Decimal, negative decimal (two's complement) or 0x-hex.
static bool parse_number(const char *s, uint64_t *ret)
{
	uint64_t v;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s + 2, 16, ret);
	if (s[0] == '-') {
		if (!parse_digits(s + 1, 10, &v) || v > (uint64_t)INT64_MAX + 1)
			return false;
		*ret = -v;
		return true;
	}
	return parse_digits(s, 10, ret);
}

// Bare hex as printed with "%lx"; a 0x prefix is accepted too.
static bool parse_hex(const char *s, uint64_t *ret)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	return parse_digits(s, 16, ret);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

// NULL if @p key=@p value is acceptable, else why not.
static const char *check_entry(const char *key, const char *value)
{
	size_t klen = strlen(key);
	uint64_t v;

	if (klen == 0)
		return "empty key";
	if (has_prefix(key, "SYMBOL(") || has_prefix(key, "NUMBER(") ||
	    has_prefix(key, "OFFSET(") || has_prefix(key, "SIZE(") ||
	    has_prefix(key, "LENGTH(")) {
		const char *open = strchr(key, '(');

		if (key[klen - 1] != ')' || key + klen - 1 == open + 1)
			return "malformed key";
		if (key[0] == 'S' && key[1] == 'Y') {
			if (!parse_hex(value, &v))
				return "not a hex address";
		} else if (!parse_number(value, &v)) {
			return "not a number";
		}
		return NULL;
	}
	if (strcmp(key, "PAGESIZE") == 0) {
		if (!parse_digits(value, 10, &v))
			return "PAGESIZE not a number";
		if (v == 0 || (v & (v - 1)) || v > UINT32_MAX)
			return "PAGESIZE not a power of two";
		return NULL;
	}
	if (strcmp(key, "KERNELOFFSET") == 0) {
		if (!parse_hex(value, &v))
			return "not a hex offset";
		return NULL;
	}
	if (strcmp(key, "CRASHTIME") == 0) {
		if (!parse_number(value, &v))
			return "not a number";
		return NULL;
	}
	return NULL;
}

static struct vmt_error *add_entry(struct vmcoreinfo *vi, const char *key,
				   size_t klen, const char *value)
{
	struct vmcoreinfo_entry *e;

	if (vi->nr_entries == vi->cap_entries) {
		size_t cap = vi->cap_entries ? 2 * vi->cap_entries : 64;
		struct vmcoreinfo_entry *entries =
			realloc(vi->entries, cap * sizeof(*entries));

		if (!entries)
			return &vmt_enomem;
		vi->entries = entries;
		vi->cap_entries = cap;
	}
	e = &vi->entries[vi->nr_entries];
	e->key = strndup(key, klen);
	e->value = strdup(value);
	if (!e->key || !e->value) {
		free(e->key);
		free(e->value);
		return &vmt_enomem;
	}
	vi->nr_entries++;
	return NULL;
}

// Recompute the typed shortcuts after the entry list changed.
static void update_shortcuts(struct vmcoreinfo *vi)
{
	const char *v = vmcoreinfo_get(vi, "PAGESIZE");
	uint64_t n;

	vi->page_size = v && parse_digits(v, 10, &n) ? (uint32_t)n : 0;
	vi->osrelease = vmcoreinfo_get(vi, "OSRELEASE");
}

// Append @p text (NULs dropped) to vi->raw and parse its lines, numbering
// them from 1.
static struct vmt_error *parse_into(struct vmcoreinfo *vi, const char *text,
				    size_t len, struct warnings *warn,
				    size_t *nr_good)
{
	size_t old = vi->raw_len, n = 0, nr_bad = 0;
	char *raw, *line, *next;
	size_t lineno = 0;
	struct vmt_error *err;

	// Room for a separating newline and the terminator.
	raw = realloc(vi->raw, old + len + 2);
	if (!raw)
		return &vmt_enomem;
	vi->raw = raw;
	if (old && raw[old - 1] != '\n')
		raw[old++] = '\n';
	for (size_t i = 0; i < len; i++) {
		// The note is padded to 4 bytes with NULs; QEMU's device
		// and some capture kernels leave more behind.
		if (text[i])
			raw[old + n++] = text[i];
	}
	raw[old + n] = '\0';
	vi->raw_len = old + n;

	// Parse a scratch copy: the lines are cut in place.
	char *copy = strndup(raw + old, n);
	if (!copy)
		return &vmt_enomem;
	for (line = copy; line; line = next) {
		const char *why;
		size_t llen;
		char *eq;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		llen = strlen(line);
		if (llen && line[llen - 1] == '\r')
			line[--llen] = '\0';
		if (llen == 0)
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			if (nr_bad++ < VMCOREINFO_MAX_WARNINGS)
				warnings_add(warn, "line %zu: no '=': %.200s",
					     lineno, line);
			continue;
		}
		*eq = '\0';
		why = check_entry(line, eq + 1);
		if (why) {
			*eq = '=';
			if (nr_bad++ < VMCOREINFO_MAX_WARNINGS)
				warnings_add(warn, "line %zu: %s: %.200s", lineno,
					     why, line);
			continue;
		}
		err = add_entry(vi, line, (size_t)(eq - line), eq + 1);
		if (err) {
			free(copy);
			return err;
		}
		(*nr_good)++;
	}
	free(copy);
	if (nr_bad > VMCOREINFO_MAX_WARNINGS)
		warnings_add(warn, "%zu more malformed lines not shown",
			     nr_bad - VMCOREINFO_MAX_WARNINGS);
	return NULL;
}

static struct vmt_error *take_warnings(struct vmcoreinfo *vi,
				       struct warnings *warn)
{
	char **items;

	if (!warn->nr)
		return NULL;
	items = realloc(vi->warnings,
			(vi->nr_warnings + warn->nr) * sizeof(*items));
	if (!items) {
		warnings_deinit(warn);
		return &vmt_enomem;
	}
	memcpy(items + vi->nr_warnings, warn->items,
	       warn->nr * sizeof(*items));
	vi->warnings = items;
	vi->nr_warnings += warn->nr;
	free(warn->items);
	warn->items = NULL;
	warn->nr = 0;
	warn->cap = 0;
	return NULL;
}

struct vmt_error *vmcoreinfo_parse(const char *text, size_t len,
				   struct vmcoreinfo *ret)
{
	struct vmcoreinfo vi = { 0 };
	struct warnings warn = { 0 };
	struct vmt_error *err;
	size_t nr_good = 0;

	err = parse_into(&vi, text, len, &warn, &nr_good);
	if (!err)
		err = take_warnings(&vi, &warn);
	if (!err && !nr_good)
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "no KEY=VALUE line in %zu bytes%s%s",
				       len, vi.nr_warnings ? "; " : "",
				       vi.nr_warnings ? vi.warnings[0] : "");
	if (err) {
		warnings_deinit(&warn);
		vmcoreinfo_deinit(&vi);
		return err;
	}
	update_shortcuts(&vi);
	*ret = vi;
	return NULL;
}

void vmcoreinfo_deinit(struct vmcoreinfo *vi)
{
	if (!vi)
		return;
	for (size_t i = 0; i < vi->nr_entries; i++) {
		free(vi->entries[i].key);
		free(vi->entries[i].value);
	}
	free(vi->entries);
	for (size_t i = 0; i < vi->nr_warnings; i++)
		free(vi->warnings[i]);
	free(vi->warnings);
	free(vi->raw);
	memset(vi, 0, sizeof(*vi));
}

struct vmt_error *vmcoreinfo_merge(struct vmcoreinfo *vi,
				   const struct vmcoreinfo *other)
{
	struct vmt_error *err;
	size_t need;
	char *raw;

	// Appending keeps "last wins" for lookups and lets raw re-parse to
	// the same result.
	for (size_t i = 0; i < other->nr_entries; i++) {
		const struct vmcoreinfo_entry *e = &other->entries[i];

		err = add_entry(vi, e->key, strlen(e->key), e->value);
		if (err)
			return err;
	}
	if (other->raw_len) {
		need = vi->raw_len + other->raw_len + 2;
		raw = realloc(vi->raw, need);
		if (!raw)
			return &vmt_enomem;
		vi->raw = raw;
		if (vi->raw_len && raw[vi->raw_len - 1] != '\n')
			raw[vi->raw_len++] = '\n';
		memcpy(raw + vi->raw_len, other->raw, other->raw_len);
		vi->raw_len += other->raw_len;
		raw[vi->raw_len] = '\0';
	}
	update_shortcuts(vi);
	return NULL;
}

const char *vmcoreinfo_get(const struct vmcoreinfo *vi, const char *key)
{
	for (size_t i = vi->nr_entries; i-- > 0;) {
		if (strcmp(vi->entries[i].key, key) == 0)
			return vi->entries[i].value;
	}
	return NULL;
}

// The value of KIND(name); with @p any_case, a key that differs only in
// letter case matches when the exact one is absent.
static const char *get_wrapped(const struct vmcoreinfo *vi, const char *kind,
			       const char *name, bool any_case)
{
	size_t klen = strlen(kind), nlen = strlen(name);

	for (int pass = 0; pass < (any_case ? 2 : 1); pass++) {
		for (size_t i = vi->nr_entries; i-- > 0;) {
			const char *key = vi->entries[i].key;

			if (strncmp(key, kind, klen) != 0 || key[klen] != '(' ||
			    strlen(key) != klen + nlen + 2 ||
			    key[klen + 1 + nlen] != ')')
				continue;
			if (pass == 0 ? strncmp(key + klen + 1, name, nlen) == 0
				      : strncasecmp(key + klen + 1, name,
						    nlen) == 0)
				return vi->entries[i].value;
		}
	}
	return NULL;
}

bool vmcoreinfo_number(const struct vmcoreinfo *vi, const char *name,
		       uint64_t *ret)
{
	// Some kernels print lowercase names (NUMBER(tcr_el1_t1sz)), so a
	// case-insensitive match is the fallback.
	const char *v = get_wrapped(vi, "NUMBER", name, true);

	return v && parse_number(v, ret);
}

bool vmcoreinfo_symbol(const struct vmcoreinfo *vi, const char *name,
		       uint64_t *ret)
{
	const char *v = get_wrapped(vi, "SYMBOL", name, false);

	return v && parse_hex(v, ret);
}

bool vmcoreinfo_offset(const struct vmcoreinfo *vi, const char *name,
		       uint64_t *ret)
{
	const char *v = get_wrapped(vi, "OFFSET", name, false);

	return v && parse_number(v, ret);
}

bool vmcoreinfo_size(const struct vmcoreinfo *vi, const char *name,
		     uint64_t *ret)
{
	const char *v = get_wrapped(vi, "SIZE", name, false);

	return v && parse_number(v, ret);
}

bool vmcoreinfo_length(const struct vmcoreinfo *vi, const char *name,
		       uint64_t *ret)
{
	const char *v = get_wrapped(vi, "LENGTH", name, false);

	return v && parse_number(v, ret);
}

bool vmcoreinfo_entry_symbol(const struct vmcoreinfo_entry *e,
			     const char **name_ret, size_t *len_ret,
			     uint64_t *addr_ret)
{
	size_t len = strlen(e->key);

	if (len < 9 || strncmp(e->key, "SYMBOL(", 7) || e->key[len - 1] != ')')
		return false;
	if (!parse_hex(e->value, addr_ret))
		return false;
	*name_ret = e->key + 7;
	*len_ret = len - 8;
	return true;
}

bool vmcoreinfo_kerneloffset(const struct vmcoreinfo *vi, uint64_t *ret)
{
	const char *v = vmcoreinfo_get(vi, "KERNELOFFSET");

	return v && parse_hex(v, ret);
}

bool vmcoreinfo_crashtime(const struct vmcoreinfo *vi, uint64_t *ret)
{
	const char *v = vmcoreinfo_get(vi, "CRASHTIME");

	return v && parse_number(v, ret);
}
