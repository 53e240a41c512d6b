// mkvmcore: build an arm64 ELF or kdump-compressed dump from a text spec,
// so tests can make corner cases on demand. Standalone: links only the
// compression libraries, never libvmtool, so it is an independent writer.
//
// Usage: mkvmcore SPEC OUT     (split dumps write OUT.1 .. OUT.N)
//
// The formats follow /work/shared/ARM64-REFERENCE.md §2.8 (disk_dump_header,
// kdump_sub_header, bitmaps, 24-byte page_desc, flattened records) and the
// ELF core conventions of the kernel's /proc/vmcore and QEMU (PT_NOTE, then
// one PT_LOAD per contiguous run, p_vaddr = p_paddr).
//
// On success it prints the layout of each file it wrote, one line per file:
//   file PATH size N header 0 sub_header O vmcoreinfo O notes O bitmap1 O
//   bitmap2 O desc O data O
// (ELF: file PATH size N header 0 phdrs O notes O data O).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

// The layout constants are shared with vmtool's writer (a header of
// constants only: mkvmcore still links nothing of libvmtool).
#include "dump/kdump_format.h"

// page_desc.flags and header status bits (ARM64-REFERENCE.md §2.8).
#define DUMP_DH_COMPRESSED_ZLIB KDUMP_COMPRESSED_ZLIB
#define DUMP_DH_COMPRESSED_LZO KDUMP_COMPRESSED_LZO
#define DUMP_DH_COMPRESSED_SNAPPY KDUMP_COMPRESSED_SNAPPY
#define DUMP_DH_COMPRESSED_INCOMPLETE KDUMP_COMPRESSED_INCOMPLETE
#define DUMP_DH_COMPRESSED_ZSTD KDUMP_COMPRESSED_ZSTD

#define DISK_DUMP_HEADER_SIZE KDUMP_DH_SIZE // through nr_cpus
#define SUB_HEADER_SIZE KDUMP_SH_SIZE       // through max_mapnr_64 (version 6)
#define PAGE_DESC_SIZE KDUMP_PD_SIZE
#define PRSTATUS_SIZE KDUMP_PRSTATUS_SIZE // aarch64 struct elf_prstatus
#define PRSTATUS_PID KDUMP_PRSTATUS_PID
#define PRSTATUS_REG KDUMP_PRSTATUS_REG
#define NT_PRSTATUS 1
#define EM_AARCH64 183
#define MAX_MAPNR_LIMIT (1ULL << 24)

enum comp { C_NONE, C_ZLIB, C_LZO, C_SNAPPY, C_ZSTD, C_MIXED };

enum page_kind {
	P_HOLE,
	P_DEFAULT, // word at each address = paddr ^ 0x5a5a5a5a5a5a5a5a
	P_PATTERN, // word i = pattern ^ i
	P_BYADDR,  // word = its own paddr
	P_ZERO,
	P_EXCLUDE,
	P_LOST,
	P_FLAG,   // default content, descriptor flags = param
	P_RANDOM, // incompressible bytes from param as a seed
};

enum corrupt_kind { K_TRUNCATE, K_DESC_SIZE, K_DESC_OFFSET, K_FLAT_BAD,
		    K_FLAT_NEGATIVE, K_FLAT_NO_END };

struct corrupt {
	enum corrupt_kind kind;
	uint64_t pfn;
	uint64_t value;
	char section[16]; // truncate: "" = absolute, else a layout name
	int64_t delta;
};

struct spec {
	bool elf;
	bool flattened;
	int split;
	uint32_t block_size;
	int header_version;
	enum comp comp;
	bool incomplete;
	bool big_endian;
	char *vmcoreinfo;
	size_t vmcoreinfo_len;
	bool no_vmcoreinfo;
	int cpus;
	uint64_t elf_memsz_extra;
	bool elf_incomplete;
	uint64_t seed;
	uint64_t tv_sec, tv_usec;
	char nodename[65];
	char machine[65];
	char release[65];
	uint64_t phys_base;
	int dump_level;
	uint64_t max_mapnr;
	uint8_t *kind;   // per PFN
	uint64_t *param; // per PFN
	struct corrupt corrupts[32];
	int nr_corrupts;
};

struct buf {
	uint8_t *data;
	size_t len, cap;
};

