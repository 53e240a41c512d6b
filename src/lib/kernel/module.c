// Loaded modules, as /proc/modules shows them (m_show() of
// kernel/module/procfs.c), and their symbols, as /proc/kallsyms shows them
// (module_get_kallsym() of kernel/module/kallsyms.c).
//
// Module memory: since Linux kernel commit ac3b43283923 ("module: replace
// module_layout with module_memory") (in v6.4), struct module has
// mem[MOD_MEM_NUM_TYPES] ({base, size} for text, data, rodata,
// ro_after_init and the init kinds) and /proc/modules prints the sum of
// the sizes and mem[MOD_TEXT].base. Before, core_layout and init_layout
// ({base, size, text_size, ...}) held it; /proc/modules printed
// init_layout.size + core_layout.size (+ data_layout.size where
// CONFIG_ARCH_WANTS_MODULES_DATA_IN_VMALLOC adds that member) and
// core_layout.base.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "kernel/kernel_ctx.h"
#include "kernel/list.h"
#include "kernel/module.h"
#include "kernel/vmalloc.h"

// Bounds on what a corrupt dump may claim.
#define MAX_MODULES 65536
#define MAX_MODULE_SYMBOLS (1u << 20)
#define KSYM_NAME_LEN 512
// enum module_state (include/linux/module.h).
#define MODULE_STATE_UNFORMED 3
// Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16,
// st_value u64, st_size u64.
#define ELF64_SYM_SIZE 24
#define STRTAB_MAX (16u << 20)

static const char *const mem_names[VMT_MODULE_MEM_COUNT] = {
	"text",	     "data",	  "rodata",	 "ro_after_init",
	"init_text", "init_data", "init_rodata",
};

static struct vmt_error *rd64(kread_fn *read, void *arg, uint64_t addr,
			      uint64_t *ret)
{
	uint8_t b[8];
	struct vmt_error *err = read(arg, addr, b, 8);

	if (!err)
		*ret = load_le64(b);
	return err;
}

static struct vmt_error *rd32(kread_fn *read, void *arg, uint64_t addr,
			      uint32_t *ret)
{
	uint8_t b[4];
	struct vmt_error *err = read(arg, addr, b, 4);

	if (!err)
		*ret = load_le32(b);
	return err;
}

static struct vmt_error *off(struct kernel *k, const char *type,
			     const char *member, uint64_t *ret)
{
	struct vmt_error *err = kernel_member_offset(k, type, member, ret);

	return err ? vmt_error_wrap(err, "%s.%s", type, member) : NULL;
}

struct vmt_error *module_layout_init(struct kernel *k,
				     struct module_layout *l)
{
	struct vmt_error *err;
	uint64_t total, elem;

	memset(l, 0, sizeof(*l));
	if ((err = off(k, "module", "state", &l->state)) ||
	    (err = off(k, "module", "list", &l->list)) ||
	    (err = kernel_member(k, "module", "name", &l->name,
				 &l->name_size)) ||
	    (err = off(k, "module", "mkobj.mod", &l->mkobj_mod)) ||
	    (err = off(k, "module", "taints", &l->taints)) ||
	    (err = off(k, "module", "kallsyms", &l->kallsyms)) ||
	    (err = off(k, "mod_kallsyms", "symtab", &l->ks_symtab)) ||
	    (err = off(k, "mod_kallsyms", "num_symtab", &l->ks_num_symtab)) ||
	    (err = off(k, "mod_kallsyms", "strtab", &l->ks_strtab)))
		return err;
	if (l->name_size < 2 || l->name_size > 256)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"module.name: implausible size %" PRIu64,
					l->name_size);
	l->has_typetab = vmt_error_ok(kernel_member_offset(
		k, "mod_kallsyms", "typetab", &l->ks_typetab));
	// refcnt exists with CONFIG_MODULE_UNLOAD.
	l->has_refcnt = vmt_error_ok(
		kernel_member_offset(k, "module", "refcnt", &l->refcnt));
	if (vmt_error_ok(kernel_member(k, "module", "mem", &l->mem, &total))) {
		l->has_mem = true;
		if ((err = kernel_type_size(k, "module_memory", &elem)) ||
		    (err = off(k, "module_memory", "base", &l->mem_base)) ||
		    (err = off(k, "module_memory", "size", &l->mem_size)))
			return err;
		if (!elem || total / elem == 0)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"module.mem: %" PRIu64
						" bytes of %" PRIu64
						"-byte module_memory",
						total, elem);
		l->mem_stride = elem;
		l->nr_mem = total / elem < VMT_MODULE_MEM_COUNT ?
				    (unsigned int)(total / elem) :
				    VMT_MODULE_MEM_COUNT;
		return NULL;
	}
	if ((err = off(k, "module", "core_layout", &l->core_layout)) ||
	    (err = off(k, "module", "init_layout", &l->init_layout)) ||
	    (err = off(k, "module_layout", "base", &l->layout_base)) ||
	    (err = off(k, "module_layout", "size", &l->layout_size)) ||
	    (err = off(k, "module_layout", "text_size",
		       &l->layout_text_size)) ||
	    (err = off(k, "module_layout", "ro_size", &l->layout_ro_size)))
		return err;
	l->has_ro_after_init_size = vmt_error_ok(kernel_member_offset(
		k, "module_layout", "ro_after_init_size",
		&l->layout_ro_after_init_size));
	l->has_data_layout = vmt_error_ok(kernel_member_offset(
		k, "module", "data_layout", &l->data_layout));
	return NULL;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// The name as the kernel keeps it: NUL-terminated within the array, and
