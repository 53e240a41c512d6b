// A fake struct kernel for suites that build kernel/ sources against their
// own kernel_* functions: its memory and its member table. Include after
// defining MEM_BASE, MEM_SIZE and a struct kernel whose first member is
// uint8_t mem[MEM_SIZE] (the kernel memory at MEM_BASE).
#ifndef VMT_TESTUTIL_KERNEL_H
#define VMT_TESTUTIL_KERNEL_H

#include "testutil.h"

struct vmt_error *kernel_read(struct kernel *k, uint64_t vaddr, void *buf,
			      size_t len)
{
	if (vaddr < MEM_BASE || vaddr - MEM_BASE > MEM_SIZE ||
	    len > MEM_SIZE - (vaddr - MEM_BASE))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, vaddr,
				       "fake: %#llx not mapped",
				       (unsigned long long)vaddr);
	memcpy(buf, k->mem + (vaddr - MEM_BASE), len);
	return NULL;
}

struct vmt_error *kernel_read_u64(struct kernel *k, uint64_t vaddr,
				  uint64_t *ret)
{
	return kernel_read(k, vaddr, ret, 8);
}

struct vmt_error *kernel_read_u32(struct kernel *k, uint64_t vaddr,
				  uint32_t *ret)
{
	return kernel_read(k, vaddr, ret, 4);
}

// One made-up member of the fake kernel's types.
struct vmt_fake_member {
	const char *type, *member;
	uint64_t off, size;
};

// kernel_member() over the table @p members[@p nr].
static inline struct vmt_error *
vmt_fake_member_find(const struct vmt_fake_member *members, size_t nr,
		     const char *type, const char *member, uint64_t *offset_ret,
		     uint64_t *size_ret)
{
	for (size_t i = 0; i < nr; i++) {
		if (!strcmp(members[i].type, type) &&
		    !strcmp(members[i].member, member)) {
			*offset_ret = members[i].off;
			*size_ret = members[i].size;
			return NULL;
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "no %s.%s", type, member);
}

#endif
