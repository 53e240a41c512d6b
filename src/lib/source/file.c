// A source backed by a file opened read-only and read with pread, or
// mapped for readers that touch parts of it in place (source_map).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/input_file.h"
#include "source/source.h"

struct file_source {
	struct source src;
	int fd;
	bool regular;
	// The mapping: NULL until asked for; map_tried once it was.
	void *map;
	bool map_tried;
};

static struct vmt_error *file_read(struct source *src, void *buf, size_t len,
				   uint64_t off)
{
	struct file_source *fs = (struct file_source *)src;
	char *p = buf;

	while (len) {
		ssize_t n = pread(fs->fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return vmt_error_os(errno, src->name,
					    "read %zu bytes at offset %#" PRIx64,
					    len, off);
		}
		// The file shrank after open: report it like a short file.
		if (n == 0)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: unexpected end of file at offset %#" PRIx64
						" (%zu more bytes expected)",
						src->name, off, len);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return NULL;
}

// SEEK_DATA: where the file system knows of no hole, the offset itself.
static uint64_t file_next_data(struct source *src, uint64_t off)
{
#ifdef SEEK_DATA
	struct file_source *fs = (struct file_source *)src;
	off_t next = lseek(fs->fd, (off_t)off, SEEK_DATA);

	if (next >= 0)
		return (uint64_t)next;
	// ENXIO: no data from there to the end; anything else (a file system
	// without SEEK_DATA): assume data.
	return errno == ENXIO ? src->size : off;
#else
	(void)src;
	return off;
#endif
}

static const void *file_map(struct source *src)
{
	struct file_source *fs = (struct file_source *)src;
	void *p;

	if (fs->map_tried)
		return fs->map;
	fs->map_tried = true;
	// Regular files only: a block device can change under the mapping.
	// A mapping that fails (an address-space limit, a 32-bit host) only
	// means reading.
	if (!fs->regular || src->size > SIZE_MAX || getenv("VMTOOL_NO_MMAP"))
		return NULL;
	p = mmap(NULL, (size_t)src->size, PROT_READ, MAP_SHARED, fs->fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	fs->map = p;
	return p;
}

static void file_destroy(struct source *src)
{
	struct file_source *fs = (struct file_source *)src;

	if (fs->map)
		munmap(fs->map, (size_t)src->size);
	if (fs->fd >= 0)
		close(fs->fd);
	free(src->name);
	free(fs);
}

static const struct source_ops file_ops = {
	.read = file_read,
	.next_data = file_next_data,
	.map = file_map,
	.destroy = file_destroy,
};

struct vmt_error *source_open_file(const char *path, struct source **ret)
{
	struct file_source *fs;
	struct vmt_error *err;
	struct stat st;

	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return &vmt_enomem;
	fs->fd = -1;
	fs->src.ops = &file_ops;
	fs->src.name = strdup(path);
	if (!fs->src.name) {
		file_destroy(&fs->src);
		return &vmt_enomem;
	}
	err = input_file_open(path, "a dump", true, &fs->fd, &st);
	if (err) {
		file_destroy(&fs->src);
		return err;
	}
	fs->src.size = (uint64_t)st.st_size;
	fs->regular = S_ISREG(st.st_mode);
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fs->fd, 0, SEEK_END);

		if (end < 0) {
			err = vmt_error_os(errno, path, "seek");
			file_destroy(&fs->src);
			return err;
		}
		fs->src.size = (uint64_t)end;
	}
	*ret = &fs->src;
	return NULL;
}
