// The on-disk layout of kdump-compressed files, split sets and the
// flattened stream, for 64-bit targets (ARM64-REFERENCE.md section 2.8,
// from makedumpfile's diskdump_mod.h and IMPLEMENTATION). Constants only,
// so that writers that link nothing of libvmtool (tests/tools/mkvmcore)
// share them.
#ifndef VMT_DUMP_KDUMP_FORMAT_H
#define VMT_DUMP_KDUMP_FORMAT_H

/* Block 0: struct disk_dump_header (offsets in bytes). */
#define KDUMP_DH_SIGNATURE 0 /* "KDUMP   " or "DISKDUMP" */
#define KDUMP_DH_VERSION 8
#define KDUMP_DH_UTSNAME 12 /* 6 fields of KDUMP_UTS_LEN bytes */
#define KDUMP_UTS_LEN 65
#define KDUMP_DH_TIMESTAMP 408 /* tv_sec, tv_usec: 2 x i64 */
#define KDUMP_DH_STATUS 424
#define KDUMP_DH_BLOCK_SIZE 428
#define KDUMP_DH_SUB_HDR_SIZE 432 /* in blocks */
#define KDUMP_DH_BITMAP_BLOCKS 436 /* both bitmaps */
#define KDUMP_DH_MAX_MAPNR 440 /* u32, obsolete since version 6 */
#define KDUMP_DH_TOTAL_RAM_BLOCKS 444
#define KDUMP_DH_DEVICE_BLOCKS 448
#define KDUMP_DH_WRITTEN_BLOCKS 452
#define KDUMP_DH_CURRENT_CPU 456
#define KDUMP_DH_NR_CPUS 460
#define KDUMP_DH_SIZE 464

/* Block 1: struct kdump_sub_header. */
#define KDUMP_SH_PHYS_BASE 0
#define KDUMP_SH_DUMP_LEVEL 8 /* version 1 */
#define KDUMP_SH_SPLIT 12 /* version 2 */
#define KDUMP_SH_START_PFN 16
#define KDUMP_SH_END_PFN 24
#define KDUMP_SH_OFFSET_VMCOREINFO 32 /* version 3 */
#define KDUMP_SH_SIZE_VMCOREINFO 40
#define KDUMP_SH_OFFSET_NOTE 48 /* version 4 */
#define KDUMP_SH_SIZE_NOTE 56
#define KDUMP_SH_OFFSET_ERASEINFO 64 /* version 5 */
#define KDUMP_SH_SIZE_ERASEINFO 72
#define KDUMP_SH_START_PFN_64 80 /* version 6 */
#define KDUMP_SH_END_PFN_64 88
#define KDUMP_SH_MAX_MAPNR_64 96
#define KDUMP_SH_SIZE 104

/* The header version makedumpfile writes: 64-bit PFNs. */
#define KDUMP_HEADER_VERSION 6

/* Header status and page_desc.flags. */
#define KDUMP_COMPRESSED_ZLIB 0x01
#define KDUMP_COMPRESSED_LZO 0x02
#define KDUMP_COMPRESSED_SNAPPY 0x04
#define KDUMP_COMPRESSED_INCOMPLETE 0x08
#define KDUMP_EXCLUDED_VMEMMAP 0x10
#define KDUMP_COMPRESSED_ZSTD 0x20

/* struct page_desc { i64 offset; u32 size; u32 flags; u64 page_flags; } */
#define KDUMP_PD_OFFSET 0
#define KDUMP_PD_SIZE_FIELD 8
#define KDUMP_PD_FLAGS 12
#define KDUMP_PD_PAGE_FLAGS 16
#define KDUMP_PD_SIZE 24

/*
 * The flattened stream (makedumpfile -F): a big-endian header of
 * KDUMP_FLAT_HEADER_SIZE bytes, then records {i64 offset; i64 size; data},
 * ended by a record whose offset and size are -1.
 */
#define KDUMP_FLAT_SIGNATURE "makedumpfile"
#define KDUMP_FLAT_HEADER_SIZE 4096
#define KDUMP_FLAT_TYPE_OFF 16
#define KDUMP_FLAT_VERSION_OFF 24
#define KDUMP_FLAT_TYPE 1
#define KDUMP_FLAT_VERSION 1
#define KDUMP_FLAT_RECORD_HEADER 16

/* aarch64 struct elf_prstatus: pr_pid, then pr_reg (x0-x30, sp, pc, pstate). */
#define KDUMP_PRSTATUS_SIZE 392
#define KDUMP_PRSTATUS_PID 32
#define KDUMP_PRSTATUS_REG 112

#endif
