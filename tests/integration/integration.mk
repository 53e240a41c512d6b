# The vmtool command end to end (shell + Python drivers).
TESTS += tests/integration/run-cli.sh tests/integration/run-truth.sh \
	tests/integration/run-api.sh tests/integration/run-vmcoreinfo-recovery.sh \
	tests/integration/run-json.sh tests/integration/run-session.sh
EXTRA_DIST += tests/integration/run-cli.sh tests/integration/run-truth.sh \
	tests/integration/check_truth.py tests/integration/run-api.sh \
	tests/integration/run-vmcoreinfo-recovery.sh \
	tests/integration/check_vmcoreinfo_recovery.py \
	tests/integration/strip_vmcoreinfo.py \
	tests/integration/run-json.sh tests/integration/check_json.py \
	tests/integration/run-session.sh tests/integration/check_session.py
# Rewrites the shared sets with `save` for truthcheck.py (run by hand).
EXTRA_DIST += tests/integration/save-sets.sh
# runq, p, task and foreach on real dump sets.
TESTS += tests/integration/run-kobj.sh
EXTRA_DIST += tests/integration/run-kobj.sh tests/integration/check_kobj.py
# examples/triage on the sample and the shared sets.
TESTS += tests/integration/run-triage.sh
EXTRA_DIST += tests/integration/run-triage.sh examples/triage
# Doxygen prints no warning over the public headers (skips without it).
TESTS += tests/integration/run-doc.sh
EXTRA_DIST += tests/integration/run-doc.sh
# The manual's commands, options and examples against vmtool.
TESTS += tests/integration/run-manual.sh
EXTRA_DIST += tests/integration/run-manual.sh tests/integration/check_manual.py
