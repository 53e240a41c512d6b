#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "debuginfo/typedb.h"
#include "kernel/kernel_ctx.h"

struct vmt_error *kernel_read(struct kernel *k, uint64_t vaddr, void *buf,
			      size_t len)
{
	return address_space_read(k->as, ARM64_TABLE_KERNEL, 0, vaddr, buf,
				  len);
}

struct vmt_error *kernel_read_u64(struct kernel *k, uint64_t vaddr,
				  uint64_t *ret)
{
	uint8_t buf[8];
	struct vmt_error *err = kernel_read(k, vaddr, buf, sizeof(buf));

	if (err)
		return err;
	*ret = load64(buf, k->dump->big_endian);
	return NULL;
}

struct vmt_error *kernel_read_u32(struct kernel *k, uint64_t vaddr,
				  uint32_t *ret)
{
	uint8_t buf[4];
	struct vmt_error *err = kernel_read(k, vaddr, buf, sizeof(buf));

	if (err)
		return err;
	*ret = load32(buf, k->dump->big_endian);
	return NULL;
}

struct vmt_error *kernel_read_string(struct kernel *k, uint64_t vaddr,
				     char *buf, size_t size)
{
	size_t done = 0;

	if (!size)
		return NULL;
	// Read up to each page end so a string at the end of a mapping works.
	while (done < size - 1) {
		uint64_t page = kernel_page_size(k);
		size_t chunk = page - ((vaddr + done) & (page - 1));
		struct vmt_error *err;
		void *nul;

		if (chunk > size - 1 - done)
			chunk = size - 1 - done;
		err = kernel_read(k, vaddr + done, buf + done, chunk);
		if (err)
			return err;
		nul = memchr(buf + done, '\0', chunk);
		done += chunk;
		if (nul)
			return NULL;
	}
	buf[size - 1] = '\0';
	return NULL;
}

struct vmt_error *kernel_read_user(struct kernel *k, uint64_t pgd_paddr,
				   uint64_t vaddr, void *buf, size_t len)
{
	return address_space_read(k->as, ARM64_TABLE_USER, pgd_paddr, vaddr,
				  buf, len);
}

struct vmt_error *kernel_virt_to_phys(struct kernel *k, uint64_t vaddr,
				      uint64_t *ret)
{
	return address_space_translate(k->as, ARM64_TABLE_KERNEL, 0, vaddr,
				       ret);
}

struct vmt_error *kernel_symbol(struct kernel *k, const char *name,
				uint64_t *ret)
{
	struct vmt_symbol sym;
	struct vmt_error *err = debuginfo_symbol_by_name(k->di, name, &sym);

	if (err)
		return err;
	*ret = sym.address;
	return NULL;
}

struct vmt_error *kernel_symbol_by_addr(struct kernel *k, uint64_t addr,
					uint64_t *start_ret,
					const char **name_ret)
{
	struct vmt_symbol sym;
	uint64_t off;
	struct vmt_error *err = debuginfo_symbol_by_addr(k->di, addr, &sym,
							 &off);

	if (err)
		return err;
	*start_ret = sym.address;
	*name_ret = sym.name;
	return NULL;
}

uint64_t kernel_pac_mask(struct kernel *k)
{
	// The layout takes NUMBER(KERNELPACMASK), else GENMASK(63, VA bits
	// in effect); a kernel address has those bits set in any case.
	uint64_t actual = k->layout->va_bits_actual.value;

	if (k->layout->pacmask.value)
		return k->layout->pacmask.value;
	return actual && actual < 64 ? ~((UINT64_C(1) << actual) - 1) : 0;
}

bool kernel_is_vmalloc(struct kernel *k, uint64_t addr)
{
	return arm64_classify(k->layout, addr) == ARM64_REGION_VMALLOC;
}