static const char *spec_path;
static int spec_line;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkvmcore: ");
	if (spec_line)
		fprintf(stderr, "%s:%d: ", spec_path, spec_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

// Room for @p len bytes at @p off; grows and zero-fills.
static uint8_t *buf_at(struct buf *b, size_t off, size_t len)
{
	size_t end = off + len;

	if (end > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;

		while (cap < end)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (!b->data)
			die("out of memory");
		memset(b->data + b->cap, 0, cap - b->cap);
		b->cap = cap;
	}
	if (end > b->len)
		b->len = end;
	return b->data + off;
}

static void buf_put(struct buf *b, size_t off, const void *p, size_t len)
{
	memcpy(buf_at(b, off, len), p, len);
}

static bool big;

static void put16(uint8_t *p, uint16_t v)
{
	for (int i = 0; i < 2; i++)
		p[big ? 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[big ? 7 - i : i] = (uint8_t)(v >> (8 * i));
}

static void put64be(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[7 - i] = (uint8_t)(v >> (8 * i));
}

// xorshift64*: reproducible from the spec's seed.
static uint64_t rng_next(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	return rng_next(&rng_state);
}

static uint64_t parse_u64(const char *s)
{
	char *end;
	uint64_t v;

	if (!s)
		die("missing number");
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s)
		die("bad number '%s'", s);
	return v;
}

static bool parse_bool(const char *s)
{
	if (s && (!strcmp(s, "yes") || !strcmp(s, "1") || !strcmp(s, "true")))
		return true;
	if (s && (!strcmp(s, "no") || !strcmp(s, "0") || !strcmp(s, "false")))
		return false;
	die("expected yes or no, got '%s'", s ? s : "");
}

// Deferred page directives: applied once block size and RAM are known.
struct directive {
	int line;
	bool fill;
	uint64_t addr, size;
	enum page_kind kind;
	uint64_t param;
};

struct range {
	uint64_t start, size;
};

static void set_page(struct spec *s, uint64_t addr, enum page_kind kind,
		     uint64_t param)
{
	uint64_t pfn = addr / s->block_size;

	if (pfn >= s->max_mapnr || s->kind[pfn] == P_HOLE)
		die("page %#" PRIx64 " is not in a RAM range", addr);
	s->kind[pfn] = (uint8_t)kind;
	s->param[pfn] = param;
}

static void read_spec(const char *path, struct spec *s)
{
	struct directive *dirs = NULL;
	struct range *rams = NULL;
	size_t nr_dirs = 0, nr_rams = 0, vlen = 0;
	char line[4096];
	FILE *f = fopen(path, "r");

	if (!f)
		die("%s: %s", path, strerror(errno));
	spec_path = path;
	s->block_size = 4096;
	s->header_version = 6;
	s->comp = C_ZLIB;
	s->cpus = 2;
	s->seed = 1;
	s->tv_sec = 1700000000;
	strcpy(s->nodename, "mkvmcore");
	strcpy(s->machine, "aarch64");
	strcpy(s->release, "6.12.0-mkvmcore");
	s->vmcoreinfo = xcalloc(1, 1);

	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *save, *key, *a, *b, *c, *d;

		spec_line++;
		// "vmcoreinfo" keeps the rest of the line verbatim (it may
		// hold '#'? no: VMCOREINFO never does, so strip comments).
		if (hash)
			*hash = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		key = strtok_r(line, " \t", &save);
		if (!key)
			continue;
		if (!strcmp(key, "vmcoreinfo")) {
			char *text = save + strspn(save, " \t");
			size_t n = strlen(text);

			while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
				text[--n] = '\0';
			if (!strcmp(text, "none")) {
				s->no_vmcoreinfo = true;
				continue;
			}
			s->vmcoreinfo = realloc(s->vmcoreinfo, vlen + n + 2);
			if (!s->vmcoreinfo)
				die("out of memory");
			memcpy(s->vmcoreinfo + vlen, text, n);
			vlen += n;
			s->vmcoreinfo[vlen++] = '\n';
			s->vmcoreinfo[vlen] = '\0';
			if (!strncmp(text, "OSRELEASE=", 10))
				snprintf(s->release, sizeof(s->release), "%s",
					 text + 10);
			continue;
		}
		a = strtok_r(NULL, " \t", &save);
		b = strtok_r(NULL, " \t", &save);
		c = strtok_r(NULL, " \t", &save);
		d = strtok_r(NULL, " \t", &save);
		if (!strcmp(key, "format")) {
			if (a && !strcmp(a, "elf"))
				s->elf = true;
			else if (a && !strcmp(a, "kdump"))
				s->elf = false;
			else
				die("format: elf or kdump");
		} else if (!strcmp(key, "flattened")) {
			s->flattened = parse_bool(a);
		} else if (!strcmp(key, "split")) {
			s->split = (int)parse_u64(a);
			if (s->split < 1 || s->split > 16)
				die("split: 1 to 16 parts");
		} else if (!strcmp(key, "block_size")) {
			uint64_t v = parse_u64(a);

			if (v < 1024 || v > (1 << 20) || (v & (v - 1)))
				die("block_size: a power of two, 1K to 1M");
			s->block_size = (uint32_t)v;
		} else if (!strcmp(key, "header_version")) {
			s->header_version = (int)parse_u64(a);
			if (s->header_version < 1 || s->header_version > 6)
				die("header_version: 1 to 6");
		} else if (!strcmp(key, "compression")) {
			static const char *const names[] = {
				"none", "zlib", "lzo", "snappy", "zstd", "mixed"
			};
			int i;

			for (i = 0; i < 6; i++)
				if (a && !strcmp(a, names[i]))
					break;
			if (i == 6)
				die("compression: none zlib lzo snappy zstd mixed");
			s->comp = (enum comp)i;
		} else if (!strcmp(key, "incomplete")) {
			s->incomplete = parse_bool(a);
		} else if (!strcmp(key, "endian")) {
			if (a && !strcmp(a, "big"))
				s->big_endian = true;
			else if (a && !strcmp(a, "little"))
				s->big_endian = false;
			else
				die("endian: little or big");
		} else if (!strcmp(key, "cpus")) {
			s->cpus = (int)parse_u64(a);
			if (s->cpus > 64)
				die("cpus: at most 64");
		} else if (!strcmp(key, "ram")) {
			rams = realloc(rams, (nr_rams + 1) * sizeof(*rams));
			if (!rams)
				die("out of memory");
			rams[nr_rams].start = parse_u64(a);
			rams[nr_rams].size = parse_u64(b);
			nr_rams++;
		} else if (!strcmp(key, "page") || !strcmp(key, "fill")) {
			struct directive dir = { .line = spec_line };
			const char *what;

			dir.fill = key[0] == 'f';
			dir.addr = parse_u64(a);
			if (dir.fill) {
				dir.size = parse_u64(b);
				what = c;
				c = d;
			} else {
				what = b;
			}
			if (!what)
				die("%s: what kind of page?", key);
			if (!strcmp(what, "pattern")) {
				dir.kind = P_PATTERN;
				dir.param = parse_u64(c);
			} else if (!strcmp(what, "pattern-by-address")) {
				dir.kind = P_BYADDR;
			} else if (!strcmp(what, "default")) {
				dir.kind = P_DEFAULT;
			} else if (!strcmp(what, "zero")) {
				dir.kind = P_ZERO;
			} else if (!strcmp(what, "exclude")) {
				dir.kind = P_EXCLUDE;
			} else if (!strcmp(what, "lost")) {
				dir.kind = P_LOST;
			} else if (!strcmp(what, "flag")) {
				dir.kind = P_FLAG;
				dir.param = parse_u64(c);
			} else if (!strcmp(what, "random")) {
				dir.kind = P_RANDOM;
				dir.param = c ? parse_u64(c) : dir.addr;
			} else {
				die("unknown page kind '%s'", what);
			}
			dirs = realloc(dirs, (nr_dirs + 1) * sizeof(*dirs));
			if (!dirs)
				die("out of memory");
			dirs[nr_dirs++] = dir;
		} else if (!strcmp(key, "elf_memsz_extra")) {
			s->elf_memsz_extra = parse_u64(a);
		} else if (!strcmp(key, "elf_incomplete")) {
			s->elf_incomplete = parse_bool(a);
		} else if (!strcmp(key, "seed")) {
			s->seed = parse_u64(a);
		} else if (!strcmp(key, "timestamp")) {
			s->tv_sec = parse_u64(a);
			s->tv_usec = b ? parse_u64(b) : 0;
		} else if (!strcmp(key, "nodename")) {
			snprintf(s->nodename, sizeof(s->nodename), "%s", a ? a : "");
		} else if (!strcmp(key, "machine")) {
			snprintf(s->machine, sizeof(s->machine), "%s", a ? a : "");
		} else if (!strcmp(key, "phys_base")) {
			s->phys_base = parse_u64(a);
		} else if (!strcmp(key, "dump_level")) {
			s->dump_level = (int)parse_u64(a);
		} else if (!strcmp(key, "max_mapnr")) {
			s->max_mapnr = parse_u64(a);
		} else if (!strcmp(key, "corrupt")) {
			struct corrupt *k;

			if (s->nr_corrupts == 32)
				die("too many corrupt lines");
			k = &s->corrupts[s->nr_corrupts++];
			if (a && !strcmp(a, "truncate")) {
				k->kind = K_TRUNCATE;
				if (b && c) {
					snprintf(k->section, sizeof(k->section),
						 "%s", b);
					k->delta = strtoll(c, NULL, 0);
				} else {
					k->value = parse_u64(b);
				}
			} else if (a && !strcmp(a, "desc_size")) {
				k->kind = K_DESC_SIZE;
				k->pfn = parse_u64(b);
				k->value = parse_u64(c);
			} else if (a && !strcmp(a, "desc_offset")) {
				k->kind = K_DESC_OFFSET;
				k->pfn = parse_u64(b);
				k->value = parse_u64(c);
			} else if (a && !strcmp(a, "flat_record")) {
				if (b && !strcmp(b, "bad"))
					k->kind = K_FLAT_BAD;
				else if (b && !strcmp(b, "negative"))
					k->kind = K_FLAT_NEGATIVE;
				else if (b && !strcmp(b, "no_end"))
					k->kind = K_FLAT_NO_END;
				else
					die("flat_record: bad, negative or no_end");
			} else {
				die("corrupt: truncate, desc_size, desc_offset or flat_record");
			}
		} else {
			die("unknown key '%s'", key);
		}
	}
	fclose(f);
	spec_line = 0;
	s->vmcoreinfo_len = vlen;
	if (!vlen) {
		// A minimal, plausible note unless the spec says "none".
		free(s->vmcoreinfo);
		if (asprintf(&s->vmcoreinfo, "OSRELEASE=%s\nPAGESIZE=%u\n",
			     s->release, s->block_size) < 0)
			die("out of memory");
		s->vmcoreinfo_len = strlen(s->vmcoreinfo);
	}
	if (s->no_vmcoreinfo)
		s->vmcoreinfo_len = 0;

	if (!nr_rams)
		die("%s: no ram range", path);
	if (!s->max_mapnr) {
		for (size_t i = 0; i < nr_rams; i++) {
			uint64_t end = (rams[i].start + rams[i].size +
					s->block_size - 1) / s->block_size;

			if (end > s->max_mapnr)
				s->max_mapnr = end;
		}
	}
	if (s->max_mapnr > MAX_MAPNR_LIMIT)
		die("max_mapnr %#" PRIx64 " too large for mkvmcore", s->max_mapnr);
	s->kind = xcalloc(s->max_mapnr, 1);
	s->param = xcalloc(s->max_mapnr, sizeof(uint64_t));
	for (size_t i = 0; i < nr_rams; i++) {
		if (rams[i].start % s->block_size || rams[i].size % s->block_size)
			die("ram %#" PRIx64 " %#" PRIx64 ": not block aligned",
			    rams[i].start, rams[i].size);
		for (uint64_t pfn = rams[i].start / s->block_size;
		     pfn < (rams[i].start + rams[i].size) / s->block_size; pfn++) {
			if (pfn >= s->max_mapnr)
				die("ram beyond max_mapnr");
			s->kind[pfn] = P_DEFAULT;
		}
	}
	for (size_t i = 0; i < nr_dirs; i++) {
		struct directive *dir = &dirs[i];

		spec_line = dir->line;
		if (!dir->fill) {
			set_page(s, dir->addr, dir->kind, dir->param);
			continue;
		}
		for (uint64_t a = dir->addr; a < dir->addr + dir->size;
		     a += s->block_size)
			set_page(s, a, dir->kind, dir->param);
	}
	spec_line = 0;
	free(dirs);
	free(rams);
}