// made of what KBUILD_MODNAME can hold.
static bool read_name(const struct module_layout *l, kread_fn *read,
		      void *arg, uint64_t mod, char *buf, size_t size)
{
	char raw[256];
	size_t len;

	if (!vmt_error_ok(read(arg, mod + l->name, raw, l->name_size)))
		return false;
	len = strnlen(raw, l->name_size);
	if (len == 0 || len == l->name_size || len >= size)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char(raw[i]))
			return false;
	memcpy(buf, raw, len + 1);
	return true;
}

bool module_is_valid(const struct module_layout *l, kread_fn *read,
		     void *arg, uint64_t mod)
{
	uint64_t self, next, prev, back;
	uint32_t state;
	char name[256];

	if (!vmt_error_ok(rd32(read, arg, mod + l->state, &state)) ||
	    state > MODULE_STATE_UNFORMED)
		return false;
	if (!vmt_error_ok(rd64(read, arg, mod + l->mkobj_mod, &self)) ||
	    self != mod)
		return false;
	if (!read_name(l, read, arg, mod, name, sizeof(name)))
		return false;
	if (!vmt_error_ok(rd64(read, arg, mod + l->list, &next)) ||
	    !vmt_error_ok(rd64(read, arg, mod + l->list + 8, &prev)))
		return false;
	if (!vmt_error_ok(rd64(read, arg, next + 8, &back)) ||
	    back != mod + l->list)
		return false;
	return vmt_error_ok(rd64(read, arg, prev, &back)) &&
	       back == mod + l->list;
}

static const char *state_name(uint32_t state)
{
	// m_show() prints GOING as Unloading, COMING as Loading, else Live.
	static const char *const names[] = { "Live", "Loading", "Unloading",
					     "Unformed" };

	return state <= MODULE_STATE_UNFORMED ? names[state] : "?";
}

// mod->taints as module_flags() prints the letters (kernel/panic.c
// taint_flags[] entries with .module set, in bit order).
static void taint_letters(uint64_t taints, char *buf, size_t size)
{
	static const struct {
		unsigned int bit;
		char c;
	} flags[] = { { 0, 'P' },  { 1, 'F' },	{ 10, 'C' },
		      { 12, 'O' }, { 13, 'E' }, { 15, 'K' },
		      { 16, 'X' }, { 17, 'T' }, { 18, 'N' } };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if ((taints >> flags[i].bit & 1) && n + 1 < size)
			buf[n++] = flags[i].c;
	buf[n] = '\0';
}

static struct vmt_error *read_layout(kread_fn *read, void *arg,
				     uint64_t addr, uint64_t size_off,
				     uint64_t base_off,
				     struct vmt_module_mem *ret)
{
	struct vmt_error *err;
	uint32_t size;

	err = rd64(read, arg, addr + base_off, &ret->base);
	if (!err)
		err = rd32(read, arg, addr + size_off, &size);
	if (err)
		return err;
	ret->size = ret->base ? size : 0;
	return NULL;
}

