# Check suites of vmcoreinfo
