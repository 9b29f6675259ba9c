#!/bin/sh
# btt verify against v1, v2 and hybrid torrents made by btt create from
# generated data (nested directories, an empty file, a file of exactly one
# piece, a file smaller than a block): complete data exits 0; a flipped
# byte, a deleted, truncated or longer file exits 1 and names the file;
# --json is valid JSON; bad usage and bad torrents exit 2.
# TAP lines "ok - name" / "not ok - name". Every run is bounded by timeout.
set -u
. "$(dirname "$0")/../lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-integ-verify.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

btt() { timeout 120 "$BTT" "$@"; }

if [ ! -x "$BTT" ]; then
	not_ok "btt binary exists at $BTT"
	exit 1
fi

dl=$tmp/dl
mkdir -p "$dl/data/sub/deep" "$dl/data/other"
gen() { head -c "$2" /dev/urandom >"$dl/data/$1"; }
gen a.bin 300001
: >"$dl/data/empty.txt"
gen sub/b.bin 16384
gen sub/deep/c.bin 5000
gen sub/deep/d.bin 1048583
gen other/e.bin 1
gen z.bin 70001

# verify_json TORRENT DIR: writes $tmp/out.json, sets rc.
verify_json() {
	btt verify --json "$1" "$2" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
}

# status PATH: the status of a file in $tmp/out.json ("none" if absent).
status() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(next((f["status"] for f in d["files"] if f["path"] == sys.argv[2]),
           "none"))' "$tmp/out.json" "$1" 2>/dev/null || echo unparsable
}

field() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = d
for k in sys.argv[2].split("."):
    v = v[k]
print(str(v).lower())' "$tmp/out.json" "$1" 2>/dev/null || echo unparsable
}

flip() {
	python3 -c '
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0x55]))' "$1" "$2"
}

for v in v1 v2 hybrid; do
	t=$tmp/$v.torrent
	case $v in
	v1) flag=--v1 ;;
	*) flag=--$v ;;
	esac
	check "$v: btt create" btt create -q -l 16k $flag -o "$t" "$dl/data"

	verify_json "$t" "$dl"
	check "$v: complete data exits 0" [ "$rc" -eq 0 ]
	check "$v: --json is valid JSON" \
		sh -c "python3 -m json.tool '$tmp/out.json' >/dev/null"
	check "$v: --json says ok" [ "$(field ok)" = true ]
	check "$v: --json counts every piece complete" \
		[ "$(field pieces.complete)" = "$(field pieces.total)" ]
	check "$v: --json version" [ "$(field version)" = "$v" ]
	check "$v: empty file complete" \
		[ "$(status data/empty.txt)" = complete ]
	btt verify "$t" "$dl" >"$tmp/out.txt" 2>/dev/null
	check "$v: text output ends with ok" \
		sh -c "tail -n 1 '$tmp/out.txt' | grep -q '^ok:'"
	check "$v: -q prints nothing" \
		[ -z "$(btt verify -q "$t" "$dl" 2>&1)" ]

	flip "$dl/data/sub/deep/d.bin" 500000
	verify_json "$t" "$dl"
	check "$v: flipped byte exits 1" [ "$rc" -eq 1 ]
	check "$v: flipped byte: file corrupt" \
		[ "$(status data/sub/deep/d.bin)" = corrupt ]
	check "$v: flipped byte: one piece corrupt" \
		[ "$(field pieces.corrupt)" = 1 ]
	check "$v: flipped byte: other files complete" \
		[ "$(status data/a.bin)" = complete ]
	btt verify "$t" "$dl" >"$tmp/out.txt" 2>/dev/null
	check "$v: text output names the corrupt file" \
		grep -q 'corrupt *data/sub/deep/d.bin' "$tmp/out.txt"
	flip "$dl/data/sub/deep/d.bin" 500000

	mv "$dl/data/z.bin" "$tmp/z.bin"
	verify_json "$t" "$dl"
	check "$v: deleted file exits 1" [ "$rc" -eq 1 ]
	check "$v: deleted file: missing" [ "$(status data/z.bin)" = missing ]
	check "$v: deleted file: nothing corrupt" \
		[ "$(field pieces.corrupt)" = 0 ]
	mv "$tmp/z.bin" "$dl/data/z.bin"

	cp "$dl/data/a.bin" "$tmp/a.bin"
	truncate -s 100000 "$dl/data/a.bin"
	verify_json "$t" "$dl"
	check "$v: truncated file exits 1" [ "$rc" -eq 1 ]
	check "$v: truncated file: partial" [ "$(status data/a.bin)" = partial ]
	printf 'tail' >>"$tmp/a.bin"
	cp "$tmp/a.bin" "$dl/data/a.bin"
	verify_json "$t" "$dl"
	check "$v: longer file exits 1" [ "$rc" -eq 1 ]
	check "$v: longer file: oversize" [ "$(status data/a.bin)" = oversize ]
	check "$v: longer file: every piece complete" \
		[ "$(field pieces.complete)" = "$(field pieces.total)" ]
	truncate -s 300001 "$dl/data/a.bin"

	rm "$dl/data/empty.txt"
	verify_json "$t" "$dl"
	check "$v: deleted empty file exits 1" [ "$rc" -eq 1 ]
	check "$v: deleted empty file: missing" \
		[ "$(status data/empty.txt)" = missing ]
	: >"$dl/data/empty.txt"

	mkdir -p "$tmp/nothing"
	verify_json "$t" "$tmp/nothing"
	check "$v: empty directory exits 1" [ "$rc" -eq 1 ]
	check "$v: empty directory: nothing complete" \
		[ "$(field pieces.complete)" = 0 ]

	btt verify --threads 1 "$t" "$dl" >/dev/null 2>&1
	check "$v: --threads 1 exits 0" [ $? -eq 0 ]