// The bytes of the page (block) at @p pfn, as the dumped machine held them.
static void fill_page(const struct spec *s, uint64_t pfn, uint8_t *out)
{
	uint64_t paddr = pfn * s->block_size;
	size_t words = s->block_size / 8;
	uint64_t state = s->param[pfn] | 1;

	for (size_t i = 0; i < words; i++) {
		uint64_t a = paddr + i * 8, w;

		switch (s->kind[pfn]) {
		case P_PATTERN:
			w = s->param[pfn] ^ i;
			break;
		case P_BYADDR:
			w = a;
			break;
		case P_ZERO:
			w = 0;
			break;
		case P_RANDOM:
			w = rng_next(&state);
			break;
		default:
			w = a ^ 0x5a5a5a5a5a5a5a5aULL;
			break;
		}
		put64(out + i * 8, w);
	}
}

static uint32_t comp_flag(enum comp c)
{
	switch (c) {
	case C_ZLIB:
		return DUMP_DH_COMPRESSED_ZLIB;
	case C_LZO:
		return DUMP_DH_COMPRESSED_LZO;
	case C_SNAPPY:
		return DUMP_DH_COMPRESSED_SNAPPY;
	case C_ZSTD:
		return DUMP_DH_COMPRESSED_ZSTD;
	default:
		return 0;
	}
}

