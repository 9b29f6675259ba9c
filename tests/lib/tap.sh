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

# seed_start NAME ARGS...: `btt seed ARGS --port 0 --bind 127.0.0.1` in the
# background (under `timeout --foreground 300`), output in $tmp/NAME.out
# and .err; its PID goes to $pids. Returns 0 once it printed "seeding",
# with SEED_PID and SEED_PORT set; 1 when it exited or took over 60 s.
seed_start() {
	_tap_n=$1
	shift
	timeout --foreground 300 "$BTT" seed "$@" --port 0 --bind 127.0.0.1 \
		>"$tmp/$_tap_n.out" 2>"$tmp/$_tap_n.err" &
	SEED_PID=$!
	pids="$pids $SEED_PID"
	SEED_PORT=
	for _tap_i in $(seq 300); do
		if grep -q '^seeding' "$tmp/$_tap_n.out" 2>/dev/null; then
			SEED_PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' \
				"$tmp/$_tap_n.out")
			return 0
		fi
		kill -0 "$SEED_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# stop PID: SIGTERM, then wait (bounded by the timeout it runs under);
# sets STOP_RC. Processes we signal run under `timeout --foreground`, so
# the signal reaches btt once (without it, timeout also signals its whole
# process group and btt sees a second SIGTERM, which ends it at once).
stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	STOP_RC=$?
}