// A struct module_layout (before 6.4) is one block: text up to
// text_size, then rodata up to ro_size, ro_after_init data up to
// ro_after_init_size, then data up to size. Each part goes to its kind
// (-1: none; the bytes then count with the next part).
static struct vmt_error *split_layout(const struct module_layout *l,
				      kread_fn *read, void *arg,
				      uint64_t layout, int text, int rodata,
				      int ro_after_init, int data,
				      struct vmt_module *ret,
				      uint64_t *size_ret)
{
	const int kinds[4] = { text, rodata, ro_after_init, data };
	uint32_t ends[4];
	struct vmt_error *err;
	uint64_t base, start = 0;

	err = rd64(read, arg, layout + l->layout_base, &base);
	if (!err)
		err = rd32(read, arg, layout + l->layout_text_size, &ends[0]);
	if (!err)
		err = rd32(read, arg, layout + l->layout_ro_size, &ends[1]);
	if (!err && l->has_ro_after_init_size)
		err = rd32(read, arg, layout + l->layout_ro_after_init_size,
			   &ends[2]);
	if (!err)
		err = rd32(read, arg, layout + l->layout_size, &ends[3]);
	if (err)
		return err;
	if (!l->has_ro_after_init_size)
		ends[2] = ends[1];
	*size_ret = base ? ends[3] : 0;
	if (!base)
		return NULL;
	for (int i = 0; i < 4; i++) {
		// Sizes out of order are corrupt: keep what is consistent.
		uint64_t end = ends[i] < start ? start : ends[i];

		if (end > ends[3])
			end = ends[3];
		if (kinds[i] < 0 || end == start)
			continue;
		ret->mem[kinds[i]].base = base + start;
		ret->mem[kinds[i]].size = end - start;
		start = end;
	}
	return NULL;
}

struct vmt_error *module_read(const struct module_layout *l, kread_fn *read,
			      void *arg, uint64_t mod, struct vmt_module *ret)
{
	struct vmt_error *err;
	uint64_t ks, num = 0;
	uint32_t state, refcnt, n32;

	memset(ret, 0, sizeof(*ret));
	ret->module = mod;
	if (!read_name(l, read, arg, mod, ret->name, sizeof(ret->name)))
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"struct module at %#" PRIx64
					": no valid name",
					mod);
	err = rd32(read, arg, mod + l->state, &state);
	if (!err)
		err = rd64(read, arg, mod + l->taints, &ret->taints);
	if (err)
		return vmt_error_wrap(err, "module %s at %#" PRIx64, ret->name,
				      mod);
	ret->state = state_name(state);
	taint_letters(ret->taints, ret->taint_flags, sizeof(ret->taint_flags));
	ret->refcount = -1;
	// module_refcount(): atomic_read(&mod->refcnt) - MODULE_REF_BASE (1).
	if (l->has_refcnt &&
	    vmt_error_ok(rd32(read, arg, mod + l->refcnt, &refcnt)))
		ret->refcount = (int64_t)(int32_t)refcnt - 1;
	for (int i = 0; i < VMT_MODULE_MEM_COUNT; i++)
		ret->mem[i].name = mem_names[i];
	if (l->has_mem) {
		for (unsigned int i = 0; i < l->nr_mem; i++) {
			err = read_layout(read, arg, mod + l->mem + i * l->mem_stride,
					  l->mem_size, l->mem_base,
					  &ret->mem[i]);
			if (err)
				return vmt_error_wrap(err, "module %s mem[%u]",
						      ret->name, i);
			ret->size += ret->mem[i].size;
		}
	} else {
		uint64_t core, init, data = 0;

		err = split_layout(l, read, arg, mod + l->core_layout,
				   VMT_MODULE_MEM_TEXT, VMT_MODULE_MEM_RODATA,
				   VMT_MODULE_MEM_RO_AFTER_INIT,
				   VMT_MODULE_MEM_DATA, ret, &core);
		if (!err)
			err = split_layout(l, read, arg, mod + l->init_layout,
					   VMT_MODULE_MEM_INIT_TEXT,
					   VMT_MODULE_MEM_INIT_RODATA, -1,
					   VMT_MODULE_MEM_INIT_DATA, ret, &init);
		// data_layout (CONFIG_ARCH_WANTS_MODULES_DATA_IN_VMALLOC)
		// holds the data apart from the core layout.
		if (!err && l->has_data_layout)
			err = split_layout(l, read, arg, mod + l->data_layout,
					   -1, -1, -1, VMT_MODULE_MEM_DATA, ret,
					   &data);
		if (err)
			return vmt_error_wrap(err, "module %s layout",
					      ret->name);
		ret->size = core + init + data;
	}
	ret->base = ret->mem[VMT_MODULE_MEM_TEXT].base;
	if (vmt_error_ok(rd64(read, arg, mod + l->kallsyms, &ks)) && ks &&
	    vmt_error_ok(rd32(read, arg, ks + l->ks_num_symtab, &n32)))
		num = n32;
	ret->nr_symbols = num;
	return NULL;
}

