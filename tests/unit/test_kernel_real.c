// Tasks and VMAs of the real dumps in $VMTOOL_SHARED_DUMPS against the
// truth the guest printed from /proc just before the dump: every process
// of truth/final_ps.txt with its ppid, comm and state (the tolerances of
// tools/truthcheck.py: workqueue comm suffixes, 15-byte comm, R races of
// pid 1 and kernel threads), and every truth/proc/PID/maps byte for byte.
// Every dump file of a set that is not xz-compressed is checked.
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "kernel/task.h"
#include "vmtool/program.h"

static const char *dumps_dir;

static const struct vmt_task *find(const struct vmt_task *t, size_t n,
				   int pid)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].pid == pid)
			return &t[i];
	return NULL;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

// Returns the number of mismatches.
static int check_ps(const char *set, const char *file,
		    const struct vmt_task *tasks, size_t nr)
{
	char path[4096], *text, *line, *save = NULL;
	int bad = 0, checked = 0;

	snprintf(path, sizeof(path), "%s/%s/truth/final_ps.txt", dumps_dir,
		 set);
	text = vmt_slurp(path, NULL);
	ck_assert_msg(text, "%s: unreadable", path);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char comm[128], state[8], dash[24], plus[24];
		const struct vmt_task *t;
		int pid, ppid;
		bool okc, oks;

		if (line[0] == '#' ||
		    sscanf(line, "%d %127s %7s %d", &pid, comm, state, &ppid) != 4)
			continue;
		checked++;
		t = find(tasks, nr, pid);
		if (!t) {
			fprintf(stderr, "%s/%s: no pid %d (%s)\n", set, file, pid,
				comm);
			bad++;
			continue;
		}
		snprintf(dash, sizeof(dash), "%s-", t->comm);
		snprintf(plus, sizeof(plus), "%s+", t->comm);
		okc = !strcmp(comm, t->comm) || starts_with(comm, dash) ||
		      starts_with(comm, plus) ||
		      (strlen(t->comm) == 15 && starts_with(comm, t->comm));
		oks = state[0] == t->state ||
		      ((pid == 1 || ppid == 0 || ppid == 2) &&
		       (state[0] == 'R' || t->state == 'R' ||
			strchr(comm, '+')));
		if (!okc || !oks || t->ppid != ppid) {
			fprintf(stderr,
				"%s/%s: pid %d: truth %s %s %d, got %s %c %d\n",
				set, file, pid, comm, state, ppid, t->comm,
				t->state, t->ppid);
			bad++;
		}
	}
	free(text);
	ck_assert_msg(checked > 10, "%s: only %d tasks in final_ps.txt", set,
		      checked);
	return bad;
}

static int check_maps(struct vmt_program *prog, const char *set,
		      const char *file, int *nr_checked)
{
	char dir[4096], path[4600];
	struct dirent *de;
	int bad = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s/truth/proc", dumps_dir, set);
	d = opendir(dir);
	ck_assert_msg(d, "%s: unreadable", dir);
	while ((de = readdir(d))) {
		struct vmt_mm_info mm;
		struct vmt_vma *vmas;
		struct vmt_error *err;
		char *want, *got = NULL;
		size_t n, want_len, got_len = 0;
		int pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/maps", dir, de->d_name);
		want = vmt_slurp(path, &want_len);
		if (!want || !want_len) {
			free(want);
			continue;
		}
		(*nr_checked)++;
		err = vmt_program_task_vmas(prog, pid, &mm, &vmas, &n);
		if (err) {
			fprintf(stderr, "%s/%s: vmas of %d: %s\n", set, file,
				pid, err->message);
			vmt_error_destroy(err);
			free(want);
			bad++;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			char *line;
			size_t l;

			vmt_ck_no_err(vma_format_maps_line(&vmas[i], &line));
			l = strlen(line);
			got = realloc(got, got_len + l + 1);
			ck_assert_ptr_nonnull(got);
			memcpy(got + got_len, line, l + 1);
			got_len += l;
			free(line);
		}
		if (got_len != want_len || memcmp(got, want, want_len)) {
			fprintf(stderr, "%s/%s: maps of pid %d differ:\n%s--- want:\n%s",
				set, file, pid, got ? got : "", want);
			bad++;
		}
		free(got);
		free(want);
		vmt_vmas_free(vmas, n);
	}
	closedir(d);
	return bad;
}

START_TEST(tasks_and_maps_match_the_guest)
{
	struct vmt_set_iter set = { 0 };
	int files = 0, maps = 0, bad = 0;

	while (vmt_next_set(&set)) {
		struct dirent *fe;

		while ((fe = readdir(set.files))) {
			struct vmt_program_options opts = { 0 };
			const struct vmt_task *tasks;
			struct vmt_program *prog;
			struct vmt_error *err;
			char path[8200];
			const char *p = path;
			size_t nr;

			if (!starts_with(fe->d_name, "vmcore.") ||
			    strstr(fe->d_name, ".xz"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", set.dir,
				 fe->d_name);
			err = vmt_program_open(&p, 1, &opts, &prog);
			if (err) {
				fprintf(stderr, "%s: %s\n", path, err->message);
				vmt_error_destroy(err);
				bad++;
				continue;
			}
			files++;
			err = vmt_program_tasks(prog, &tasks, &nr);
			if (err) {
				fprintf(stderr, "%s: tasks: %s\n", path,
					err->message);
				vmt_error_destroy(err);
				bad++;
			} else {
				// init_task comes first, as crash lists it.
				ck_assert_int_gt(nr, 10);
				ck_assert_int_eq(tasks[0].pid, 0);
				ck_assert_str_eq(tasks[0].comm, "swapper/0");
				ck_assert(tasks[0].kthread);
				bad += check_ps(set.name, fe->d_name, tasks,
						nr);
				bad += check_maps(prog, set.name, fe->d_name,
						  &maps);
			}
			vmt_program_destroy(prog);
		}
	}
	fprintf(stderr, "test_kernel_real: %d dump files, %d maps files, %d mismatches\n",
		files, maps, bad);
	ck_assert_int_gt(files, 0);
	ck_assert_int_gt(maps, 0);
	ck_assert_int_eq(bad, 0);
}
END_TEST

int main(void)
{
	dumps_dir = vmt_shared_dumps();
	return vmt_real_dumps_main("kernel_real",
				   tasks_and_maps_match_the_guest, 900);
}
