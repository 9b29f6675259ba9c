#!/bin/sh
# btt node: a single-validator chain on 127.0.0.1 with an OS-chosen port
# and 100 ms blocks. Transfers between wallets change balances exactly to
# the base unit (fee included); a reused nonce, a wrong chain id and an
# insufficient balance are refused with their own error codes; malformed
# JSON-RPC gets the standard codes; the chain advances, survives a
# restart, and answers block, tx, account, history and proof queries.
# TAP lines "ok - name" / "not ok - name"; every wait is bounded; the
# node is killed by PID and the temporary directory removed.
set -u
BUILD=${BUILD:-build}
BTT=$BUILD/btt
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-integ-node.XXXXXX")
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
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
for t in curl python3; do
	if ! command -v $t >/dev/null; then
		not_ok "$t is installed"
		exit 1
	fi
done

export BTT_KDF=fast BTT_PASSPHRASE=integ-pass
ks=$tmp/ks
wallet() { timeout 60 "$BTT" wallet --keystore "$ks" "$@"; }
chain() { timeout 60 "$BTT" chain "$@"; }

# Starts the node on $tmp/data; sets pid and BTT_RPC. Returns 1 if it
# does not print its port within 20 s.
start_node() {
	: >"$tmp/node.out"
	"$BTT" node --genesis "$tmp/g.json" --validator "$tmp/keys/partnerships.hex" \
		--data "$tmp/data" --rpc-port 0 --block-interval 100 \
		>"$tmp/node.out" 2>>"$tmp/node.err" &
	pid=$!
	i=0
	while [ $i -lt 200 ]; do
		port=$(sed -n 's|^rpc http://127.0.0.1:\([0-9]*\)/$|\1|p' "$tmp/node.out")
		if [ -n "$port" ]; then
			BTT_RPC=http://127.0.0.1:$port/
			export BTT_RPC
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

stop_node() {
	kill -TERM "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	pid=""
	return $rc
}

# A field of `btt chain ... --json` / `btt wallet ... --json` output.
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
balance() { chain account "$1" --json | field balance; }
height() { chain status --json | field height; }
rpc() {
	curl -s -m 10 -H 'Content-Type: application/json' --data-binary "$1" "$BTT_RPC"
}
rpc_code() { rpc "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"]["code"])'; }

chain genesis --out "$tmp/g.json" --keys-out "$tmp/keys" >/dev/null 2>"$tmp/err"
check "genesis with keys" [ -s "$tmp/keys/public_sale.hex" ]
A=$(wallet import <"$tmp/keys/public_sale.hex" 2>/dev/null | cut -d' ' -f1)
B=$(wallet new 2>/dev/null | cut -d' ' -f1)
C=$(wallet new 2>/dev/null | cut -d' ' -f1)
check "three wallets" [ -n "$A" -a -n "$B" -a -n "$C" ]

if ! start_node; then
	not_ok "node starts and prints its RPC port"
	cat "$tmp/node.err"
	exit 1
fi
ok "node starts and prints its RPC port"
h1=$(height)
sleep 0.5
h2=$(height)
check "chain status advances ($h1 -> $h2)" [ "$h2" -gt "$h1" ]

a0=$(balance "$A")
out=$(wallet send --from "$A" --to "$B" --amount 1.5 --json 2>"$tmp/err")
rc=$?
check "send 1.5 BTT A -> B waits for its block" [ "$rc" -eq 0 ]
fee1=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["receipt"]["fee"])')
check "the receipt says ok" \
	sh -c "printf '%s' '$out' | grep -q '\"ok\": true'"
check "B holds exactly 1.5 BTT" [ "$(balance "$B")" = 1500000000000000000 ]
want=$(python3 -c "print($a0 - 1500000000000000000 - $fee1)")
check "A paid 1.5 BTT plus the fee ($fee1), to the base unit" \
	[ "$(balance "$A")" = "$want" ]
check "the fee is the schedule's price for 168 bytes" [ "$fee1" = 1168000000000000 ]

