// What struct kernel holds: the program's parts that kernel-object code
// reads through (only program.c and kernel.c look inside).
#ifndef VMT_KERNEL_CTX_H
#define VMT_KERNEL_CTX_H

#include "debuginfo/combined.h"
#include "dump/dump.h"
#include "kernel/kernel.h"
#include "mem/address_space.h"

struct kernel {
	struct dump *dump;
	const struct arm64_layout *layout;
	struct address_space *as;
	struct debuginfo *di;
	struct warnings *warnings;
	const char *osrelease;
};

#endif
