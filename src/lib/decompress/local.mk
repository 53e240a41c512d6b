# files of src/lib/decompress
