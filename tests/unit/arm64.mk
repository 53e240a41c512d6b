# Check suites of arm64
