#!/bin/sh
# make demo: a tour of what btt does today, on generated data in a
# temporary directory that is removed at the end.
set -eu
BUILD=${BUILD:-build}
BTT=$(pwd)/$BUILD/btt
work=$(mktemp -d "${TMPDIR:-/tmp}/btt-demo.XXXXXX")
pids=""
cleanup() {
	rc=$?
	set +e
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Generating a small data set (nested folders, an empty file, 48 MiB)"
mkdir -p "$work/photos/2026/summer" "$work/photos/empty-album"
head -c 33554432 /dev/urandom >"$work/photos/2026/summer/beach.raw"
head -c 16777216 /dev/urandom >"$work/photos/2026/holiday.mov"
head -c 1000 /dev/urandom >"$work/photos/notes.txt"
: >"$work/photos/empty-album/.keep"
cd "$work"

step "Creating a hybrid (v1 + v2) torrent"
run "$BTT" create --hybrid -a http://127.0.0.1:6969/announce \
	--comment "btt demo" -o photos.torrent photos

step "What the torrent holds"
run "$BTT" info photos.torrent

step "Verifying the data against it"
run "$BTT" verify photos.torrent .

step "A swarm on 127.0.0.1: one btt seed, two btt downloaders"
mkdir -p swarm/a swarm/b
# trackerless: the downloaders are told where the seed is
"$BTT" create --hybrid -q -o swarm.torrent photos
# in the background: $! must be btt itself, so no `run` wrapper
echo "\$ $BTT seed swarm.torrent . --bind 127.0.0.1 --port 0 -q &"
"$BTT" seed swarm.torrent . --bind 127.0.0.1 --port 0 -q >swarm/seed.out 2>&1 &
pids="$pids $!"
port=""
for _ in $(seq 100); do
	port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' swarm/seed.out)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { cat swarm/seed.out; exit 1; }
echo "seeder listening on 127.0.0.1:$port"
# A second downloader runs quietly beside this one, which is slowed to
# 8 MB/s so the progress is visible.
"$BTT" get swarm.torrent -o swarm/b --bind 127.0.0.1 --port 0 --no-seed \
	-q --peer 127.0.0.1:"$port" >swarm/b.out 2>&1 &
pids="$pids $!"
run "$BTT" get swarm.torrent -o swarm/a --bind 127.0.0.1 --port 0 --no-seed \
	--down-limit 8m --peer 127.0.0.1:"$port"
wait_b=${pids##* }
wait "$wait_b" && echo "the second downloader finished too"
run "$BTT" verify -q swarm.torrent swarm/a && echo "swarm/a: verified"

step "Damaging one byte and verifying again (exit 1 expected)"
# a byte other than the one there ('X' unless it already is one)
old=$(od -A n -t u1 -j 1000000 -N 1 photos/2026/holiday.mov | tr -d ' ')
new=X
[ "$old" = 88 ] && new=Y
printf '%s' "$new" | dd of=photos/2026/holiday.mov bs=1 seek=1000000 conv=notrunc 2>/dev/null
set +e
run "$BTT" verify photos.torrent .
rc=$?
set -e
echo "(exit code $rc)"

step "A magnet link round trip"
magnet=$("$BTT" info --json photos.torrent | sed -n 's/.*"magnet": *"\([^"]*\)".*/\1/p')
run "$BTT" info "$magnet"

step "A local single-validator BTT chain: genesis, a node, two wallets"
mkdir -p chain
run "$BTT" chain genesis --out chain/genesis.json --keys-out chain/keys
"$BTT" node --genesis chain/genesis.json --validator chain/keys/partnerships.hex \
	--data chain/data --rpc-port 0 --block-interval 200 \
	>chain/node.out 2>chain/node.err &
pids="$pids $!"
BTT_RPC=""
for _ in $(seq 100); do
	BTT_RPC=$(sed -n 's|^rpc \(http://127.0.0.1:[0-9]*/\)$|\1|p' chain/node.out)
	[ -n "$BTT_RPC" ] && break
	sleep 0.1
done
[ -n "$BTT_RPC" ] || { cat chain/node.err; exit 1; }
export BTT_RPC
echo "node running, RPC at $BTT_RPC"
# a cheap key derivation and a fixed passphrase: demo keys only
export BTT_KDF=fast BTT_PASSPHRASE=demo
alice=$("$BTT" wallet --keystore chain/ks import <chain/keys/public_sale.hex | cut -d' ' -f1)
bob=$("$BTT" wallet --keystore chain/ks new | cut -d' ' -f1)
echo "alice = $alice (the public sale bucket), bob = $bob (new)"
run "$BTT" chain status
run "$BTT" wallet balance "$alice"

step "Alice sends 12.5 BTT to Bob; the wallet waits for the block"
run "$BTT" wallet --keystore chain/ks send --from "$alice" --to "$bob" --amount 12.5
run "$BTT" wallet balance "$bob"
run "$BTT" wallet balance "$alice"
run "$BTT" wallet history "$bob"
node_pid=${pids##* }
kill -TERM "$node_pid"
wait "$node_pid" || true
pids=${pids% *}

step "Done: $BTT --help lists the commands"
