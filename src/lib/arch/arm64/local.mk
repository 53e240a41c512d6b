# files of src/lib/arch/arm64
