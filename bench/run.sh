#!/bin/sh
# The `make bench` driver: runs every benchmark script in BENCHES, in
# order. Each prints its figures and ratios against real clients measured
# in the same run; the output is shown and kept in
# $BUILD/bench-results/<name>.txt. A benchmark that fails does not stop
# the others; the exit status says whether all of them ran.
#
#   BUILD=build sh bench/run.sh [NAME...]
set -u
BUILD=${BUILD:-build}

# Add new benchmarks here, in the order to run: bench/bench_<name>.sh is
# run with sh, bench/bench_<name>.c is built by `make bench` into
# $BUILD/bench/bench_<name> and run directly.
BENCHES="create picker smt exec node transfer"

[ $# -gt 0 ] && BENCHES="$*"
out=$BUILD/bench-results
mkdir -p "$out"
failed=""
for b in $BENCHES; do
	echo "=== bench $b ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
	if [ -f "bench/bench_$b.sh" ]; then
		set -- sh "bench/bench_$b.sh"
	elif [ -x "$BUILD/bench/bench_$b" ]; then
		set -- "$BUILD/bench/bench_$b"
	else
		echo "bench/run.sh: no bench/bench_$b.sh or $BUILD/bench/bench_$b" >&2
		failed="$failed $b"
		continue
	fi
	# keep the benchmark's status through the pipe into tee
	{ BUILD=$BUILD "$@" 2>&1; echo $? >"$out/$b.rc"; } |
		tee "$out/$b.txt"
	[ "$(cat "$out/$b.rc")" = 0 ] || failed="$failed $b"
	rm -f "$out/$b.rc"
	echo
done
echo "results kept in $out/"
if [ -n "$failed" ]; then
	echo "failed:$failed"
	exit 1
fi
