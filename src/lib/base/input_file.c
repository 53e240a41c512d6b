#include "base/input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/error.h"

static const char *file_kind(mode_t mode)
{
	return S_ISFIFO(mode) ? "a FIFO" :
	       S_ISDIR(mode)  ? "a directory" :
	       S_ISCHR(mode)  ? "a character device" :
	       S_ISSOCK(mode) ? "a socket" :
	       S_ISBLK(mode)  ? "a block device" :
				"another kind of file";
}

struct vmt_error *input_file_open(const char *path, const char *what,
				  bool allow_block_device, int *fd_ret,
				  struct stat *st_ret)
{
	struct vmt_error *err = NULL;
	struct stat st;
	int fd;

	*fd_ret = -1;
	// O_NONBLOCK only for open() itself; it is cleared below for the
	// reads of the files accepted.
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return vmt_error_os(errno, path, "open");
	if (fstat(fd, &st) < 0)
		err = vmt_error_os(errno, path, "stat");
	else if (!S_ISREG(st.st_mode) &&
		 !(allow_block_device && S_ISBLK(st.st_mode)))
		err = vmt_error_format(VMT_ERROR_UNSUPPORTED,
				       "%s: not a regular file%s (%s): %s must be read at any offset",
				       path,
				       allow_block_device ? " or a block device" : "",
				       file_kind(st.st_mode), what);
	else if (fcntl(fd, F_SETFL, 0) < 0)
		err = vmt_error_os(errno, path, "fcntl");
	if (err) {
		close(fd);
		return err;
	}
	*fd_ret = fd;
	if (st_ret)
		*st_ret = st;
	return NULL;
}