// Compress @p in with @p c into @p out (capacity 2 * len + 4096); 0 if
// the result would not be smaller (the page is then stored raw).
static size_t compress_page(enum comp c, const uint8_t *in, size_t len,
			    uint8_t *out, size_t cap)
{
	switch (c) {
	case C_ZLIB: {
		uLongf n = cap;

		if (compress2(out, &n, in, len, Z_BEST_SPEED) != Z_OK)
			die("zlib compress2 failed");
		return n < len ? n : 0;
	}
	case C_LZO:
#ifdef HAVE_LZO
	{
		static uint8_t wrkmem[LZO1X_1_MEM_COMPRESS];
		lzo_uint n = cap;

		if (lzo_init() != LZO_E_OK ||
		    lzo1x_1_compress(in, len, out, &n, wrkmem) != LZO_E_OK)
			die("lzo1x_1_compress failed");
		return n < len ? n : 0;
	}
#else
		die("built without LZO");
#endif
	case C_SNAPPY:
#ifdef HAVE_SNAPPY
	{
		size_t n = cap;

		if (snappy_compress((const char *)in, len, (char *)out, &n) !=
		    SNAPPY_OK)
			die("snappy_compress failed");
		return n < len ? n : 0;
	}
#else
		die("built without snappy");
#endif
	case C_ZSTD:
#ifdef HAVE_ZSTD
	{
		size_t n = ZSTD_compress(out, cap, in, len, 1);

		if (ZSTD_isError(n))
			die("ZSTD_compress: %s", ZSTD_getErrorName(n));
		return n < len ? n : 0;
	}
#else
		die("built without zstd");
#endif
	default:
		return 0;
	}
}

