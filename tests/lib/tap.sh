# tests/lib/tap.sh: plain TAP for the shell tests (source it). The tap_*
# functions number the test points themselves; TAP_FAILED is 1 once any
# point failed.
TAP_N=0
TAP_FAILED=0
tap_plan() { echo "1..$1"; }
tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
tap_not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=1; echo "not ok $TAP_N - $*"; }
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N # SKIP $*"; }
tap_diag() { sed 's/^/# /'; }
tap_bail() { echo "Bail out! $*"; exit 1; }
