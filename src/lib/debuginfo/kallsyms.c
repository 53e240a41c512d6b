// Decode the kernel's compressed kallsyms tables from memory.
//
// Format (kernel/kallsyms.c and scripts/kallsyms.c, 6.0 to 6.12):
// - kallsyms_names: per symbol a length then that many token numbers. The
//   length is one byte, or two when the first has bit 7 set (6.1+, "big"
//   symbols): len = (b0 & 0x7f) | b1 << 7.
// - kallsyms_token_table: NUL-terminated strings; kallsyms_token_index:
//   256 u16 offsets into it. Expanding the tokens gives the type letter
//   followed by the name.
// - kallsyms_offsets: s32 per symbol. Without KALLSYMS_ABSOLUTE_PERCPU
//   (arm64, and all of 6.12's generic path) address = relative_base +
//   (u32)offset. With it (x86-64 SMP only), offset >= 0 is absolute and a
//   negative one means relative_base - 1 - offset.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "debuginfo/debuginfo.h"

// A name longer than this is corrupt (KSYM_NAME_LEN is 512 in 6.1+).
#define KSYM_NAME_MAX 512
// Upper bounds for tables whose end is not exported.
#define NAMES_MAX_BYTES (64u << 20)
#define TOKEN_TABLE_MAX_BYTES (1u << 20)
#define NUM_SYMS_MAX (16u << 20)
// Names, expanded from their tokens, of all symbols together: a real
// kernel's take a few MiB. Tokens can expand a byte of the table into
// hundreds, so the table's size alone does not bound them.
#define NAMES_EXPANDED_MAX (256u << 20)
#define CHUNK (64u << 10)

// Buffered sequential reader over the names table.
struct names_reader {
	read_kvirt_fn *read;
	void *arg;
	uint64_t start;  // kallsyms_names
	uint64_t limit;  // bytes that may belong to the table
	uint8_t *buf;
	uint64_t buf_off; // table offset of buf[0]
	size_t buf_len;
};

static struct vmt_error *names_byte(struct names_reader *r, uint64_t off,
				    uint8_t *ret)
{
	struct vmt_error *err;
	size_t len;

	if (off >= r->limit)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"kallsyms_names at %#" PRIx64
					": runs past %#" PRIx64,
					r->start, r->start + r->limit);
	if (off < r->buf_off || off >= r->buf_off + r->buf_len) {
		len = CHUNK;
		if (r->limit - off < len)
			len = r->limit - off;
		err = r->read(r->arg, r->start + off, r->buf, len);
		if (err)
			return vmt_error_wrap(err, "kallsyms_names at %#" PRIx64,
					      r->start);
		r->buf_off = off;
		r->buf_len = len;
	}
	*ret = r->buf[off - r->buf_off];
	return NULL;
}

static struct vmt_error *read_u32(read_kvirt_fn *read, void *arg,
				  uint64_t addr, const char *what,
				  uint32_t *ret)
{
	uint8_t b[4];
	struct vmt_error *err = read(arg, addr, b, sizeof(b));

	if (err)
		return vmt_error_wrap(err, "%s at %#" PRIx64, what, addr);
	*ret = load_le32(b);
	return NULL;
}

// The end of the table starting at @p addr: the nearest other table
// above it (scripts/kallsyms.c emits them back to back), else @p addr +
// @p max.
static uint64_t table_limit(const uint64_t *tables, size_t n, uint64_t addr,
			    uint64_t max)
{
	uint64_t end = addr + max;

	for (size_t i = 0; i < n; i++)
		if (tables[i] > addr && tables[i] < end)
			end = tables[i];
	return end - addr;
}

struct kallsyms_tables {
	uint64_t names, num_syms, token_table, token_index, offsets,
		relative_base;
};

static struct vmt_error *find_tables(const struct vmcoreinfo *vi,
				     struct kallsyms_tables *t)
{
	static const char *const names[] = {
		"kallsyms_names",	 "kallsyms_num_syms",
		"kallsyms_token_table", "kallsyms_token_index",
		"kallsyms_offsets",	 "kallsyms_relative_base",
	};
	uint64_t *vals[] = { &t->names,	      &t->num_syms, &t->token_table,
			     &t->token_index, &t->offsets,  &t->relative_base };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!vmcoreinfo_symbol(vi, names[i], vals[i]))
			return vmt_error_format(
				VMT_ERROR_NOT_FOUND,
				"VMCOREINFO has no SYMBOL(%s) (kernel before 6.0?)",
				names[i]);
	return NULL;
}

