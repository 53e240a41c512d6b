// Little-endian reads through a kread_fn, and the kread_fn over a
// struct kernel.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "base/bytes.h"
#include "kernel/kernel.h"
#include "kernel/kread.h"

struct vmt_error *kread_u64(kread_fn *read, void *arg, uint64_t addr,
			    uint64_t *ret)
{
	uint8_t b[8];
	struct vmt_error *err = read(arg, addr, b, sizeof(b));

	if (!err)
		*ret = load_le64(b);
	return err;
}

struct vmt_error *kread_u32(kread_fn *read, void *arg, uint64_t addr,
			    uint32_t *ret)
{
	uint8_t b[4];
	struct vmt_error *err = read(arg, addr, b, sizeof(b));

	if (!err)
		*ret = load_le32(b);
	return err;
}

struct vmt_error *kernel_kread(void *kernel, uint64_t addr, void *buf,
			       size_t len)
{
	return kernel_read(kernel, addr, buf, len);
}