static size_t put_note(struct buf *b, size_t off, const char *name,
		       uint32_t type, const void *desc, size_t desc_len)
{
	size_t namesz = strlen(name) + 1;
	uint8_t *p = buf_at(b, off, 12);

	put32(p, (uint32_t)namesz);
	put32(p + 4, (uint32_t)desc_len);
	put32(p + 8, type);
	off += 12;
	buf_put(b, off, name, namesz);
	off += (namesz + 3) & ~(size_t)3;
	if (desc_len)
		buf_put(b, off, desc, desc_len);
	off += (desc_len + 3) & ~(size_t)3;
	buf_at(b, 0, off); // padding is part of the note area
	return off;
}

// NT_PRSTATUS for each CPU, then VMCOREINFO, like /proc/vmcore; returns
// the end offset.
static size_t put_notes(const struct spec *s, struct buf *b, size_t off)
{
	for (int cpu = 0; cpu < s->cpus; cpu++) {
		uint8_t pr[PRSTATUS_SIZE] = { 0 };

		put32(pr + PRSTATUS_PID, (uint32_t)cpu + 1);
		// x0..x30, sp, pc, pstate: recognizable per CPU and register.
		for (int r = 0; r < 34; r++)
			put64(pr + PRSTATUS_REG + r * 8,
			      0xc0de000000000000ULL | (uint64_t)cpu << 16 |
				      (uint64_t)r);
		off = put_note(b, off, "CORE", NT_PRSTATUS, pr, sizeof(pr));
	}
	if (s->vmcoreinfo_len)
		off = put_note(b, off, "VMCOREINFO", 0, s->vmcoreinfo,
			       s->vmcoreinfo_len);
	return off;
}

static bool page_in_elf(const struct spec *s, uint64_t pfn)
{
	switch (s->kind[pfn]) {
	case P_HOLE:
	case P_EXCLUDE:
	case P_LOST:
		return false;
	default:
		return true;
	}
}

static void write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		die("%s: %s", path, strerror(errno));
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		die("%s: write failed", path);
	if (fclose(f))
		die("%s: %s", path, strerror(errno));
}

struct layout {
	const char *names[12];
	uint64_t offs[12];
	int n;
};

static void layout_add(struct layout *l, const char *name, uint64_t off)
{
	l->names[l->n] = name;
	l->offs[l->n++] = off;
}

static void build_elf(const struct spec *s, struct buf *b, struct layout *l)
{
	uint64_t bs = s->block_size, nr_loads = 0;
	size_t phoff = 64, notes_off, notes_end, data_off;
	uint8_t *eh;

	for (uint64_t pfn = 0; pfn < s->max_mapnr; pfn++)
		if (page_in_elf(s, pfn) &&
		    (pfn == 0 || !page_in_elf(s, pfn - 1)))
			nr_loads++;
	notes_off = phoff + (1 + nr_loads) * 56;
	notes_end = put_notes(s, b, notes_off);
	data_off = (notes_end + bs - 1) / bs * bs;
	layout_add(l, "header", 0);
	layout_add(l, "phdrs", phoff);
	layout_add(l, "notes", notes_off);
	layout_add(l, "data", data_off);

	eh = buf_at(b, 0, 64);
	memcpy(eh, "\177ELF", 4);
	eh[4] = 2; // ELFCLASS64
	eh[5] = s->big_endian ? 2 : 1;
	eh[6] = 1; // EV_CURRENT
	put16(eh + 16, 4); // ET_CORE
	put16(eh + 18, EM_AARCH64);
	put32(eh + 20, 1);
	put64(eh + 32, phoff);
	put32(eh + 48, s->elf_incomplete ? 1 : 0); // DUMP_ELF_INCOMPLETE
	put16(eh + 52, 64);
	put16(eh + 54, 56);
	put16(eh + 56, (uint16_t)(1 + nr_loads));

	uint8_t *ph = buf_at(b, phoff, 56);
	put32(ph, 4); // PT_NOTE
	put64(ph + 8, notes_off);
	put64(ph + 32, notes_end - notes_off);
	put64(ph + 40, notes_end - notes_off);

	size_t idx = 1, off = data_off;
	uint8_t *page = xcalloc(1, bs);
	for (uint64_t pfn = 0; pfn < s->max_mapnr;) {
		uint64_t start = pfn, end, extra, gap;

		if (!page_in_elf(s, pfn)) {
			pfn++;
			continue;
		}
		while (pfn < s->max_mapnr && page_in_elf(s, pfn)) {
			fill_page(s, pfn, page);
			buf_put(b, off + (pfn - start) * bs, page, bs);
			pfn++;
		}
		end = pfn;
		// p_memsz beyond p_filesz reads as zeros; keep it out of
		// the next run.
		for (gap = end; gap < s->max_mapnr && !page_in_elf(s, gap);)
			gap++;
		extra = s->elf_memsz_extra;
		if (gap < s->max_mapnr && extra > (gap - end) * bs)
			extra = (gap - end) * bs;
		ph = buf_at(b, phoff + idx * 56, 56);
		put32(ph, 1); // PT_LOAD
		put32(ph + 4, 7);
		put64(ph + 8, off);
		put64(ph + 16, start * bs);
		put64(ph + 24, start * bs);
		put64(ph + 32, (end - start) * bs);
		put64(ph + 40, (end - start) * bs + extra);
		put64(ph + 48, 0);
		off += (end - start) * bs;
		idx++;
	}
	free(page);
	buf_at(b, 0, off);
}

