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

#include "base/bigmem.h"
#include "base/bytes.h"
#include "debuginfo/debuginfo.h"

// A name longer than this is corrupt (KSYM_NAME_LEN is 512 in 6.1+).
#define KSYM_NAME_MAX 512
// Upper bounds for tables whose end is not exported.
#define NAMES_MAX_BYTES (64u << 20)
#define TOKEN_TABLE_MAX_BYTES (1u << 20)
#define NUM_SYMS_MAX (16u << 20)
#define CHUNK (64u << 10)

// The names table, read forward in chunks as the load walks it, and kept
// (with the tokens) to decode names later.
struct names_buf {
	read_kvirt_fn *read;
	void *arg;
	uint64_t start;  // kallsyms_names
	uint64_t limit;  // bytes that may belong to the table
	const uint8_t *data;
	uint8_t *owned;  // data when read (else data is in place)
	uint64_t len;    // bytes read so far (all of limit in place)
};

// Make table bytes [0, @p end) available.
static struct vmt_error *names_need(struct names_buf *nb, uint64_t end)
{
	struct vmt_error *err;
	uint64_t want;
	uint8_t *n;

	if (end <= nb->len)
		return NULL;
	if (end > nb->limit)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"kallsyms_names at %#" PRIx64
					": runs past %#" PRIx64,
					nb->start, nb->start + nb->limit);
	want = (end + CHUNK - 1) / CHUNK * CHUNK;
	if (want > nb->limit)
		want = nb->limit;
	n = bigmem_realloc(nb->owned, (size_t)want);
	if (!n)
		return &vmt_enomem;
	nb->data = nb->owned = n;
	err = nb->read(nb->arg, nb->start + nb->len, n + nb->len,
		       (size_t)(want - nb->len));
	if (err)
		return vmt_error_wrap(err, "kallsyms_names at %#" PRIx64,
				      nb->start);
	nb->len = want;
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

// What a name needs to be decoded later: the names table, where each
// symbol's entry starts, and the tokens.
struct kallsyms_names {
	const uint8_t *names;
	uint8_t *names_owned; // names, unless they are used in place
	uint32_t *entry; // [symbol]: offset of its length byte
	size_t first;    // symtab index of symbol 0
	size_t nr;
	char *token_table;
	uint16_t token_index[256];
};

static void names_destroy(void *arg)
{
	struct kallsyms_names *kn = arg;

	bigmem_free(kn->names_owned);
	bigmem_free(kn->entry);
	free(kn->token_table);
	free(kn);
}

// symtab_lazy decode: expand the tokens of one symbol (checked at load),
// dropping the type letter that starts the expansion.
static bool names_decode(void *arg, size_t index, char *buf, size_t size)
{
	const struct kallsyms_names *kn = arg;
	const uint8_t *p;
	uint32_t len;
	size_t n = 0;
	bool type = false;

	if (index < kn->first || index - kn->first >= kn->nr)
		return false;
	p = kn->names + kn->entry[index - kn->first];
	len = *p++;
	if (len & 0x80)
		len = (len & 0x7f) | (uint32_t)*p++ << 7;
	for (uint32_t k = 0; k < len; k++) {
		for (const char *tok = kn->token_table + kn->token_index[p[k]];
		     *tok; tok++) {
			if (!type) {
				type = true;
				continue;
			}
			if (n + 1 >= size)
				return false;
			buf[n++] = *tok;
		}
	}
	buf[n] = '\0';
	return true;
}

// Per token: its expansion's length and symtab_hash() pieces, for the
// whole token and without its first byte (the type letter, when it starts
// a symbol).
struct token_hash {
	uint32_t len;
	uint64_t hash, pow;         // of the whole expansion
	uint64_t tail_hash, tail_pow; // of the expansion minus its first byte
};

static void hash_tokens(const char *table, const uint16_t index[256],
			struct token_hash th[256])
{
	for (int t = 0; t < 256; t++) {
		const char *tok = table + index[t];
		uint64_t h = 0, pow = 1;
		uint32_t len = 0;

		for (; tok[len]; len++) {
			if (len == 1) {
				th[t].tail_hash = 0;
				th[t].tail_pow = 1;
			}
			if (len >= 1) {
				th[t].tail_hash = th[t].tail_hash *
							  SYMTAB_HASH_MUL +
						  (unsigned char)tok[len];
				th[t].tail_pow *= SYMTAB_HASH_MUL;
			}
			h = h * SYMTAB_HASH_MUL + (unsigned char)tok[len];
			pow *= SYMTAB_HASH_MUL;
		}
		if (len <= 1) {
			th[t].tail_hash = 0;
			th[t].tail_pow = 1;
		}
		th[t].len = len;
		th[t].hash = h;
		th[t].pow = pow;
	}
}

struct vmt_error *kallsyms_load(read_kvirt_fn *read, map_kvirt_fn *map,
				void *arg, const struct vmcoreinfo *vi,
				struct symtab *tab)
{
	struct kallsyms_tables t;
	struct names_buf nb = { 0 };
	struct kallsyms_names *kn = NULL;
	struct symtab_lazy *lazy = NULL;
	struct token_hash th[256];
	uint8_t *offsets = NULL;
	const uint8_t *offs = NULL; // the offsets table, read or in place
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

