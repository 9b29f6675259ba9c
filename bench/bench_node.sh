#!/bin/sh
# End-to-end node benchmark: a single-validator node on 127.0.0.1 with
# BLOCK_MS blocks; $BUILD/bench/bench_node (bench/bench_node.c) funds
# ACCOUNTS accounts, pre-signs PER_ACCOUNT transfers for each, submits
# them over JSON-RPC in batches and watches them commit. Prints the
# sustained committed rate and the p50/p99 submit-to-commit latency. The
# node is killed by PID and the temporary directory removed; the run is
# bounded (bench_node gives up after 300 s).
#
#   BUILD=build ACCOUNTS=500 PER_ACCOUNT=40 BATCH=200 BLOCK_MS=250 \
#       sh bench/bench_node.sh
set -u
BUILD=${BUILD:-build}
BTT=$BUILD/btt
LOAD=$BUILD/bench/bench_node
ACCOUNTS=${ACCOUNTS:-500}
PER_ACCOUNT=${PER_ACCOUNT:-40}
BATCH=${BATCH:-200}
BLOCK_MS=${BLOCK_MS:-250}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-bench-node.XXXXXX")
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

for f in "$BTT" "$LOAD"; do
	if [ ! -x "$f" ]; then
		echo "bench_node: $f is missing (make bench builds it)" >&2
		exit 1
	fi
done

"$BTT" chain genesis --out "$tmp/g.json" --keys-out "$tmp/keys" >/dev/null || exit 1
"$BTT" node --genesis "$tmp/g.json" --validator "$tmp/keys/partnerships.hex" \
	--data "$tmp/data" --rpc-port 0 --block-interval "$BLOCK_MS" \
	>"$tmp/node.out" 2>"$tmp/node.err" &
pid=$!
url=""
i=0
while [ -z "$url" ] && [ $i -lt 200 ]; do
	sleep 0.1
	url=$(sed -n 's|^rpc \(http://127.0.0.1:[0-9]*/\)$|\1|p' "$tmp/node.out")
	i=$((i + 1))
done
if [ -z "$url" ]; then
	echo "bench_node: the node did not start" >&2
	cat "$tmp/node.err" >&2
	exit 1
fi
echo "node         1 validator, $BLOCK_MS ms blocks, $(nproc) CPUs, RPC $url"
"$LOAD" "$url" "$tmp/keys/public_sale.hex" "$ACCOUNTS" "$PER_ACCOUNT" "$BATCH"
rc=$?
kill -TERM "$pid"
wait "$pid"
pid=""
exit $rc
