# Sourced by the integration scripts: the btt under test and TAP-style
# result lines ("ok - name" / "not ok - name"), which scripts/run-tests.sh
# counts.
BUILD=${BUILD:-build}
BTT=$BUILD/btt

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; }
# not_ok NAME [LOG...]: the TAP line, then the end of each log given.
not_ok() {
	nok "$1"
	shift
	for _tap_f in "$@"; do
		[ -s "$_tap_f" ] && tail -n 15 "$_tap_f" | sed 's/^/#   /'
	done
	return 0
}

# tap_tmp NAME: makes the work directory $tmp and an empty PID list $pids;
# on exit every PID in $pids is killed (by PID) and $tmp removed.
tap_tmp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-integ-$1.XXXXXX")
	pids=""
	trap _tap_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
_tap_cleanup() {
	for _tap_p in $pids; do
		kill -9 "$_tap_p" 2>/dev/null
	done
	rm -rf "$tmp"
}

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