static bool in_bitmap2(const struct spec *s, uint64_t pfn)
{
	return s->kind[pfn] != P_HOLE && s->kind[pfn] != P_EXCLUDE;
}

// One kdump-compressed file holding PFNs [start_pfn, end_pfn) of bitmap 2.
static void build_kdump(const struct spec *s, struct buf *b, struct layout *l,
			int part, uint64_t start_pfn, uint64_t end_pfn)
{
	uint64_t bs = s->block_size, nr_descs = 0, desc_off, data_off, zero_off = 0;
	uint64_t bm_len = (s->max_mapnr + 8 * bs - 1) / (8 * bs) * bs;
	size_t sub_off = bs, vmci_off = 0, notes_off = 0, notes_end = 0, end;
	uint32_t status = 0, sub_hdr_size;
	bool have_zero = false;
	int v = s->header_version;
	uint8_t *p;

	if (!bm_len)
		bm_len = bs;
	// Sub-header blocks: the struct, then VMCOREINFO and the notes, as
	// makedumpfile lays them out.
	end = sub_off + SUB_HEADER_SIZE;
	if (v >= 3 && s->vmcoreinfo_len) {
		vmci_off = end;
		buf_put(b, vmci_off, s->vmcoreinfo, s->vmcoreinfo_len);
		end += s->vmcoreinfo_len;
	}
	if (v >= 4) {
		notes_off = end;
		notes_end = put_notes(s, b, notes_off);
		end = notes_end;
	}
	sub_hdr_size = (uint32_t)((end - sub_off + bs - 1) / bs);
	uint64_t bm1 = (1 + sub_hdr_size) * bs, bm2 = bm1 + bm_len;

	for (uint64_t pfn = 0; pfn < s->max_mapnr; pfn++) {
		if (s->kind[pfn] != P_HOLE)
			buf_at(b, bm1 + pfn / 8, 1)[0] |= (uint8_t)(1 << (pfn % 8));
		if (in_bitmap2(s, pfn) && pfn >= start_pfn && pfn < end_pfn) {
			buf_at(b, bm2 + pfn / 8, 1)[0] |= (uint8_t)(1 << (pfn % 8));
			nr_descs++;
			if (s->kind[pfn] == P_ZERO)
				have_zero = true;
		}
	}
	buf_at(b, bm2, bm_len);
	desc_off = bm2 + bm_len;
	data_off = desc_off + nr_descs * PAGE_DESC_SIZE;
	layout_add(l, "header", 0);
	layout_add(l, "sub_header", sub_off);
	layout_add(l, "vmcoreinfo", vmci_off);
	layout_add(l, "notes", notes_off);
	layout_add(l, "bitmap1", bm1);
	layout_add(l, "bitmap2", bm2);
	layout_add(l, "desc", desc_off);
	layout_add(l, "data", data_off);

	uint64_t off = data_off;
	uint8_t *page = xcalloc(1, bs), *cbuf = xcalloc(1, 2 * bs + 4096);
	if (have_zero) {
		// One shared zero-filled block that every zero page points at.
		zero_off = off;
		buf_at(b, off, bs);
		off += bs;
	}
	uint64_t di = 0, nr_stored = 0;
	for (uint64_t pfn = start_pfn; pfn < end_pfn && pfn < s->max_mapnr; pfn++) {
		uint64_t d_off = 0, d_size = 0;
		uint32_t d_flags = 0;
		enum comp c = s->comp;

		if (!in_bitmap2(s, pfn))
			continue;
		if (s->kind[pfn] == P_ZERO) {
			d_off = zero_off;
			d_size = bs;
		} else if (s->kind[pfn] == P_LOST) {
			// Never written: the descriptor stays all zeros.
		} else {
			size_t n;

			if (c == C_MIXED) {
				static const enum comp cycle[] = {
					C_ZLIB, C_LZO, C_SNAPPY, C_ZSTD, C_NONE
				};

				c = cycle[nr_stored++ % 5];
			}
			fill_page(s, pfn, page);
			n = compress_page(c, page, bs, cbuf, 2 * bs + 4096);
			if (n) {
				buf_put(b, off, cbuf, n);
				d_size = n;
				d_flags = comp_flag(c);
				status |= d_flags;
			} else {
				buf_put(b, off, page, bs);
				d_size = bs;
			}
			d_off = off;
			off += d_size;
			if (s->kind[pfn] == P_FLAG)
				d_flags = (uint32_t)s->param[pfn];
		}
		for (int k = 0; k < s->nr_corrupts; k++) {
			const struct corrupt *cr = &s->corrupts[k];

			if (cr->pfn != pfn)
				continue;
			if (cr->kind == K_DESC_SIZE)
				d_size = cr->value;
			else if (cr->kind == K_DESC_OFFSET)
				d_off = cr->value;
		}
		p = buf_at(b, desc_off + di * PAGE_DESC_SIZE, PAGE_DESC_SIZE);
		put64(p, d_off);
		put32(p + 8, (uint32_t)d_size);
		put32(p + 12, d_flags);
		put64(p + 16, 0);
		di++;
	}
	free(page);
	free(cbuf);
	buf_at(b, 0, off);

	if (s->comp != C_MIXED && s->comp != C_NONE)
		status |= comp_flag(s->comp);
	if (s->incomplete)
		status |= DUMP_DH_COMPRESSED_INCOMPLETE;

	// Block 0: disk_dump_header.
	p = buf_at(b, 0, bs);
	memcpy(p, "KDUMP   ", 8);
	put32(p + 8, (uint32_t)v);
	static const size_t uts = 12;
	snprintf((char *)p + uts, 65, "Linux");
	snprintf((char *)p + uts + 65, 65, "%s", s->nodename);
	snprintf((char *)p + uts + 130, 65, "%s", s->release);
	snprintf((char *)p + uts + 195, 65, "#1 SMP");
	snprintf((char *)p + uts + 260, 65, "%s", s->machine);
	put64(p + 408, s->tv_sec);
	put64(p + 416, s->tv_usec);
	put32(p + 424, status);
	put32(p + 428, (uint32_t)bs);
	put32(p + 432, sub_hdr_size);
	put32(p + 436, (uint32_t)(2 * bm_len / bs));
	put32(p + 440, s->max_mapnr > UINT32_MAX ? UINT32_MAX
						  : (uint32_t)s->max_mapnr);
	put32(p + 444, 0);
	put32(p + 448, 0);
	put32(p + 452, 0);
	put32(p + 456, 0);
	put32(p + 460, (uint32_t)s->cpus);

	// Block 1: kdump_sub_header, only the fields this version has.
	p = buf_at(b, sub_off, SUB_HEADER_SIZE);
	put64(p, s->phys_base);
	put32(p + 8, (uint32_t)s->dump_level);
	if (v >= 2 && s->split > 1) {
		put32(p + 12, 1);
		put64(p + 16, start_pfn);
		put64(p + 24, end_pfn);
	}
	if (v >= 3 && vmci_off) {
		put64(p + 32, vmci_off);
		put64(p + 40, s->vmcoreinfo_len);
	}
	if (v >= 4) {
		put64(p + 48, notes_off);
		put64(p + 56, notes_end - notes_off);
	}
	if (v >= 6) {
		if (s->split > 1) {
			put64(p + 80, start_pfn);
			put64(p + 88, end_pfn);
		}
		put64(p + 96, s->max_mapnr);
	}
	(void)part;
}

