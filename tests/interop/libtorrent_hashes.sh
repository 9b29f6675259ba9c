#!/bin/sh
# btt and libtorrent (python3-libtorrent) agree on torrents, both ways:
#  (a) libtorrent creates a torrent: `btt info --json` prints the same
#      info-hashes libtorrent reports and `btt verify` accepts the data;
#  (b) `btt create` makes one: libtorrent loads it, reports the hashes btt
#      printed, and its own check of the data finds every piece;
#  (c) for the same content and piece size both info-hashes are equal
#      (identical info dicts);
#  (d) after one flipped byte both btt verify and libtorrent's check say
#      the data is incomplete.
# For a single file and for a tree with nested folders, an empty file, a
# file smaller than a block, files of exactly one piece and odd sizes; v1,
# v2 and hybrid; two piece sizes. libtorrent runs only under
# /usr/bin/python3. TAP lines "ok - name" / "not ok - name".
set -u
BUILD=${BUILD:-build}
BTT=$BUILD/btt
PY=/usr/bin/python3
LT="$PY $(dirname "$0")/lt_torrent.py"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-interop-lt.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; }
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

btt() { timeout 120 "$BTT" "$@"; }
lt() { timeout 180 $LT "$@"; }

if ! $PY -c 'import libtorrent' >/dev/null 2>&1; then
	not_ok "libtorrent importable by $PY"
	exit 1
fi
ok "libtorrent importable by $PY"
if [ ! -x "$BTT" ]; then
	not_ok "btt binary exists at $BTT"
	exit 1
fi

# json_get FILE KEY: a top-level value of a JSON file, "null" if absent,
# "error" if the file is not JSON.
json_get() {
	$PY -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("error")
    sys.exit(0)
v = d.get(sys.argv[2])
print("null" if v is None else str(v).lower())' "$1" "$2"
}

# btt_hashes TORRENT OUT: {"v1":..,"v2":..} from `btt info --json`.
btt_hashes() {
	if btt info --json "$1" >"$2.info" 2>"$2.err"; then
		$PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps({"v1": d.get("info_hash_v1"), "v2": d.get("info_hash_v2")}))
' "$2.info" >"$2"
	else
		echo '{"error": "btt info failed"}' >"$2"
	fi
}

# same A.json B.json: both name the same v1 and v2 hashes (and no error).
same() {
	[ "$(json_get "$1" error)" = null ] &&
		[ "$(json_get "$2" error)" = null ] &&
		[ "$(json_get "$1" v1)" = "$(json_get "$2" v1)" ] &&
		[ "$(json_get "$1" v2)" = "$(json_get "$2" v2)" ]
}

has_hashes() {
	case $2 in
	v1) [ "$(json_get "$1" v1)" != null ] && [ "$(json_get "$1" v2)" = null ] ;;
	v2) [ "$(json_get "$1" v1)" = null ] && [ "$(json_get "$1" v2)" != null ] ;;
	hybrid) [ "$(json_get "$1" v1)" != null ] &&
		[ "$(json_get "$1" v2)" != null ] ;;
	esac
}

# pieces_have CHECK.json N: libtorrent's check lacks exactly N pieces.
pieces_have() {
	$PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["pieces"] > 0 and d["have"] == d["pieces"] - int(sys.argv[2])
         else 1)' "$1" "$2" 2>/dev/null
}

flip() {
	$PY -c '
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0x55]))' "$1" "$2"
}

# Content. /dev/urandom data; sizes chosen for the boundaries.
d=$tmp/data
mkdir -p "$d/multi/sub/deep/z" "$d/multi/docs"
gen() { head -c "$2" /dev/urandom >"$d/$1"; }
gen single.bin 1000003
gen multi/a.bin 300001
: >"$d/multi/empty.txt"
gen multi/small.bin 5000
gen multi/one16.bin 16384
gen multi/one64.bin 65536
gen multi/sub/deep/x.bin 123457
gen multi/sub/y.bin 65537
gen multi/sub/deep/z/tiny 1
gen multi/docs/readme.txt 777

# scenario CONTENT PIECE VERSION
scenario() {
	c=$1 piece=$2 v=$3
	tag="$c/$piece/$v"
	s=$tmp/$c-$piece-$v
	case $v in
	v1) flag=--v1 ;;
	*) flag=--$v ;;
	esac

	# (a) libtorrent creates, btt reads and verifies.
	lt make "$d/$c" "$s.lt.torrent" "$piece" "$v" >"$s.lt.json"
	check "$tag: libtorrent creates a torrent" \
		has_hashes "$s.lt.json" "$v"
	btt_hashes "$s.lt.torrent" "$s.lt-btt.json"
	check "$tag: btt info prints libtorrent's info-hashes" \
		same "$s.lt.json" "$s.lt-btt.json"
	btt verify -q "$s.lt.torrent" "$d"
	check "$tag: btt verify accepts libtorrent's torrent and data" \
		[ $? -eq 0 ]

	# (b) btt creates, libtorrent reads and checks.
	btt create -q -l "$piece" $flag -o "$s.btt.torrent" "$d/$c"
	check "$tag: btt create" [ $? -eq 0 ]
	btt_hashes "$s.btt.torrent" "$s.btt.json"
	check "$tag: btt info on btt's torrent" has_hashes "$s.btt.json" "$v"
	lt hashes "$s.btt.torrent" >"$s.btt-lt.json"
	check "$tag: libtorrent loads btt's torrent with the same hashes" \
		same "$s.btt.json" "$s.btt-lt.json"
	lt check "$s.btt.torrent" "$d" >"$s.check.json"
	check "$tag: libtorrent's check finds every piece of btt's torrent" \
		pieces_have "$s.check.json" 0
	check "$tag: libtorrent's check reports btt's hashes" \
		same "$s.btt.json" "$s.check.json"

	# (c) identical info dicts.
	check "$tag: btt's info-hashes equal libtorrent's" \
		same "$s.btt.json" "$s.lt.json"
}

# (d) one flipped byte: both sides see incomplete data, then restore.
corrupt() {
	c=$1 piece=$2 v=$3 file=$4 off=$5
	s=$tmp/$c-$piece-$v
	flip "$d/$file" "$off"
	btt verify -q "$s.btt.torrent" "$d"
	check "$c/$piece/$v: flipped byte: btt verify exits 1" [ $? -eq 1 ]
	lt check "$s.btt.torrent" "$d" >"$s.bad.json"
	check "$c/$piece/$v: flipped byte: libtorrent misses one piece" \
		pieces_have "$s.bad.json" 1
	flip "$d/$file" "$off"
}

for v in v1 v2 hybrid; do
	scenario single.bin 32768 "$v"
	scenario multi 16384 "$v"
	scenario multi 65536 "$v"
	corrupt multi 16384 "$v" multi/sub/deep/x.bin 70000
done

# libtorrent can also leave out the pad file after the last file of a
# hybrid; btt must read and verify such a torrent too.
s=$tmp/notail
lt make "$d/multi" "$s.torrent" 16384 hybrid notail >"$s.json"
btt_hashes "$s.torrent" "$s.btt.json"
check "multi/16384/hybrid without tail pad: btt info prints libtorrent's hashes" \
	same "$s.json" "$s.btt.json"
btt verify -q "$s.torrent" "$d"
check "multi/16384/hybrid without tail pad: btt verify exits 0" [ $? -eq 0 ]