static struct vmt_error *find_struct(struct kernel *k, const char *type,
				     const struct vmt_type **ret)
{
	char name[160];

	// A bare name means the struct (task_struct), as kernel code spells it.
	if (!strchr(type, ' ')) {
		struct vmt_error *err;

		snprintf(name, sizeof(name), "struct %s", type);
		err = debuginfo_find_type(k->di, name, ret);
		// Not a struct: try the other kinds of that name.
		if (!err || err->code != VMT_ERROR_NOT_FOUND)
			return err;
		vmt_error_destroy(err);
	}
	return debuginfo_find_type(k->di, type, ret);
}

struct vmt_error *kernel_member(struct kernel *k, const char *type,
				const char *member, uint64_t *offset_ret,
				uint64_t *size_ret)
{
	const struct vmt_type_member *m;
	const struct vmt_type *t;
	struct vmt_error *err;
	uint64_t bit_offset;

	err = find_struct(k, type, &t);
	if (err)
		return err;
	err = type_member(t, member, &bit_offset, &m);
	if (err)
		return vmt_error_wrap(err, "%s", type);
	if (bit_offset % 8 || m->bit_size)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"%s.%s is a bitfield", type, member);
	*offset_ret = bit_offset / 8;
	if (size_ret) {
		const struct vmt_type *mt = type_strip(m->type);

		*size_ret = mt ? mt->size : 0;
		if (mt && mt->kind == VMT_TYPE_ARRAY && mt->target) {
			const struct vmt_type *el = type_strip(mt->target);

			*size_ret = el ? el->size * mt->nelems : 0;
		}
	}
	return NULL;
}

struct vmt_error *kernel_member_offset(struct kernel *k, const char *type,
				       const char *member, uint64_t *ret)
{
	return kernel_member(k, type, member, ret, NULL);
}

struct vmt_error *kernel_section_var(struct kernel *k, const char *section,
				     const char *name, uint64_t *offset_ret,
				     uint64_t *size_ret)
{
	return debuginfo_section_var(k->di, section, name, offset_ret,
				     size_ret);
}

bool kernel_has_member(struct kernel *k, const char *type, const char *member)
{
	uint64_t off;

	return vmt_error_ok(kernel_member(k, type, member, &off, NULL));
}

struct vmt_error *kernel_type_size(struct kernel *k, const char *type,
				   uint64_t *ret)
{
	const struct vmt_type *t;
	struct vmt_error *err = find_struct(k, type, &t);

	if (err)
		return err;
	*ret = type_strip(t) ? type_strip(t)->size : 0;
	return NULL;
}

struct vmt_error *kernel_find_type(struct kernel *k, const char *name,
				   const struct vmt_type **ret)
{
	return debuginfo_find_type(k->di, name, ret);
}

uint64_t kernel_page_size(struct kernel *k)
{
	return k->layout->page_size;
}

void kernel_cpu_regs(struct kernel *k, const struct vmt_cpu_regs **ret,
		     size_t *nr_ret)
{
	*ret = k->dump->cpus;
	*nr_ret = k->dump->nr_cpus;
}

const char *kernel_osrelease(struct kernel *k)
{
	return k->osrelease ? k->osrelease : "";
}

void kernel_warn(struct kernel *k, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	warnings_add(k->warnings, "%s", buf);
}

void kernel_add_derived_symbol(struct kernel *k, const char *name,
			       uint64_t addr, const char *how)
{
	debuginfo_add_derived(k->di, name, addr, how);
}

void kernel_add_derived_object(struct kernel *k, const char *name,
			       uint64_t addr, const char *type,
			       const char *how)
{
	uint64_t size = 0;

	if (!vmt_error_ok(kernel_type_size(k, type, &size)))
		size = 0;
	debuginfo_add_derived_sized(k->di, name, addr, size, how);
}

void kernel_add_derived_sized(struct kernel *k, const char *name,
			      uint64_t addr, uint64_t size, const char *how)
{
	debuginfo_add_derived_sized(k->di, name, addr, size, how);
}