out=$(wallet send --from "$B" --to "$C" --amount 0.000000000000000001 2>"$tmp/err")
check "send 1 base unit B -> C" [ $? -eq 0 ]
check "C holds 1 base unit" [ "$(balance "$C")" = 1 ]
check "B holds 1.5 BTT - 1 - fee" \
	[ "$(balance "$B")" = "$(python3 -c "print(1500000000000000000 - 1 - $fee1)")" ]

wallet send --from "$A" --to "$B" --amount 1 --nonce 0 >/dev/null 2>"$tmp/err"
rc=$?
check "a reused nonce is refused (exit 2)" [ "$rc" -eq 2 ]
check "with -32006 nonce already used" grep -q "nonce already used (error -32006" "$tmp/err"
wallet send --from "$A" --to "$B" --amount 1 --chain-id 7 >/dev/null 2>"$tmp/err"
rc=$?
check "a wrong chain id is refused (exit 2)" [ "$rc" -eq 2 ]
check "with -32005 wrong chain id" grep -q "wrong chain id (error -32005" "$tmp/err"
wallet send --from "$C" --to "$A" --amount 1 >/dev/null 2>"$tmp/err"
rc=$?
check "an insufficient balance is refused (exit 2)" [ "$rc" -eq 2 ]
check "with -32007 insufficient funds" grep -q "insufficient funds (error -32007" "$tmp/err"
check "nothing changed for C" [ "$(balance "$C")" = 1 ]
wallet send --from "$A" --to "$B" --amount 1.0000000000000000001 >/dev/null 2>&1
check "19 decimals are refused before signing" [ $? -eq 2 ]

txid=$(printf '%s' "$out" | head -n 1)
check "chain tx shows the transfer committed" \
	sh -c "timeout 60 '$BTT' chain tx '$txid' | grep -q '^status *committed'"
th=$(chain tx "$txid" --json | field height)
check "chain block $th lists it" \
	sh -c "timeout 60 '$BTT' chain block '$th' | grep -q '$txid'"
check "wallet history of B has both transfers" \
	[ "$(wallet history "$B" | wc -l)" -eq 2 ]
check "state_proof gives a proof for A" \
	sh -c "printf '%s' '$(rpc "{\"jsonrpc\":\"2.0\",\"method\":\"state_proof\",\"params\":[\"$A\"],\"id\":1}")' | grep -q '\"proof\":\"[0-9a-f]'"

check "malformed JSON: -32700" [ "$(rpc_code '{"jsonrpc":"2.0",')" = -32700 ]
check "not a request: -32600" [ "$(rpc_code '{"jsonrpc":"1.0","method":"chain_status","id":1}')" = -32600 ]
check "empty batch: -32600" [ "$(rpc_code '[]')" = -32600 ]
check "unknown method: -32601" [ "$(rpc_code '{"jsonrpc":"2.0","method":"nope","id":1}')" = -32601 ]
check "bad params: -32602" [ "$(rpc_code '{"jsonrpc":"2.0","method":"tx_submit","params":[12],"id":1}')" = -32602 ]
check "garbage transaction: -32002" [ "$(rpc_code '{"jsonrpc":"2.0","method":"tx_submit","params":["00"],"id":1}')" = -32002 ]
n=$(rpc '[{"jsonrpc":"2.0","method":"chain_status","id":1},{"jsonrpc":"2.0","method":"chain_status","id":2}]' |
	python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
check "a batch of two gets two answers" [ "$n" = 2 ]
st=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H 'Host: evil.example' \
	-H 'Content-Type: application/json' --data-binary '{}' "$BTT_RPC")
check "a foreign Host header is refused (403)" [ "$st" = 403 ]
head -c 1048577 /dev/zero | tr '\0' ' ' >"$tmp/big"
st=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary @"$tmp/big" "$BTT_RPC")
check "a body over 1 MiB is refused (413)" [ "$st" = 413 ]

hb=$(height)
bb=$(balance "$B")
stop_node
check "SIGTERM stops the node cleanly (exit 0)" [ $? -eq 0 ]
if start_node; then
	ok "the node restarts on its data"
	check "at the height it had or later" [ "$(height)" -ge "$hb" ]
	check "with the same balances" [ "$(balance "$B")" = "$bb" ]
	stop_node
else
	not_ok "the node restarts on its data"
fi
exit 0
