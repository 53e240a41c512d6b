# The corrupt-dump suite: the findings of issue 11 as regression checks,
# and damaged variants of real and synthetic dumps run through every
# command (a fixed sample in make check, >= 10,000 in make check-corrupt).
TESTS += tests/corrupt/run-regressions.sh
EXTRA_DIST += tests/corrupt/run-regressions.sh tests/corrupt/regressions.py \
	tests/corrupt/dumpfile.py

clean-local: clean-corrupt
clean-corrupt:
	rm -rf tests/corrupt-regressions tests/corrupt-work
.PHONY: clean-corrupt