// makedumpfile's flattened stream: a 4096-byte big-endian header, then
// {offset, size, data} records, shuffled, and an end marker of -1.
static void flatten(const struct spec *s, const struct buf *in, struct buf *out)
{
	struct rec {
		uint64_t off, len;
	} *recs = NULL;
	size_t nr = 0, pos = 0;
	uint64_t off = 0;
	bool bad = false, negative = false, no_end = false;

	for (int k = 0; k < s->nr_corrupts; k++) {
		bad |= s->corrupts[k].kind == K_FLAT_BAD;
		negative |= s->corrupts[k].kind == K_FLAT_NEGATIVE;
		no_end |= s->corrupts[k].kind == K_FLAT_NO_END;
	}
	// Records of random sizes up to two blocks; one extra record
	// overlaps its neighbour with the same bytes, which is allowed.
	while (off < in->len) {
		uint64_t len = 1 + rng() % (2 * s->block_size);

		if (len > in->len - off)
			len = in->len - off;
		recs = realloc(recs, (nr + 2) * sizeof(*recs));
		if (!recs)
			die("out of memory");
		recs[nr++] = (struct rec){ off, len };
		off += len;
	}
	if (nr > 1 && in->len > 64) {
		uint64_t o = recs[1].off >= 16 ? recs[1].off - 16 : 0;

		recs[nr++] = (struct rec){ o, in->len - o < 32 ? in->len - o : 32 };
	}
	for (size_t i = nr; i > 1; i--) {
		size_t j = rng() % i;
		struct rec t = recs[i - 1];

		recs[i - 1] = recs[j];
		recs[j] = t;
	}
	uint8_t *h = buf_at(out, 0, 4096);
	memcpy(h, "makedumpfile", 12);
	put64be(h + 16, 1); // TYPE_FLAT_HEADER
	put64be(h + 24, 1); // VERSION_FLAT_HEADER
	pos = 4096;
	for (size_t i = 0; i < nr; i++) {
		uint8_t *r = buf_at(out, pos, 16);

		put64be(r, recs[i].off);
		put64be(r + 8, recs[i].len);
		if (i == nr / 2 && bad)
			put64be(r + 8, 1ULL << 40); // far past the stream
		if (i == nr / 2 && negative)
			put64be(r, (uint64_t)-5);
		buf_put(out, pos + 16, in->data + recs[i].off, recs[i].len);
		pos += 16 + recs[i].len;
	}
	if (!no_end) {
		uint8_t *r = buf_at(out, pos, 16);

		put64be(r, (uint64_t)-1);
		put64be(r + 8, (uint64_t)-1);
	}
	free(recs);
}

