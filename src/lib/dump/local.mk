# files of src/lib/dump
