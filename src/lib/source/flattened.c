// makedumpfile's flattened format (-F): a big-endian 4096-byte header,
// then records { i64 offset; i64 size; u8 data[size] } that place data at
// offsets of the unflattened file, ending with offset -1 (makedumpfile
// IMPLEMENTATION, "flattened format"). The records are indexed once here,
// then reads go straight to the flat file.
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "source/extents.h"
#include "source/source.h"

#define FLAT_HEADER_SIZE 4096
#define FLAT_SIGNATURE "makedumpfile"
#define FLAT_TYPE 1
#define FLAT_VERSION 1
#define FLAT_END_FLAG (-1)

struct flat_source {
	struct source src;
	struct source *raw;
	// Sorted, disjoint; off is the offset of the data in the flat file.
	struct extent *ext;
	size_t nr_ext;
};

bool flattened_probe(struct source *src)
{
	char sig[16];

	if (src->size < FLAT_HEADER_SIZE ||
	    !vmt_error_ok(source_read(src, sig, sizeof(sig), 0)))
		return false;
	return !memcmp(sig, FLAT_SIGNATURE, sizeof(FLAT_SIGNATURE));
}

static struct vmt_error *flat_read(struct source *src, void *buf, size_t len,
				   uint64_t off)
{
	struct flat_source *fs = (struct flat_source *)src;
	unsigned char *p = buf;
	int found;
	size_t i = extents_find(fs->ext, fs->nr_ext, off, &found);

	while (len) {
		uint64_t n;

		if (i < fs->nr_ext && fs->ext[i].start <= off) {
			struct vmt_error *err;

			n = fs->ext[i].end - off;
			if (n > len)
				n = len;
			err = source_read(fs->raw, p, n,
					  fs->ext[i].off + (off - fs->ext[i].start));
			if (err)
				return err;
			i++;
		} else {
			// No record wrote here: the unflattened file has a hole,
			// which reads as zeros (makedumpfile -R seeks over it).
			n = i < fs->nr_ext ? fs->ext[i].start - off : len;
			if (n > len)
				n = len;
			memset(p, 0, n);
		}
		p += n;
		off += n;
		len -= n;
	}
	return NULL;
}

// Ranges no record writes are holes.
static uint64_t flat_next_data(struct source *src, uint64_t off)
{
	struct flat_source *fs = (struct flat_source *)src;
	int found;
	size_t i = extents_find(fs->ext, fs->nr_ext, off, &found);

	if (found)
		return off;
	return i < fs->nr_ext ? fs->ext[i].start : src->size;
}

static void flat_destroy(struct source *src)
{
	struct flat_source *fs = (struct flat_source *)src;

	source_destroy(fs->raw);
	free(fs->ext);
	free(src->name);
	free(fs);
}

static const struct source_ops flat_ops = {
	.read = flat_read,
	.next_data = flat_next_data,
	.destroy = flat_destroy,
};

// Record headers are 16 bytes between data blocks; read ahead so that
// indexing a stream of small records is not one syscall per record.
struct readahead {
	struct source *src;
	unsigned char buf[65536];
	uint64_t buf_off;
	size_t buf_len;
};

static struct vmt_error *ra_read16(struct readahead *ra, uint64_t off,
				   unsigned char out[16])
{
	if (off < ra->buf_off || off + 16 > ra->buf_off + ra->buf_len) {
		uint64_t left = ra->src->size - off;
		size_t n = left < sizeof(ra->buf) ? (size_t)left : sizeof(ra->buf);
		struct vmt_error *err = source_read(ra->src, ra->buf, n, off);

		if (err)
			return err;
		ra->buf_off = off;
		ra->buf_len = n;
	}
	memcpy(out, ra->buf + (off - ra->buf_off), 16);
	return NULL;
}

