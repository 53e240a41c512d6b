// Names for completion: the symbols every source knows, by prefix.
#include "program_internal.h"

void vmt_program_symbol_names(struct vmt_program *prog, const char *prefix,
			      bool (*fn)(const char *name, void *arg),
			      void *arg)
{
	debuginfo_symbol_names(&prog->di, prefix ? prefix : "", fn, arg);
}
