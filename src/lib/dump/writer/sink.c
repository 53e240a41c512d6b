// Output sinks. A file is created under a temporary name beside its final
// one (same directory, so rename() is atomic) and renamed only once
// complete: an interrupted save leaves nothing that looks like a dump.
// The flattened stream turns each write into a record {offset, size,
// data}; makedumpfile -R replays them into the same bytes the file sink
// writes, since both see the same writes and leave the same holes.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump/kdump_format.h"
#include "dump/writer/writer.h"

// Writes gathered before they go out (one pwrite or one record).
#define SINK_BUFFER (256u << 10)

struct sink {
	int fd;
	bool flattened;
	char *path;
	char *tmp_path;
	// Gathered bytes for [buf_off, buf_off + buf_len).
	unsigned char *buf;
	size_t buf_len;
	uint64_t buf_off;
	// End of the highest byte written.
	uint64_t end;
	// Bytes that went out (records and header included).
	uint64_t bytes;
};

static struct vmt_error *write_all(struct sink *s, const void *data,
				   size_t len, uint64_t off, bool positional)
{
	const unsigned char *p = data;

	while (len) {
		ssize_t n = positional ? pwrite(s->fd, p, len, (off_t)off) :
					 write(s->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return vmt_error_os(n < 0 ? errno : EIO,
					    s->tmp_path ? s->tmp_path : "standard output",
					    "cannot write %zu bytes at offset %#" PRIx64,
					    len, off);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
		s->bytes += (uint64_t)n;
	}
	return NULL;
}

static void put64be(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[7 - i] = (unsigned char)(v >> (8 * i));
}

// Send @p len bytes for offset @p off out of the sink.
static struct vmt_error *emit(struct sink *s, uint64_t off, const void *data,
			      size_t len)
{
	unsigned char rec[KDUMP_FLAT_RECORD_HEADER];
	struct vmt_error *err;

	if (!s->flattened)
		return write_all(s, data, len, off, true);
	put64be(rec, off);
	put64be(rec + 8, len);
	err = write_all(s, rec, sizeof(rec), 0, false);
	if (!err)
		err = write_all(s, data, len, 0, false);
	return err;
}

static struct vmt_error *flush(struct sink *s)
{
	struct vmt_error *err;

	if (!s->buf_len)
		return NULL;
	err = emit(s, s->buf_off, s->buf, s->buf_len);
	s->buf_len = 0;
	return err;
}

static struct vmt_error *sink_new(struct sink **ret)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (s)
		s->buf = malloc(SINK_BUFFER);
	if (!s || !s->buf) {
		free(s);
		return &vmt_enomem;
	}
	s->fd = -1;
	*ret = s;
	return NULL;
}

static void sink_free(struct sink *s)
{
	free(s->buf);
	free(s->path);
	free(s->tmp_path);
	free(s);
}

struct vmt_error *sink_open_file(const char *path, bool force,
				 struct sink **ret)
{
	struct vmt_error *err;
	struct stat st;
	struct sink *s = NULL;

	if (!force && lstat(path, &st) == 0)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"%s exists: not replacing it (use --force)",
					path);
	err = sink_new(&s);
	if (err)
		return err;
	s->path = strdup(path);
	if (!s->path || asprintf(&s->tmp_path, "%s.vmtool-partial-XXXXXX", path) < 0) {
		s->tmp_path = NULL;
		sink_free(s);
		return &vmt_enomem;
	}
	// A crash dump holds every secret of the machine: owner only, as
	// makedumpfile creates its files.
	s->fd = mkostemp(s->tmp_path, O_CLOEXEC);
	if (s->fd < 0) {
		err = vmt_error_os(errno, s->tmp_path, "cannot create");
		sink_free(s);
		return err;
	}
	*ret = s;
	return NULL;
}

struct vmt_error *sink_open_flat(int fd, struct sink **ret)
{
	unsigned char hdr[KDUMP_FLAT_HEADER_SIZE] = { 0 };
	struct vmt_error *err;
	struct sink *s = NULL;

	err = sink_new(&s);
	if (err)
		return err;
	s->fd = fd;
	s->flattened = true;
	memcpy(hdr, KDUMP_FLAT_SIGNATURE, strlen(KDUMP_FLAT_SIGNATURE));
	put64be(hdr + KDUMP_FLAT_TYPE_OFF, KDUMP_FLAT_TYPE);
	put64be(hdr + KDUMP_FLAT_VERSION_OFF, KDUMP_FLAT_VERSION);
	err = write_all(s, hdr, sizeof(hdr), 0, false);
	if (err) {
		sink_free(s);
		return err;
	}
	*ret = s;
	return NULL;
}

struct vmt_error *sink_write(struct sink *s, uint64_t off, const void *data,
			     size_t len)
{
	const unsigned char *p = data;
	struct vmt_error *err;

	if (!len)
		return NULL;
	if (off + len > s->end)
		s->end = off + len;
	while (len) {
		size_t n;

		if (s->buf_len && (off != s->buf_off + s->buf_len ||
				   s->buf_len == SINK_BUFFER)) {
			err = flush(s);
			if (err)
				return err;
		}
		if (!s->buf_len)
			s->buf_off = off;
		n = SINK_BUFFER - s->buf_len;
		if (n > len)
			n = len;
		memcpy(s->buf + s->buf_len, p, n);
		s->buf_len += n;
		p += n;
		off += n;
		len -= n;
	}
	return NULL;
}

uint64_t sink_bytes(const struct sink *s)
{
	return s->bytes + s->buf_len;
}

struct vmt_error *sink_finish(struct sink *s, uint64_t size)
{
	static const unsigned char zero;
	struct vmt_error *err;

	// The last byte makes the size: a hole there would leave a short
	// file (and a short file after makedumpfile -R).
	err = size > s->end ? sink_write(s, size - 1, &zero, 1) : NULL;
	if (!err)
		err = flush(s);
	if (!err && s->flattened) {
		unsigned char end[KDUMP_FLAT_RECORD_HEADER];

		put64be(end, UINT64_MAX);
		put64be(end + 8, UINT64_MAX);
		err = write_all(s, end, sizeof(end), 0, false);
	}
	if (!err && !s->flattened) {
		if (ftruncate(s->fd, (off_t)size) < 0)
			err = vmt_error_os(errno, s->tmp_path, "cannot set the size");
		else if (fchmod(s->fd, S_IRUSR | S_IWUSR) < 0)
			err = vmt_error_os(errno, s->tmp_path, "cannot set the mode");
		else if (close(s->fd) < 0)
			err = vmt_error_os(errno, s->tmp_path, "cannot close");
		else if ((s->fd = -1, rename(s->tmp_path, s->path) < 0))
			err = vmt_error_os(errno, s->path, "cannot rename %s to",
					   s->tmp_path);
	}
	if (err) {
		sink_abort(s);
		return err;
	}
	sink_free(s);
	return NULL;
}

void sink_abort(struct sink *s)
{
	if (!s)
		return;
	if (!s->flattened) {
		if (s->fd >= 0)
			close(s->fd);
		unlink(s->tmp_path);
	}
	sink_free(s);
}