struct list_ctx {
	const struct module_layout *l;
	kread_fn *read;
	void *arg;
	struct vmt_module *mods;
	size_t nr, cap;
};

static struct vmt_error *visit_module(void *arg, uint64_t node)
{
	struct list_ctx *c = arg;
	struct vmt_module m;
	struct vmt_error *err;

	// The walk finds a cycle some steps after entering it: a module met
	// again is the cycle, not another module.
	for (size_t i = 0; i < c->nr; i++)
		if (c->mods[i].module == node - c->l->list)
			return NULL;
	err = module_read(c->l, c->read, c->arg, node - c->l->list, &m);
	if (err)
		return err;
	if (!strcmp(m.state, "Unformed"))
		return NULL; // not yet a module (/proc/modules skips it too)
	if (c->nr == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct vmt_module *n = realloc(c->mods, cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		c->mods = n;
		c->cap = cap;
	}
	c->mods[c->nr++] = m;
	return NULL;
}

struct vmt_error *module_list(const struct module_layout *l, kread_fn *read,
			      void *arg, uint64_t head, size_t max,
			      struct vmt_module **ret, size_t *nr_ret)
{
	struct list_ctx c = { l, read, arg, NULL, 0, 0 };
	struct vmt_error *err;

	err = list_walk(read, arg, head, false, max, "module list",
			visit_module, &c);
	*ret = c.mods;
	*nr_ret = c.nr;
	if (err)
		return vmt_error_wrap(err, "module list at %#" PRIx64, head);
	return NULL;
}

bool module_scan(const struct module_layout *l, kread_fn *read, void *arg,
		 uint64_t start, uint64_t end, uint64_t *mod_ret)
{
	enum { CHUNK = 4096 };
	uint8_t buf[CHUNK];

	for (uint64_t a = start & ~(uint64_t)(CHUNK - 1); a < end;
	     a += CHUNK) {
		if (!vmt_error_ok(read(arg, a, buf, CHUNK)))
			continue;
		// mkobj.mod holds the address of its own struct module: a
		// word equal to where it sits minus that offset.
		for (size_t i = 0; i + 8 <= CHUNK; i += 8) {
			uint64_t v = load_le64(buf + i);

			if (v != a + i - l->mkobj_mod || v < start ||
			    v >= end)
				continue;
			if (module_is_valid(l, read, arg, v)) {
				*mod_ret = v;
				return true;
			}
		}
		if (a + CHUNK < a)
			break;
	}
	return false;
}

struct head_ctx {
	bool (*in_module)(void *arg, uint64_t addr);
	void *arg;
	uint64_t head;
	size_t nr_heads;
};

static struct vmt_error *visit_head(void *arg, uint64_t node)
{
	struct head_ctx *c = arg;

	if (!c->in_module(c->arg, node)) {
		c->head = node;
		c->nr_heads++;
	}
	return NULL;
}

struct vmt_error *module_find_head(const struct module_layout *l,
				   kread_fn *read, void *arg, uint64_t mod,
				   bool (*in_module)(void *arg, uint64_t addr),
				   void *in_module_arg, uint64_t *head_ret)
{
	struct head_ctx c = { in_module, in_module_arg, 0, 0 };
	struct vmt_error *err;

	err = list_walk(read, arg, mod + l->list, false, MAX_MODULES,
			"list of a struct module", visit_head, &c);
	if (err)
		return vmt_error_wrap(err, "list of struct module at %#" PRIx64,
				      mod);
	if (c.nr_heads != 1)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"list of struct module at %#" PRIx64
					": %zu nodes outside modules, want one (the list head)",
					mod, c.nr_heads);
	*head_ret = c.head;
	return NULL;
}

