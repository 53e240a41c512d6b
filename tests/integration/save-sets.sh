#!/bin/sh
# Rewrite every dump set of ../shared/dumps with `vmtool save`, into sets
# the truth checks can judge (../shared/tools/truthcheck.py --sets OUTDIR):
# each new set holds only files vmtool wrote, and a link to the truth.
#
# usage: save-sets.sh VMTOOL SHARED_DUMPS OUTDIR [SET...]
#
# Files of each set (names as truthcheck.py reads them: "vmcore.mdf-*" may
# lack pages, "-d31" ones must report the workload's pages as excluded):
#   vmcore.kdump-zlib             save -c -d 1 (zero pages share one block)
#   vmcore.elf                    save -E -d 0
#   vmcore.kdump-zlib.flat        save -c -d 0 -F (the flattened stream)
#   vmcore.kdump-split-{1,2,3}.zstd  save -z -d 0 --split 3
#   vmcore.mdf-lzo-d31.kdump      save -l -d 31
#   vmcore.mdf-snappy-d17.kdump   save -p -d 17
#   vmcore.mdf-elf-d31            save -E -d 31
# The inputs rotate through the formats the originals come in (ELF,
# kdump, flattened, and what save itself wrote) to show any input works.
set -eu
VMTOOL=$1
SHARED=$2
OUT=$3
shift 3
CACHE=${TMPDIR:-/tmp}/vmtool-truthcheck

sets=${*:-$(cd "$SHARED" && ls)}
for set in $sets; do
	src=$SHARED/$set
	[ -d "$src/truth" ] || continue
	dst=$OUT/$set
	rm -rf "$dst"
	mkdir -p "$dst"
	ln -s "$src/truth" "$dst/truth"
	# The ELF original, decompressed once (truthcheck.py's cache).
	elf=
	for f in vmcore.elf vmcore.proc.elf; do
		if [ -f "$CACHE/$set/$f" ]; then
			elf=$CACHE/$set/$f
		elif [ -f "$src/$f.xz" ]; then
			mkdir -p "$CACHE/$set"
			xz -dc "$src/$f.xz" > "$CACHE/$set/$f.tmp"
			mv "$CACHE/$set/$f.tmp" "$CACHE/$set/$f"
			elf=$CACHE/$set/$f
		fi
		[ -n "$elf" ] && break
	done
	other=$elf
	for f in vmcore.kdump-zlib vmcore.kdump-zlib.flat; do
		[ -f "$src/$f" ] && other=$src/$f
	done
	run() { # INPUT ARGS...
		in=$1
		shift
		echo "$set: vmtool $(basename "$in") save $*" >&2
		"$VMTOOL" -q "$in" save -f "$@"
	}
	run "$elf" -c -d 1 "$dst/vmcore.kdump-zlib"
	run "$other" -E -d 0 "$dst/vmcore.elf"
	run "$dst/vmcore.kdump-zlib" -c -d 0 -F > "$dst/vmcore.kdump-zlib.flat"
	run "$dst/vmcore.kdump-zlib.flat" -z -d 0 --split 3 \
		"$dst/vmcore.kdump-split-1.zstd" "$dst/vmcore.kdump-split-2.zstd" \
		"$dst/vmcore.kdump-split-3.zstd"
	run "$elf" -l -d 31 "$dst/vmcore.mdf-lzo-d31.kdump"
	echo "$set: vmtool vmcore.kdump-split-{1,2,3}.zstd save -p -d 17" >&2
	"$VMTOOL" -q "$dst/vmcore.kdump-split-1.zstd" \
		"$dst/vmcore.kdump-split-2.zstd" "$dst/vmcore.kdump-split-3.zstd" \
		save -f -p -d 17 "$dst/vmcore.mdf-snappy-d17.kdump"
	run "$other" -E -d 31 "$dst/vmcore.mdf-elf-d31"
done
