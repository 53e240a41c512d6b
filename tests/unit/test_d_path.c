// d_path() on dentries and mounts built by hand in a buffer; expected
// strings follow fs/d_path.c (prepend_path, d_unlinked, simple_dname,
// anon_inodefs_dname, pipefs/sockfs "pipe:[ino]"/"socket:[ino]").
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/error.h"
#include "kernel/d_path.h"

#define BASE 0xffff000020000000ULL
#define OBJ 256
#define NR_OBJ 32

static uint8_t mem[NR_OBJ * OBJ];

static struct vmt_error *mem_read(void *arg, uint64_t addr, void *buf,
				  size_t len)
{
	if (addr < BASE || addr - BASE > sizeof(mem) ||
	    len > sizeof(mem) - (addr - BASE))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr,
				       "test: %#llx not mapped",
				       (unsigned long long)addr);
	memcpy(buf, mem + (addr - BASE), len);
	return NULL;
}

// An arbitrary layout (not the kernel's): the code must use the offsets.
static const struct d_path_layout layout = {
	.dentry_d_parent = 24,
	.dentry_d_name_name = 40,
	.dentry_d_hash_pprev = 16,
	.dentry_d_op = 96,
	.dentry_d_inode = 48,
	.dop_d_dname = 32,
	.inode_i_ino = 64,
	.mount_mnt = 32,
	.mount_mnt_parent = 16,
	.mount_mnt_mountpoint = 24,
	.vfsmount_mnt_root = 0,
	.simple_dname = 0xffff800080101000ULL,
	.anon_inodefs_dname = 0xffff800080102000ULL,
	.pipefs_dname = 0xffff800080103000ULL,
	.sockfs_dname = 0xffff800080104000ULL,
};

static uint64_t obj(int i)
{
	return BASE + (uint64_t)OBJ * i;
}

static void put64(uint64_t addr, uint64_t v)
{
	memcpy(mem + (addr - BASE), &v, 8);
}

static int next_obj;

static uint64_t new_name(const char *s)
{
	uint64_t a = obj(next_obj++);

	strcpy((char *)mem + (a - BASE), s);
	return a;
}

static uint64_t new_dentry(const char *name, uint64_t parent, int hashed)
{
	uint64_t d = obj(next_obj++);

	put64(d + layout.dentry_d_parent, parent ? parent : d);
	put64(d + layout.dentry_d_name_name, new_name(name));
	put64(d + layout.dentry_d_hash_pprev, hashed ? d + 200 : 0);
	return d;
}

// Returns the vfsmount address (inside struct mount).
static uint64_t new_mount(uint64_t root, uint64_t parent_vfsmnt,
			  uint64_t mountpoint)
{
	uint64_t m = obj(next_obj++);
	uint64_t vfs = m + layout.mount_mnt;

	put64(vfs + layout.vfsmount_mnt_root, root);
	put64(m + layout.mount_mnt_parent,
	      parent_vfsmnt ? parent_vfsmnt - layout.mount_mnt : m);
	put64(m + layout.mount_mnt_mountpoint, mountpoint ? mountpoint : root);
	return vfs;
}

static void set_dname(uint64_t dentry, uint64_t fn)
{
	uint64_t ops = obj(next_obj++);

	put64(ops + layout.dop_d_dname, fn);
	put64(dentry + layout.dentry_d_op, ops);
}

// rootfs "/" with /tmp, and a tmpfs mounted on /tmp.
static uint64_t root_d, root_mnt, tmp_dir, tmpfs_root, tmpfs_mnt;

static void setup(void)
{
	memset(mem, 0, sizeof(mem));
	next_obj = 0;
	root_d = new_dentry("/", 0, 0);
	root_mnt = new_mount(root_d, 0, 0);
	tmp_dir = new_dentry("tmp", root_d, 1);
	tmpfs_root = new_dentry("/", 0, 0);
	tmpfs_mnt = new_mount(tmpfs_root, root_mnt, tmp_dir);
}

