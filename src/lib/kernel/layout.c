// Member offsets and optional symbols by name, for the layout inits of
// the kernel readers.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kernel/layout.h"

struct vmt_error *layout_offset(struct kernel *k, const char *type,
				const char *member, uint64_t *ret)
{
	struct vmt_error *err = kernel_member_offset(k, type, member, ret);

	return err ? vmt_error_wrap(err, "%s.%s", type, member) : NULL;
}

struct vmt_error *layout_member(struct kernel *k, const char *type,
				const char *member, uint64_t *offset_ret,
				uint64_t *size_ret)
{
	struct vmt_error *err =
		kernel_member(k, type, member, offset_ret, size_ret);

	return err ? vmt_error_wrap(err, "%s.%s", type, member) : NULL;
}

struct vmt_error *layout_offsets(struct kernel *k, void *layout,
				 const struct layout_field *fields, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		struct vmt_error *err = layout_offset(
			k, fields[i].type, fields[i].member,
			(uint64_t *)((char *)layout + fields[i].at));

		if (err)
			return err;
	}
	return NULL;
}

uint64_t layout_symbol_or_zero(struct kernel *k, const char *name)
{
	uint64_t addr = 0;

	return vmt_error_ok(kernel_symbol(k, name, &addr)) ? addr : 0;
}