static struct vmt_error *index_records(struct source *raw, struct extent **ret,
				       size_t *nr_ret)
{
	struct extent *recs = NULL;
	size_t nr = 0, cap = 0;
	uint64_t off = FLAT_HEADER_SIZE;
	struct readahead *ra;
	struct vmt_error *err = NULL;

	ra = calloc(1, sizeof(*ra));
	if (!ra)
		return &vmt_enomem;
	ra->src = raw;
	for (;;) {
		unsigned char hdr[16];
		int64_t target, size;

		if (raw->size - off < 16) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "%s: flattened stream truncated at offset %#" PRIx64
					       ": record header or end marker expected",
					       raw->name, off);
			break;
		}
		err = ra_read16(ra, off, hdr);
		if (err)
			break;
		target = (int64_t)load_be64(hdr);
		size = (int64_t)load_be64(hdr + 8);
		if (target == FLAT_END_FLAG)
			break;
		if (target < 0 || size < 0) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "%s: bad flattened record at offset %#" PRIx64
					       ": offset %" PRId64 ", size %" PRId64,
					       raw->name, off, target, size);
			break;
		}
		if ((uint64_t)size > raw->size - off - 16) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "%s: flattened record at offset %#" PRIx64
					       " has %" PRId64 " bytes of data, past the end of the file (%" PRIu64 " bytes)",
					       raw->name, off, size, raw->size);
			break;
		}
		if ((uint64_t)target > UINT64_MAX - (uint64_t)size) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "%s: flattened record at offset %#" PRIx64
					       " overflows: offset %" PRId64 ", size %" PRId64,
					       raw->name, off, target, size);
			break;
		}
		if (size) {
			if (nr == cap) {
				size_t ncap = cap ? 2 * cap : 256;
				struct extent *n = realloc(recs, ncap * sizeof(*n));

				if (!n) {
					err = &vmt_enomem;
					break;
				}
				recs = n;
				cap = ncap;
			}
			// Later records override earlier ones where they overlap.
			recs[nr] = (struct extent){
				.start = (uint64_t)target,
				.end = (uint64_t)target + (uint64_t)size,
				.off = off + 16,
				.prio = nr,
			};
			nr++;
		}
		off += 16 + (uint64_t)size;
	}
	free(ra);
	if (!err)
		err = extents_overlay(recs, nr, ret, nr_ret);
	free(recs);
	return err;
}

struct vmt_error *flattened_source_open(struct source *raw,
					struct source **ret)
{
	unsigned char hdr[32];
	struct flat_source *fs;
	struct vmt_error *err;
	int64_t type, version;

	err = source_read(raw, hdr, sizeof(hdr), 0);
	if (err)
		goto fail;
	if (memcmp(hdr, FLAT_SIGNATURE, sizeof(FLAT_SIGNATURE))) {
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "%s: not a flattened dump (no \"makedumpfile\" signature at offset 0)",
				       raw->name);
		goto fail;
	}
	type = (int64_t)load_be64(hdr + 16);
	version = (int64_t)load_be64(hdr + 24);
	if (type != FLAT_TYPE || version != FLAT_VERSION) {
		err = vmt_error_format(VMT_ERROR_UNSUPPORTED,
				       "%s: flattened header type %" PRId64 " version %" PRId64
				       " (only type 1 version 1 is known)",
				       raw->name, type, version);
		goto fail;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs) {
		err = &vmt_enomem;
		goto fail;
	}
	fs->src.ops = &flat_ops;
	fs->raw = raw;
	fs->src.name = strdup(raw->name);
	if (!fs->src.name) {
		flat_destroy(&fs->src);
		return &vmt_enomem;
	}
	err = index_records(raw, &fs->ext, &fs->nr_ext);
	if (err) {
		flat_destroy(&fs->src);
		return err;
	}
	fs->src.size = fs->nr_ext ? fs->ext[fs->nr_ext - 1].end : 0;
	*ret = &fs->src;
	return NULL;

fail:
	source_destroy(raw);
	return err;
}