static void finish(const struct spec *s, const char *path, struct buf *b,
		   struct layout *l, bool first)
{
	struct buf flat = { 0 };
	struct buf *outb = b;

	if (s->flattened) {
		flatten(s, b, &flat);
		outb = &flat;
	}
	for (int k = 0; first && k < s->nr_corrupts; k++) {
		const struct corrupt *cr = &s->corrupts[k];
		uint64_t at = cr->value;

		if (cr->kind != K_TRUNCATE)
			continue;
		if (cr->section[0]) {
			int i;

			for (i = 0; i < l->n; i++)
				if (!strcmp(l->names[i], cr->section))
					break;
			if (!strcmp(cr->section, "end"))
				at = outb->len + (uint64_t)cr->delta;
			else if (i == l->n)
				die("corrupt truncate: no section '%s'", cr->section);
			else
				at = l->offs[i] + (uint64_t)cr->delta;
		}
		if (at < outb->len)
			outb->len = at;
	}
	write_file(path, outb);
	printf("file %s size %zu", path, outb->len);
	for (int i = 0; i < l->n; i++)
		printf(" %s %" PRIu64, l->names[i], l->offs[i]);
	printf("\n");
	free(flat.data);
}

int main(int argc, char **argv)
{
	struct spec s = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: mkvmcore SPEC OUT\n");
		return 2;
	}
	read_spec(argv[1], &s);
	big = s.big_endian;
	rng_state = s.seed * 0x9e3779b97f4a7c15ULL | 1;

	if (s.elf) {
		struct buf b = { 0 };
		struct layout l = { 0 };

		build_elf(&s, &b, &l);
		finish(&s, argv[2], &b, &l, true);
		free(b.data);
	} else if (s.split <= 1) {
		struct buf b = { 0 };
		struct layout l = { 0 };

		build_kdump(&s, &b, &l, 0, 0, s.max_mapnr);
		finish(&s, argv[2], &b, &l, true);
		free(b.data);
	} else {
		// Parts hold about equal numbers of dumped pages, like
		// makedumpfile --split; each keeps the full bitmap 1.
		uint64_t total = 0, seen = 0, start = 0;
		int part = 0;

		for (uint64_t pfn = 0; pfn < s.max_mapnr; pfn++)
			total += in_bitmap2(&s, pfn);
		for (uint64_t pfn = 0; pfn <= s.max_mapnr; pfn++) {
			bool last = part == s.split - 1;

			if (pfn < s.max_mapnr && in_bitmap2(&s, pfn))
				seen++;
			if ((last && pfn == s.max_mapnr) ||
			    (!last && pfn < s.max_mapnr &&
			     seen >= total * (uint64_t)(part + 1) / (uint64_t)s.split)) {
				uint64_t end = last ? s.max_mapnr : pfn + 1;
				struct buf b = { 0 };
				struct layout l = { 0 };
				char *path;

				if (asprintf(&path, "%s.%d", argv[2], part + 1) < 0)
					die("out of memory");
				build_kdump(&s, &b, &l, part, start, end);
				finish(&s, path, &b, &l, part == 0);
				free(path);
				free(b.data);
				start = end;
				if (++part == s.split)
					break;
			}
		}
	}
	free(s.kind);
	free(s.param);
	free(s.vmcoreinfo);
	return 0;
}