// Read the token index and the token table; check that every token the
// index names is NUL-terminated inside the table.
static struct vmt_error *read_tokens(read_kvirt_fn *read, void *arg,
				     const struct kallsyms_tables *t,
				     uint64_t token_table_len,
				     uint16_t index_ret[256], char **table_ret)
{
	uint8_t raw[512];
	struct vmt_error *err;
	uint32_t max_index = 0;
	char *table;

	err = read(arg, t->token_index, raw, sizeof(raw));
	if (err)
		return vmt_error_wrap(err, "kallsyms_token_index at %#" PRIx64,
				      t->token_index);
	for (int i = 0; i < 256; i++) {
		index_ret[i] = load_le16(raw + 2 * i);
		if (index_ret[i] > max_index)
			max_index = index_ret[i];
	}
	if (max_index >= token_table_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"kallsyms_token_index at %#" PRIx64
					": offset %#" PRIx32
					" past the token table (%#" PRIx64
					" bytes)",
					t->token_index, max_index,
					token_table_len);
	table = malloc(token_table_len + 1);
	if (!table)
		return &vmt_enomem;
	err = read(arg, t->token_table, table, token_table_len);
	if (err) {
		free(table);
		return vmt_error_wrap(err, "kallsyms_token_table at %#" PRIx64,
				      t->token_table);
	}
	table[token_table_len] = '\0';
	for (int i = 0; i < 256; i++) {
		if (!memchr(table + index_ret[i], '\0',
			    token_table_len - index_ret[i])) {
			free(table);
			return vmt_error_format(
				VMT_ERROR_BAD_DATA,
				"kallsyms_token_table at %#" PRIx64
				": token %d not terminated",
				t->token_table, i);
		}
	}
	*table_ret = table;
	return NULL;
}

struct vmt_error *kallsyms_load(read_kvirt_fn *read, void *arg,
				const struct vmcoreinfo *vi,
				struct symtab *tab)
{
	struct kallsyms_tables t;
	struct names_reader nr = { 0 };
	uint16_t token_index[256];
	char *token_table = NULL;
	uint8_t *offsets = NULL;
	uint64_t relative_base, off = 0, token_table_len;
	uint32_t num_syms = 0;
	size_t nneg = 0;
	bool absolute_percpu;
	struct vmt_error *err;
	uint8_t rb[8];
	size_t start_nr = tab->nr;

	err = find_tables(vi, &t);
	if (err)
		return err;
	uint64_t all[] = { t.names,	  t.num_syms, t.token_table,
			   t.token_index, t.offsets,  t.relative_base };
	size_t nall = sizeof(all) / sizeof(all[0]);

