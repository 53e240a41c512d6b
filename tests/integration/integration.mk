# The vmtool command end to end (shell + Python drivers).
TESTS += tests/integration/run-cli.sh tests/integration/run-truth.sh \
	tests/integration/run-api.sh tests/integration/run-sparse.sh
EXTRA_DIST += tests/integration/run-cli.sh tests/integration/run-truth.sh \
	tests/integration/check_truth.py tests/integration/run-api.sh \
	tests/integration/run-sparse.sh testdata/synth-sparse-16t.spec