done

# A single-file torrent's data is DIR/NAME.
head -c 40000 /dev/urandom >"$tmp/single.bin"
btt create -q -l 16k -o "$tmp/single.torrent" "$tmp/single.bin"
btt verify "$tmp/single.torrent" "$tmp" >/dev/null 2>&1
check "single file: exits 0" [ $? -eq 0 ]
btt verify "$tmp/single.torrent" "$dl" >/dev/null 2>&1
check "single file: wrong directory exits 1" [ $? -eq 1 ]

# Bad usage and bad torrents: exit 2 and one line naming the file.
btt verify >/dev/null 2>&1
check "no arguments exits 2" [ $? -eq 2 ]
btt verify "$tmp/v1.torrent" >/dev/null 2>&1
check "missing DIR exits 2" [ $? -eq 2 ]
btt verify --threads 0 "$tmp/v1.torrent" "$dl" >/dev/null 2>&1
check "--threads 0 exits 2" [ $? -eq 2 ]
btt verify --bogus "$tmp/v1.torrent" "$dl" >/dev/null 2>&1
check "unknown option exits 2" [ $? -eq 2 ]
btt verify --help >"$tmp/help" 2>&1
check "--help exits 0" [ $? -eq 0 ]
check "--help shows usage" grep -q 'usage: btt verify' "$tmp/help"
printf 'd4:infoi1ee' >"$tmp/bad.torrent"
btt verify "$tmp/bad.torrent" "$dl" >/dev/null 2>"$tmp/err"
check "bad torrent exits 2" [ $? -eq 2 ]
check "bad torrent: one line naming the file" \
	sh -c "[ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'bad.torrent' '$tmp/err'"
btt verify "$tmp/none.torrent" "$dl" >/dev/null 2>"$tmp/err"
check "missing torrent exits 2" [ $? -eq 2 ]
btt verify "$tmp/v1.torrent" "$tmp/no-such-dir" >/dev/null 2>"$tmp/err"
check "missing DIR exits 1" [ $? -eq 1 ]
check "missing DIR is named" grep -q no-such-dir "$tmp/err"