	kn = calloc(1, sizeof(*kn));
	lazy = calloc(1, sizeof(*lazy));
	if (!kn || !lazy) {
		err = &vmt_enomem;
		goto out;
	}
	token_table_len = table_limit(all, nall, t.token_table,
				      TOKEN_TABLE_MAX_BYTES);
	err = read_tokens(read, arg, &t, token_table_len, kn->token_index,
			  &kn->token_table);
	if (err)
		goto out;
	hash_tokens(kn->token_table, kn->token_index, th);

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
	// In place where the dump has the table in one piece (a mapped ELF
	// file): neither copied nor faulted in twice.
	if (map)
		offs = map(arg, t.offsets, (size_t)num_syms * 4);
	if (!offs)
		offs = offsets = bigmem_alloc((size_t)num_syms * 4);
	kn->entry = bigmem_alloc((size_t)num_syms * sizeof(*kn->entry));
	if (!offs || !kn->entry) {
		err = vmt_error_wrap(&vmt_enomem, "kallsyms_offsets at %#" PRIx64
				     " (%" PRIu32 " entries)", t.offsets, num_syms);
		goto out;
	}
	// num_syms fits the tables (checked above): the table's room at once.
	err = symtab_reserve(tab, num_syms);
	if (!err && offsets)
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
		nneg += (int32_t)load_le32(offs + 4 * (size_t)i) < 0;
	absolute_percpu = nneg > num_syms / 2;

	nb.read = read;
	nb.arg = arg;
	nb.start = t.names;
	nb.limit = table_limit(all, nall, t.names, NAMES_MAX_BYTES);
	if (map && (nb.data = map(arg, t.names, (size_t)nb.limit)))
		nb.len = nb.limit;

	// One pass over the names: each is checked and hashed from its
	// tokens' hashes, never written out (symtab_lazy decodes the few a
	// command returns).
	for (uint32_t i = 0; i < num_syms; i++) {
		uint64_t sym_off = off, h = 0, addr;
		uint32_t len, name_len = 0, k;
		const uint8_t *p;
		char type = 0;
		int32_t o;

		// Two bytes at most for the length; the table is read ahead
		// in chunks, so this rarely calls out.
		if (off + 2 > nb.len) {
			err = names_need(&nb, off + 1);
			if (!err && (nb.data[off] & 0x80))
				err = names_need(&nb, off + 2);
			if (err)
				goto out;
		}
		len = nb.data[off++];
		if (len & 0x80)
			len = (len & 0x7f) | (uint32_t)nb.data[off++] << 7;
		if (len == 0) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "kallsyms_names at %#" PRIx64
					       ": symbol %" PRIu32
					       " at %#" PRIx64 " is empty",
					       t.names, i, t.names + sym_off);
			goto out;
		}
		if (off + len > nb.len) {
			err = names_need(&nb, off + len);
			if (err)
				goto out;
		}
		p = nb.data + off;
		// The expansion starts with the type letter (after any empty
		// token).
		k = 0;
		while (k < len && !th[p[k]].len)
			k++;
		if (k < len) {
			type = kn->token_table[kn->token_index[p[k]]];
			h = th[p[k]].tail_hash;
			name_len = th[p[k]].len - 1;
			k++;
		}
		for (; k < len; k++) {
			const struct token_hash *tk = &th[p[k]];

			h = h * tk->pow + tk->hash;
			name_len += tk->len;
		}
		if (name_len > KSYM_NAME_MAX) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "kallsyms_names at %#" PRIx64
					       ": symbol %" PRIu32
					       " at %#" PRIx64
					       " longer than %d bytes",
					       t.names, i, t.names + sym_off,
					       KSYM_NAME_MAX);
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
		kn->entry[i] = (uint32_t)sym_off;
		off += len;

		o = (int32_t)load_le32(offs + 4 * (size_t)i);
		if (!absolute_percpu)
			addr = relative_base + (uint32_t)o;
		else if (o >= 0)
			addr = (uint64_t)o;
		else
			addr = relative_base - 1 - (int64_t)o;
		err = symtab_add_lazy(tab, h, addr, 0, type);
		if (err)
			goto out;
	}
	kn->names = nb.data;
	kn->names_owned = nb.owned;
	nb.owned = NULL;
	kn->first = start_nr;
	kn->nr = num_syms;
	lazy->decode = names_decode;
	lazy->destroy = names_destroy;
	lazy->arg = kn;
	symtab_set_lazy(tab, lazy);
	kn = NULL;
	lazy = NULL;
	err = symtab_finish(tab);
out:
	if (err) // leave the table as it was given
		symtab_truncate(tab, start_nr);
	if (kn)
		names_destroy(kn);
	free(lazy);
	bigmem_free(nb.owned);
	bigmem_free(offsets);
	return err;
}
