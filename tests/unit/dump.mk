# Check suites of dump
