# files of src/lib/mem
