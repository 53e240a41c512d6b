// Opening an input file (a dump, a vmlinux, a debug file) so that open()
// never waits: a FIFO without a writer, or a device that waits for a
// carrier, would block open() for ever. Such files are refused by kind,
// naming the file; vmtool reads its inputs at any offset and never writes
// to them.
#ifndef VMT_INPUT_FILE_H
#define VMT_INPUT_FILE_H

#include <stdbool.h>
#include <sys/stat.h>

struct vmt_error;

/**
 * Open @p path read-only; on success, *@p fd_ret is a blocking descriptor
 * and *@p st_ret (unless NULL) its fstat(). A regular file is accepted, and a block
 * device where @p allow_block_device; anything else is an
 * VMT_ERROR_UNSUPPORTED error that names @p path, its kind and @p what
 * (what the file was to be, e.g. "a dump", "a vmlinux"), and
 * *@p fd_ret is -1.
 */
struct vmt_error *input_file_open(const char *path, const char *what,
				  bool allow_block_device, int *fd_ret,
				  struct stat *st_ret);

#endif
