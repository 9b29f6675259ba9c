# Sourced by the integration scripts: the btt under test and TAP-style
# result lines ("ok - name" / "not ok - name"), which scripts/run-tests.sh
# counts.
BUILD=${BUILD:-build}
BTT=$BUILD/btt

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; }
not_ok() { nok "$1"; }

# check NAME CMD...: ok when CMD succeeds; on failure its output is shown
# as TAP diagnostics.
check() {
	_tap_name=$1
	shift
	_tap_out=$(mktemp "${TMPDIR:-/tmp}/btt-check.XXXXXX")
	if "$@" >"$_tap_out" 2>&1; then
		ok "$_tap_name"
	else
		nok "$_tap_name"
		sed 's/^/#   /' "$_tap_out" | head -20
	fi
	rm -f "$_tap_out"
}
