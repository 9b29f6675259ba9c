#!/bin/sh
# BEP 52 hash requests answered by btt, checked by libtorrent 2.0.
#
# libtorrent is given the v2 torrent without its "piece layers", so it
# must ask a peer for them (HASH_REQUEST at the piece layer, with uncle
# hashes once a file has more than 512 pieces); the only peer is a btt
# seed holding the whole .torrent.
#
# A finished download alone proves nothing: with every piece of a file in
# hand libtorrent checks the file against its pieces root from the block
# hashes, layers or not. So each case first downloads only the first
# pieces of the largest file: libtorrent can verify (and so counts) those
# only with a piece layer it got from btt and checked against the root.
# Then a full download must give the same bytes. btt's log must show the
# requests served and none rejected.
#
# Cases: a multi-file tree with 16 KiB pieces whose largest file has 1282
# pieces (three requests of 512, the first with two uncle hashes), and a
# single file with 64 KiB pieces (one request, no uncles). TAP output; the
# status is 0 only if every check passed. IT_KEEP=1 keeps the directory.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/interop/lib.sh
it_init interop-v2-hashes

# shellcheck disable=SC2034 # read by it_btt (lib.sh)
IT_BTT_GLOBAL="--log-level debug"

if ! $IT_PY -c 'import libtorrent' >/dev/null 2>&1; then
	it_not_ok "libtorrent importable by $IT_PY"
	it_summary
	exit 1
fi
if ! it_btt_available; then
	it_not_ok "btt get/seed available" "'$IT_BTT get --help' or 'seed --help' fails"
	it_summary
	exit 1
fi

# strip IN OUT: the torrent without its piece layers.
strip() {
	$IT_PY -c '
import sys
import libtorrent as lt
d = lt.bdecode(open(sys.argv[1], "rb").read())
if b"piece layers" not in d:
    sys.exit(1)
del d[b"piece layers"]
open(sys.argv[2], "wb").write(lt.bencode(d))' "$1" "$2"
}

# The partial leecher: downloads pieces [0, WANT) only and exits 0 once
# libtorrent has verified all of them (printing "verified N"), 1 on
# timeout.
cat >"$IT_TMP/partial.py" <<'EOF'
import os
import sys
import time

import libtorrent as lt

tor, out, peer, want, limit = sys.argv[1:6]
want = int(want)
ses = lt.session({
    "listen_interfaces": "127.0.0.1:0", "outgoing_interfaces": "127.0.0.1",
    "enable_dht": False, "enable_lsd": False, "enable_upnp": False,
    "enable_natpmp": False, "enable_outgoing_utp": False,
    "enable_incoming_utp": False, "allow_multiple_connections_per_ip": True,
    "alert_mask": lt.alert.category_t.error_notification})
atp = lt.add_torrent_params()
atp.ti = lt.torrent_info(tor)
atp.save_path = out
atp.flags &= ~lt.torrent_flags.auto_managed
atp.flags &= ~lt.torrent_flags.paused
atp.piece_priorities = [4 if i < want else 0
                        for i in range(atp.ti.num_pieces())]
h = ses.add_torrent(atp)
host, port = peer.rsplit(":", 1)
end = time.time() + float(limit)
dialled = 0.0
got = 0
while time.time() < end:
    for a in ses.pop_alerts():
        print("alert: %s" % a.message(), flush=True)
    if h.status().num_peers == 0 and time.time() - dialled > 2:
        h.connect_peer((host, int(port)))
        dialled = time.time()
    got = sum(1 for i in range(want) if h.have_piece(i))
    if got == want:
        break
    time.sleep(0.1)
print("verified %d of %d" % (got, want), flush=True)
# Skip the session's destructor, as lt_peer.py does.
os._exit(0 if got == want else 1)
EOF

served() { grep -c 'hash request .*: served$' "$1" 2>/dev/null; }
rejected() { grep 'hash request ' "$1" 2>/dev/null | grep -vc ': served$'; }

# run NAME SRC PIECE WANT MIN_SERVED: one case.
run() {
	name=$1 src=$2 piece=$3 want=$4 min=$5
	dir=$IT_TMP/$name
	mkdir -p "$dir"
	"$IT_BTT" create -q -f --v2 -l "$piece" -o "$dir/full.torrent" "$src"
	it_check "$name: btt create --v2" [ $? -eq 0 ]
	strip "$dir/full.torrent" "$dir/bare.torrent"
	it_check "$name: the torrent without piece layers" [ $? -eq 0 ]
	if ! it_btt "$name-seed" seed "$dir/full.torrent" "$(dirname "$src")"; then
		it_not_ok "$name: btt seeds"
		it_diag_file "$(it_log "$name-seed" err)"
		return
	fi
	seed=$IT_PID
	seed_port=$IT_PORT
	log=$(it_log "$name-seed" err)

	it_spawn "$name-partial" "$IT_PY" "$IT_TMP/partial.py" \
		"$dir/bare.torrent" "$dir/partial" "127.0.0.1:$seed_port" \
		"$want" 60
	it_wait_exit "$IT_PID" 90
	rc=$?
	it_check "$name: libtorrent verifies pieces 0..$((want - 1)) with btt's piece layer (exit $rc)" \
		[ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || it_diag_file "$(it_log "$name-partial" out)"

	it_lt "$name-full" get "$dir/bare.torrent" "$dir/full" \
		--peer "127.0.0.1:$seed_port" --no-tracker --timeout 120
	it_wait_exit "$IT_PID" 150
	rc=$?
	it_check "$name: libtorrent downloads everything from btt (exit $rc)" \
		[ "$rc" -eq 0 ]
	it_check "$name: the bytes are the same" it_same_tree "$src" "$dir/full"

	n=$(served "$log")
	it_check "$name: btt served $n hash requests (at least $min)" \
		[ "${n:-0}" -ge "$min" ]
	it_check "$name: btt rejected no hash request" \
		[ "$(rejected "$log")" = 0 ]
	grep 'hash request ' "$log" | sed 's/^/# /'
	it_stop "$seed" 5
	it_check "$name: btt seed exits 0 on SIGTERM" [ $? -eq 0 ]
}

mkdir -p "$IT_TMP/src/tree/sub"
it_rand "$IT_TMP/src/tree/big.bin" 21000000
it_rand "$IT_TMP/src/tree/small.bin" 5000
it_rand "$IT_TMP/src/tree/sub/three.bin" 50000
it_payload_single "$IT_TMP/src1" one.bin 3000000

# 21000000 bytes in 16 KiB pieces: 1282 pieces, requests of 512 at
# 0, 512, 1024 for the partial and the full download (each download asks
# for what it needs: at least two).
run tree "$IT_TMP/src/tree" 16384 600 2
# 46 pieces of 64 KiB.
run single "$IT_TMP/src1/one.bin" 65536 20 1

it_summary
