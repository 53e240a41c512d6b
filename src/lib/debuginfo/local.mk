# files of src/lib/debuginfo
