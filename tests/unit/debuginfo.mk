# Check suites of debuginfo