static void ck_path(uint64_t mnt, uint64_t dentry, const char *want)
{
	char *got = NULL;

	vmt_ck_no_err(d_path(&layout, mem_read, NULL, mnt, dentry, root_mnt,
			     root_d, &got));
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(file_across_a_mount)
{
	uint64_t f;

	setup();
	f = new_dentry("wl_shared_file", tmpfs_root, 1);
	ck_path(tmpfs_mnt, f, "/tmp/wl_shared_file");
}
END_TEST

START_TEST(nested_directories_on_the_root_mount)
{
	uint64_t bin, f;

	setup();
	bin = new_dentry("bin", root_d, 1);
	f = new_dentry("workload", bin, 1);
	ck_path(root_mnt, f, "/bin/workload");
}
END_TEST

START_TEST(unlinked_file_is_deleted)
{
	uint64_t f;

	setup();
	f = new_dentry("gone", tmpfs_root, 0);
	ck_path(tmpfs_mnt, f, "/tmp/gone (deleted)");
}
END_TEST

START_TEST(root_is_a_slash)
{
	setup();
	ck_path(root_mnt, root_d, "/");
	// The root of the tmpfs is "/tmp", not deleted though unhashed.
	ck_path(tmpfs_mnt, tmpfs_root, "/tmp");
}
END_TEST

START_TEST(shared_anonymous_memory_uses_simple_dname)
{
	uint64_t f;

	setup();
	f = new_dentry("dev/zero", tmpfs_root, 0);
	set_dname(f, layout.simple_dname);
	ck_path(tmpfs_mnt, f, "/dev/zero (deleted)");
}
END_TEST

START_TEST(pseudo_files_name_themselves)
{
	uint64_t f, inode;

	setup();
	f = new_dentry("[io_uring]", tmpfs_root, 0);
	set_dname(f, layout.anon_inodefs_dname);
	ck_path(tmpfs_mnt, f, "anon_inode:[io_uring]");

	f = new_dentry("", tmpfs_root, 0);
	inode = obj(next_obj++);
	put64(inode + layout.inode_i_ino, 1234);
	put64(f + layout.dentry_d_inode, inode);
	set_dname(f, layout.sockfs_dname);
	ck_path(tmpfs_mnt, f, "socket:[1234]");
	set_dname(f, layout.pipefs_dname);
	ck_path(tmpfs_mnt, f, "pipe:[1234]");
}
END_TEST

START_TEST(unknown_d_dname_falls_back_to_the_path)
{
	uint64_t f;

	setup();
	f = new_dentry("x", tmpfs_root, 1);
	set_dname(f, 0xffff800080109990ULL);
	ck_path(tmpfs_mnt, f, "/tmp/x");
}
END_TEST

START_TEST(escaped_dentry_leaves_a_slash)
{
	uint64_t top, f;

	setup();
	// A dentry tree whose top is its own parent but not the mount root.
	top = new_dentry("lost", 0, 1);
	f = new_dentry("f", top, 1);
	ck_path(tmpfs_mnt, f, "/");
}
END_TEST

START_TEST(parent_cycle_is_an_error)
{
	uint64_t a, b;
	char *got = NULL;

	setup();
	a = new_dentry("a", 0, 1);
	b = new_dentry("b", a, 1);
	put64(a + layout.dentry_d_parent, b);
	vmt_ck_err(d_path(&layout, mem_read, NULL, tmpfs_mnt, b, root_mnt,
			  root_d, &got),
		   VMT_ERROR_BAD_DATA);
	ck_assert_ptr_null(got);
}
END_TEST

START_TEST(unreadable_parent_is_a_fault)
{
	uint64_t f;
	char *got = NULL;

	setup();
	f = new_dentry("f", 0xffff0000dead0000ULL, 1);
	vmt_ck_err(d_path(&layout, mem_read, NULL, tmpfs_mnt, f, root_mnt,
			  root_d, &got),
		   VMT_ERROR_FAULT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("d_path");
	TCase *tc = tcase_create("d_path");

	tcase_add_test(tc, file_across_a_mount);
	tcase_add_test(tc, nested_directories_on_the_root_mount);
	tcase_add_test(tc, unlinked_file_is_deleted);
	tcase_add_test(tc, root_is_a_slash);
	tcase_add_test(tc, shared_anonymous_memory_uses_simple_dname);
	tcase_add_test(tc, pseudo_files_name_themselves);
	tcase_add_test(tc, unknown_d_dname_falls_back_to_the_path);
	tcase_add_test(tc, escaped_dentry_leaves_a_slash);
	tcase_add_test(tc, parent_cycle_is_an_error);
	tcase_add_test(tc, unreadable_parent_is_a_fault);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
