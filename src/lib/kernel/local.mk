# files of src/lib/kernel
