// Shared by the type-source targets (BTF, DWARF): look types up by name
// and walk what they convert to.
#ifndef VMT_FUZZ_TYPES_H
#define VMT_FUZZ_TYPES_H

#include "fuzz.h"
#include "debuginfo/typedb.h"

static const char *const lookups[] = {
	"task_struct", "struct task_struct", "mm_struct", "list_head",
	"struct maple_tree", "union maple_enode", "enum pid_type", "pid_t",
	"u64", "int", "vm_area_struct", "struct",
};

static const char *const paths[] = {
	"tasks", "tasks.next", "pid", "comm", "mm", "thread_info.cpu",
	"__state", "se.on_rq", "a", "b.c",
};

// Look at every member of @p t, down to @p depth levels.
static inline void walk_type(const struct vmt_type *t, int depth)
{
	char name[256];

	type_name(t, name, sizeof(name));
	t = type_strip(t);
	if (!t || depth <= 0)
		return;
	for (size_t i = 0; i < t->nr_members; i++)
		walk_type(t->members[i].type, depth - 1);
	for (size_t i = 0; i < t->nr_enumerators; i++)
		FUZZ_ASSERT(t->enumerators[i].name);
	if (t->target)
		walk_type(t->target, depth - 1);
}

static inline void fuzz_exercise_types(struct typedb *db)
{
	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		const struct vmt_type *t;
		struct vmt_error *err = typedb_find(db, lookups[i], &t);

		if (err) {
			fuzz_check_error(err);
			continue;
		}
		walk_type(t, 4);
		for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
			const struct vmt_type_member *m;
			uint64_t bit;

			fuzz_check_error(type_member(t, paths[k], &bit, &m));
		}
	}
}

#endif
