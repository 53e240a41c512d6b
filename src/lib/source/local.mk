# files of src/lib/source
