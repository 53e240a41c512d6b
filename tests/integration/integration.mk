# The vmtool command end to end (shell + Python drivers).
TESTS += tests/integration/run-cli.sh tests/integration/run-truth.sh \
	tests/integration/run-api.sh
EXTRA_DIST += tests/integration/run-cli.sh tests/integration/run-truth.sh \
	tests/integration/check_truth.py tests/integration/run-api.sh
# Rewrites the shared sets with `save` for truthcheck.py (run by hand).
EXTRA_DIST += tests/integration/save-sets.sh
