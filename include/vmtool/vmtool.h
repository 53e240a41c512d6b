/* SPDX-License-Identifier: LGPL-2.1-or-later */
/** @file vmtool.h Umbrella header of libvmtool. */
#ifndef VMTOOL_VMTOOL_H
#define VMTOOL_VMTOOL_H

#include "vmtool/error.h"
#include "vmtool/types.h"
#include "vmtool/program.h"
#include "vmtool/fs.h"
#include "vmtool/list.h"
#include "vmtool/log.h"
#include "vmtool/sys.h"
#include "vmtool/stack.h"
#include "vmtool/runq.h"
#include "vmtool/value.h"
#include "vmtool/page.h"
#include "vmtool/writer.h"
#include "vmtool/module.h"
#include "vmtool/page.h"
#include "vmtool/kmem.h"

#endif
