# Check suites of kernel