	err = read_u32(read, arg, t.num_syms, "kallsyms_num_syms", &num_syms);
	if (err)
		return err;
	if (num_syms == 0 || num_syms > NUM_SYMS_MAX)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"kallsyms_num_syms at %#" PRIx64
					": implausible count %" PRIu32,
					t.num_syms, num_syms);
	err = read(arg, t.relative_base, rb, sizeof(rb));
	if (err)
		return vmt_error_wrap(err, "kallsyms_relative_base at %#" PRIx64,
				      t.relative_base);
	relative_base = load_le64(rb);

	token_table_len = table_limit(all, nall, t.token_table,
				      TOKEN_TABLE_MAX_BYTES);
	err = read_tokens(read, arg, &t, token_table_len, token_index,
			  &token_table);
	if (err)
		return err;

	// The offsets table holds num_syms entries: they must fit before the
	// next table (the tables are laid out back to back), so the count
	// read from the dump sizes nothing the dump does not hold.
	if ((uint64_t)num_syms * 4 > table_limit(all, nall, t.offsets,
						 (uint64_t)NUM_SYMS_MAX * 4)) {
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "kallsyms_num_syms at %#" PRIx64 ": %" PRIu32
				       " offsets do not fit in kallsyms_offsets at %#" PRIx64
				       " before the next table",
				       t.num_syms, num_syms, t.offsets);
		goto out;
	}
	offsets = malloc((size_t)num_syms * 4);
	if (!offsets) {
		err = vmt_error_wrap(&vmt_enomem, "kallsyms_offsets at %#" PRIx64
				     " (%" PRIu32 " entries)", t.offsets, num_syms);
		goto out;
	}
	err = read(arg, t.offsets, offsets, (size_t)num_syms * 4);
	if (err) {
		err = vmt_error_wrap(err, "kallsyms_offsets at %#" PRIx64
				     " (%" PRIu32 " entries)",
				     t.offsets, num_syms);
		goto out;
	}
	// KALLSYMS_ABSOLUTE_PERCPU is not exported. With it, text symbols
	// (most of the table) have negative offsets; without it, offsets are
	// small unsigned distances from _text. So a majority of negative
	// values means the absolute-percpu encoding.
	for (uint32_t i = 0; i < num_syms; i++)
		nneg += (int32_t)load_le32(offsets + 4 * (size_t)i) < 0;
	absolute_percpu = nneg > num_syms / 2;

	nr.read = read;
	nr.arg = arg;
	nr.start = t.names;
	nr.limit = table_limit(all, nall, t.names, NAMES_MAX_BYTES);
	nr.buf = malloc(CHUNK);
	if (!nr.buf) {
		err = &vmt_enomem;
		goto out;
	}

	for (uint32_t i = 0, expanded = 0; i < num_syms; i++) {
		char name[KSYM_NAME_MAX + 1];
		size_t name_len = 0;
		uint64_t sym_off = off;
		uint32_t len;
		uint8_t b;
		int32_t o;
		uint64_t addr;
		char type = 0;

		err = names_byte(&nr, off++, &b);
		if (err)
			goto out;
		len = b;
		if (b & 0x80) {
			err = names_byte(&nr, off++, &b);
			if (err)
				goto out;
			len = (len & 0x7f) | (uint32_t)b << 7;
		}
		if (len == 0) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "kallsyms_names at %#" PRIx64
					       ": symbol %" PRIu32
					       " at %#" PRIx64 " is empty",
					       t.names, i, t.names + sym_off);
			goto out;
		}
		for (uint32_t k = 0; k < len; k++) {
			const char *tok;

			err = names_byte(&nr, off++, &b);
			if (err)
				goto out;
			for (tok = token_table + token_index[b]; *tok; tok++) {
				if (!type) {
					type = *tok;
					continue;
				}
				if (name_len >= KSYM_NAME_MAX) {
					err = vmt_error_format(
						VMT_ERROR_BAD_DATA,
						"kallsyms_names at %#" PRIx64
						": symbol %" PRIu32
						" at %#" PRIx64
						" longer than %d bytes",
						t.names, i, t.names + sym_off,
						KSYM_NAME_MAX);
					goto out;
				}
				name[name_len++] = *tok;
			}
		}
		name[name_len] = '\0';
		expanded += name_len;
		if (expanded > NAMES_EXPANDED_MAX) {
			err = vmt_error_format(
				VMT_ERROR_BAD_DATA,
				"kallsyms_names at %#" PRIx64 ": the names of %" PRIu32
				" symbols expand to more than %u bytes",
				t.names, i + 1, NAMES_EXPANDED_MAX);
			goto out;
		}
		if (!type || !name_len) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "kallsyms_names at %#" PRIx64
					       ": symbol %" PRIu32
					       " at %#" PRIx64
					       " has no type or name",
					       t.names, i, t.names + sym_off);
			goto out;
		}

		o = (int32_t)load_le32(offsets + 4 * (size_t)i);
		if (!absolute_percpu)
			addr = relative_base + (uint32_t)o;
		else if (o >= 0)
			addr = (uint64_t)o;
		else
			addr = relative_base - 1 - (int64_t)o;
		err = symtab_add(tab, name, addr, 0, type);
		if (err)
			goto out;
	}
	err = symtab_finish(tab);
out:
	if (err) // leave the table as it was given
		symtab_truncate(tab, start_nr);
	free(nr.buf);
	free(offsets);
	free(token_table);
	return err;
}
