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

# Add new benchmarks here (bench/bench_<name>.sh), in the order to run.
BENCHES="create"

[ $# -gt 0 ] && BENCHES="$*"
out=$BUILD/bench-results
mkdir -p "$out"
failed=""
for b in $BENCHES; do
	script=bench/bench_$b.sh
	echo "=== bench $b ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
	if [ ! -f "$script" ]; then
		echo "bench/run.sh: $script missing" >&2
		failed="$failed $b"
		continue
	fi
	# keep the script's status through the pipe into tee
	{ BUILD=$BUILD sh "$script" 2>&1; echo $? >"$out/$b.rc"; } |
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
