# files of src/lib/vmcoreinfo
