#!/bin/sh
# btt node under kill -9: while a stream of transfers is submitted, the
# node is killed at random moments several times and restarted on the
# same data directory. After each restart the height is at least what it
# was before the kill, and every transfer that was committed before the
# kill is still committed. At the end `btt chain replay` re-executes
# every block on a fresh directory and reaches the same state root at
# the same height; a data directory of another genesis is refused with a
# clear message.
# TAP lines "ok - name" / "not ok - name"; every wait is bounded; the
# node and the load loop are killed by PID; the temporary directory is
# removed.
set -u
BUILD=${BUILD:-build}
BTT=$BUILD/btt
ROUNDS=${ROUNDS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-integ-kill.XXXXXX")
pid=""
load=""
cleanup() {
	[ -n "$load" ] && kill -9 "$load" 2>/dev/null
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; }
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

if [ ! -x "$BTT" ]; then
	not_ok "btt binary exists at $BTT"
	exit 1
fi
if ! command -v python3 >/dev/null; then
	not_ok "python3 is installed"
	exit 1
fi

export BTT_KDF=fast BTT_PASSPHRASE=integ-pass
ks=$tmp/ks
port_file=$tmp/rpc
wallet() { timeout 60 "$BTT" wallet --keystore "$ks" "$@"; }

start_node() {
	: >"$tmp/node.out"
	"$BTT" node --genesis "$tmp/g.json" --validator "$tmp/keys/partnerships.hex" \
		--data "$1" --rpc-port 0 --block-interval 100 \
		>"$tmp/node.out" 2>"$tmp/node.err" &
	pid=$!
	i=0
	while [ $i -lt 200 ]; do
		url=$(sed -n 's|^rpc \(http://127.0.0.1:[0-9]*/\)$|\1|p' "$tmp/node.out")
		if [ -n "$url" ]; then
			BTT_RPC=$url
			export BTT_RPC
			printf '%s\n' "$url" >"$port_file"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
height() { timeout 30 "$BTT" chain status --json 2>/dev/null | field height; }
# committed txids of B's history, one per line, sorted
committed() {
	wallet history "$B" --json 2>/dev/null |
		python3 -c 'import json,sys; [print(t["txid"]) for t in json.load(sys.stdin)]' |
		sort
}

"$BTT" chain genesis --out "$tmp/g.json" --keys-out "$tmp/keys" >/dev/null
A=$(wallet import <"$tmp/keys/public_sale.hex" 2>/dev/null | cut -d' ' -f1)
B=$(wallet new 2>/dev/null | cut -d' ' -f1)
check "two wallets" [ -n "$A" -a -n "$B" ]

if ! start_node "$tmp/data"; then
	not_ok "node starts"
	cat "$tmp/node.err"
	exit 1
fi
ok "node starts"

# The load: transfers A -> B, one after another, each to whichever node
# is running now (the URL file is rewritten at every restart).
(
	while :; do
		BTT_RPC=$(cat "$port_file") timeout 20 "$BTT" wallet --keystore "$ks" \
			send --from "$A" --to "$B" --amount 0.001 --no-wait \
			>/dev/null 2>&1
	done
) &
load=$!

round=1
while [ "$round" -le "$ROUNDS" ]; do
	nap=$(awk -v r="$round" 'BEGIN { srand(); printf "%.2f", 0.8 + rand() * 1.5 }')
	sleep "$nap"
	before=$(height)
	committed >"$tmp/before"
	sleep "$(awk 'BEGIN { srand(); printf "%.2f", rand() * 0.3 }')"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	pid=""
	if ! start_node "$tmp/data"; then
		not_ok "round $round: the node restarts after kill -9"
		sed 's/^/# /' "$tmp/node.err"
		break
	fi
	after=$(height)
	check "round $round: height $before before the kill, $after after" \
		[ -n "$before" ] && [ -n "$after" ] && [ "$after" -ge "$before" ]
	committed >"$tmp/after"
	n=$(wc -l <"$tmp/before")
	check "round $round: the $n transfers committed before are still committed" \
		[ -z "$(comm -23 "$tmp/before" "$tmp/after")" ]
	round=$((round + 1))
done
kill -9 "$load" 2>/dev/null
wait "$load" 2>/dev/null
load=""
total=$(committed | wc -l)
check "transfers were committed meanwhile ($total)" [ "$total" -gt 0 ]

kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=""
rep=$(timeout 300 "$BTT" chain replay --genesis "$tmp/g.json" --data "$tmp/data" \
	--out "$tmp/replay" 2>"$tmp/err")
check "chain replay re-executes every block" [ $? -eq 0 -a -n "$rep" ]
rh=${rep%% *}
rr=${rep#* }
if start_node "$tmp/data"; then
	sr=$(timeout 30 "$BTT" chain block "$rh" --json | field state_root)
	check "the state root at height $rh is the replay's" [ "$sr" = "$rr" ]
	kill -TERM "$pid"
	wait "$pid"
	check "and the node stops cleanly" [ $? -eq 0 ]
	pid=""
else
	not_ok "the node starts after the replay"
fi

# A data directory made from another genesis is refused, not reused.
"$BTT" chain genesis --out "$tmp/g2.json" --chain-id 99 >/dev/null
timeout 30 "$BTT" node --genesis "$tmp/g2.json" --validator "$tmp/keys/partnerships.hex" \
	--data "$tmp/data" --rpc-port 0 >/dev/null 2>"$tmp/err"
rc=$?
check "a data directory of another genesis is refused (exit 1)" [ "$rc" -eq 1 ]
check "with a message naming the directory" grep -q "$tmp/data" "$tmp/err"

# A store file cut short (a torn copy) is refused with a message, never
# read past its end.
size=$(stat -c %s "$tmp/data/data.mdb")
truncate -s $((size / 2)) "$tmp/data/data.mdb"
timeout 30 "$BTT" node --genesis "$tmp/g.json" --validator "$tmp/keys/partnerships.hex" \
	--data "$tmp/data" --rpc-port 0 >/dev/null 2>"$tmp/err"
rc=$?
check "a truncated store is refused (exit 1, not a signal: got $rc)" [ "$rc" -eq 1 ]
check "with a message saying the store is corrupt" grep -qi "corrupt" "$tmp/err"
exit 0