// The nm letter of a symbol without a typetab. Before Linux kernel commit
// 1c7651f43777 ("kallsyms: store type information in its own array") (in
// v5.2) add_kallsyms() wrote the letter over st_info (over st_size in v5.0
// and v5.1, which this does not undo).
static char elf_letter(uint8_t st_info)
{
	if ((st_info >= 'a' && st_info <= 'z') ||
	    (st_info >= 'A' && st_info <= 'Z'))
		return (char)st_info;
	return (st_info >> 4) == 1 /* STB_GLOBAL */ ? 'T' : 't';
}

struct vmt_error *module_symbols(const struct module_layout *l,
				 kread_fn *read, void *arg,
				 const struct vmt_module *m,
				 struct symtab *tab)
{
	uint64_t ks, symtab, strtab, typetab = 0;
	uint32_t num;
	uint8_t *syms = NULL, *types = NULL;
	char *strs = NULL;
	size_t strs_len = 0;
	struct vmt_error *err;

	err = rd64(read, arg, m->module + l->kallsyms, &ks);
	if (!err && !ks)
		err = vmt_error_format(VMT_ERROR_BAD_DATA, "kallsyms is NULL");
	if (!err)
		err = rd64(read, arg, ks + l->ks_symtab, &symtab);
	if (!err)
		err = rd32(read, arg, ks + l->ks_num_symtab, &num);
	if (!err)
		err = rd64(read, arg, ks + l->ks_strtab, &strtab);
	if (!err && l->has_typetab)
		err = rd64(read, arg, ks + l->ks_typetab, &typetab);
	if (!err && num > MAX_MODULE_SYMBOLS)
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "num_symtab %" PRIu32
				       " is more than %u",
				       num, MAX_MODULE_SYMBOLS);
	if (err)
		return vmt_error_wrap(err, "module %s: kallsyms", m->name);
	syms = malloc((size_t)num * ELF64_SYM_SIZE + 1);
	types = malloc((size_t)num + 1);
	if (!syms || !types) {
		err = &vmt_enomem;
		goto out;
	}
	err = read(arg, symtab, syms, (size_t)num * ELF64_SYM_SIZE);
	if (!err && typetab)
		err = read(arg, typetab, types, num);
	if (err) {
		err = vmt_error_wrap(err, "module %s: symtab at %#" PRIx64,
				     m->name, symtab);
		goto out;
	}
	// add_kallsyms() lays out symtab, strtab, typetab in a row: the
	// strtab ends where the typetab starts, so read it at once.
	if (typetab > strtab && typetab - strtab <= STRTAB_MAX) {
		strs_len = typetab - strtab;
		strs = malloc(strs_len + 1);
		if (!strs || !vmt_error_ok(read(arg, strtab, strs, strs_len))) {
			free(strs);
			strs = NULL;
		} else {
			strs[strs_len] = '\0';
		}
	}
	for (uint32_t i = 0; i < num; i++) {
		const uint8_t *s = syms + (size_t)i * ELF64_SYM_SIZE;
		uint32_t st_name = load_le32(s);
		char name[KSYM_NAME_LEN];
		struct vmt_error *e = NULL;

		if (!st_name)
			continue;
		// A name is read up to its NUL; past KSYM_NAME_LEN it is cut.
		if (strs && st_name < strs_len)
			snprintf(name, sizeof(name), "%s", strs + st_name);
		else
			e = read(arg, strtab + st_name, name, sizeof(name));
		if (e) {
			size_t got = 0;

			// A name near the end of the mapping: byte by byte.
			vmt_error_destroy(e);
			while (got < sizeof(name) - 1 &&
			       vmt_error_ok(read(arg, strtab + st_name + got,
						 name + got, 1)) &&
			       name[got])
				got++;
			name[got] = '\0';
		}
		name[sizeof(name) - 1] = '\0';
		// ARM ELF mapping symbols ($x code, $d data) mark where code
		// or data starts; they name nothing (scripts/kallsyms.c drops
		// them from the core kernel's table too).
		if (!name[0] || name[0] == '$')
			continue;
		err = symtab_add(tab, name, load_le64(s + 8),
				 load_le64(s + 16),
				 typetab ? (char)types[i] : elf_letter(s[4]));
		if (err)
			goto out;
	}
	err = symtab_finish(tab);
out:
	free(strs);
	free(syms);
	free(types);
	return err;
}
