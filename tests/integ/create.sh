#!/bin/sh
# btt create end to end: nested trees with empty and tiny files, a sparse
# 5 GiB file (64-bit offsets), reproducible output, options in the output,
# exit codes, and (when python3-libtorrent is installed) info-hashes equal
# to libtorrent's for v1, v2 and hybrid torrents of the same content.
set -u
. "$(dirname "$0")/../lib/tap.sh"
case $BTT in /*) ;; *) BTT=$(pwd)/$BTT ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/btt-integ-create.XXXXXX")
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT INT TERM

# --- a nested tree with an empty file and a 1-byte file
mkdir -p "$T/tree/sub/deeper" "$T/tree/only_empty"
printf x >"$T/tree/one"
: >"$T/tree/sub/deeper/empty"
: >"$T/tree/only_empty/e"
head -c 100000 /dev/urandom >"$T/tree/sub/data"
cd "$T" || exit 1
check "create from a nested directory" \
	"$BTT" create -q -a http://127.0.0.1:1/announce tree
check "default output is NAME.torrent" test -s "$T/tree.torrent"
check "empty files are listed" grep -q '5:emptye' "$T/tree.torrent"
check "folder holding only an empty file is listed" \
	grep -q '10:only_empty1:ee' "$T/tree.torrent"
check "1-byte file is listed" grep -q 'i1e4:pathl3:onee' "$T/tree.torrent"

"$BTT" create --hybrid -o "$T/h.torrent" tree >"$T/out"
check "summary prints both info-hashes and the output path" sh -c \
	"grep -q '^info-hash v1: [0-9a-f]\\{40\\}$' '$T/out' &&
	 grep -q '^info-hash v2: [0-9a-f]\\{64\\}$' '$T/out' &&
	 grep -q '^wrote: *$T/h.torrent$' '$T/out'"

# --- same input, same bytes
"$BTT" create -q -a http://127.0.0.1:1/announce -o "$T/again.torrent" tree
check "same input twice gives identical bytes" \
	cmp "$T/tree.torrent" "$T/again.torrent"
"$BTT" create -q --hybrid -t 1 -o "$T/h1.torrent" tree
"$BTT" create -q --hybrid -t 2 -o "$T/h2.torrent" tree
check "thread count does not change the output" \
	cmp "$T/h1.torrent" "$T/h2.torrent"

# --- refuse to overwrite without --force
"$BTT" create -q -o "$T/again.torrent" tree 2>"$T/err"
rc=$?
check "existing output is refused with exit 2" test "$rc" -eq 2
check "refusal says why" grep -q 'already exists' "$T/err"
check "--force replaces it" \
	"$BTT" create -q --force --v2 -o "$T/again.torrent" tree

# --- options appear in the output
"$BTT" create -q --private --comment "hello there" --date 1700000000 \
	-a http://127.0.0.1:1/a -a http://127.0.0.1:2/b \
	--web-seed http://127.0.0.1:3/ -o "$T/opts.torrent" tree
check "--private is in the info dict" grep -q '7:privatei1e' "$T/opts.torrent"
check "--comment is written" grep -q '7:comment11:hello there' "$T/opts.torrent"
check "--date is written" \
	grep -q '13:creation datei1700000000e' "$T/opts.torrent"
check "each -a is its own tier" grep -q \
	'13:announce-listll20:http://127.0.0.1:1/ael20:http://127.0.0.1:2/bee' \
	"$T/opts.torrent"
check "no creation date unless asked" \
	sh -c "! grep -q 'creation date' '$T/tree.torrent'"

# --- a sparse 5 GiB file: offsets past 4 GiB, automatic piece size
truncate -s 5G "$T/sparse.bin"
"$BTT" create -q -o "$T/sparse.torrent" "$T/sparse.bin"
check "sparse 5 GiB file creates" test -s "$T/sparse.torrent"
# 5 GiB / 2000 -> 4 MiB pieces -> 1280 pieces of 20 bytes
check "sparse 5 GiB file has 1280 pieces of 4 MiB" grep -q \
	'12:piece lengthi4194304e6:pieces25600:' "$T/sparse.torrent"
check "sparse 5 GiB file pieces are all SHA-1 of 4 MiB of zeros" \
	python3 -c 'import hashlib, sys
t = open(sys.argv[1], "rb").read()
h = hashlib.sha1(bytes(4 << 20)).digest()
sys.exit(0 if h * 1280 in t and h * 1281 not in t else 1)' "$T/sparse.torrent"

# --- errors and exit codes
"$BTT" create -q "$T/does-not-exist" 2>"$T/err"
rc=$?
check "nonexistent PATH exits 2" test "$rc" -eq 2
check "nonexistent PATH is named" grep -q 'does-not-exist' "$T/err"
"$BTT" create -q -l 1000 tree 2>/dev/null
rc=$?
check "bad piece size exits 2" test "$rc" -eq 2
if [ "$(id -u)" = 0 ]; then
	ro=/sys # not writable even by root
else
	mkdir "$T/ro" && chmod 555 "$T/ro"
	ro=$T/ro
fi
"$BTT" create -q -o "$ro/out.torrent" tree 2>"$T/err"
rc=$?
check "output in an unwritable directory exits 1" test "$rc" -eq 1
check "unwritable output says so" \
	grep -q "cannot write $ro/out.torrent: Permission denied" "$T/err"
check "--help exits 0" "$BTT" create --help

# --- a directory holding one file reads back and verifies in every format
mkdir -p "$T/one/dir"
head -c 50000 /dev/urandom >"$T/one/dir/only.bin"
for mode in v1 v2 hybrid; do
	check "$mode one-file directory: created" \
		"$BTT" create -q --force --$mode -o "$T/one.torrent" "$T/one/dir"
	check "$mode one-file directory: read back as dir/only.bin" \
		sh -c "\"$BTT\" info \"$T/one.torrent\" | grep -q ' dir/only.bin\$'"
	check "$mode one-file directory: verifies" \
		"$BTT" verify -q "$T/one.torrent" "$T/one"
done

# --- info-hashes equal libtorrent's (same content and piece size)
if /usr/bin/python3 -c 'import libtorrent' 2>/dev/null; then
	cat >"$T/lt.py" <<'EOF'
import os, sys
import libtorrent as lt
# lt.py MODE PIECE PATH [TORRENT]: libtorrent's info-hashes for PATH, or
# with TORRENT the ones libtorrent reads from our file.
mode, pl, path = sys.argv[1], int(sys.argv[2]), sys.argv[3].rstrip('/')
def show(h):
    print(str(h.v1) if mode != 'v2' else '-', str(h.v2) if mode != 'v1' else '-')
if len(sys.argv) > 4:
    show(lt.torrent_info(sys.argv[4]).info_hashes()); sys.exit(0)
def xflag(p):
    # what lt.add_files records: the owner's execute bit
    return lt.file_flags_t.flag_executable if os.stat(p).st_mode & 0o100 else 0
fs = lt.file_storage()
if os.path.isdir(path):
    name, rels = os.path.basename(path), []
    for root, dirs, files in os.walk(path):
        rels += [os.path.relpath(os.path.join(root, f), path) for f in files]
    # v1 keeps the order given; use ours (component order)
    rels.sort(key=lambda r: [c.encode() for c in r.split('/')])
    for r in rels:
        full = os.path.join(path, r)
        fs.add_file(name + '/' + r, os.path.getsize(full), flags=xflag(full))
else:
    fs.add_file(os.path.basename(path), os.path.getsize(path),
                flags=xflag(path))
flags = {'v1': lt.create_torrent.v1_only, 'v2': lt.create_torrent.v2_only,
         'hybrid': 0}[mode]
ct = lt.create_torrent(fs, pl, flags=flags)
lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(path)))
show(lt.torrent_info(ct.generate()).info_hashes())
EOF
	mkdir -p "$T/lt/a.b" "$T/lt/a"
	head -c 70000 /dev/urandom >"$T/lt/a/x"
	head -c 16384 /dev/urandom >"$T/lt/a.b/y"
	printf 1 >"$T/lt/z"
	chmod +x "$T/lt/z" # BEP 47 attr "x"
	: >"$T/lt/empty"
	cp "$T/lt/a/x" "$T/lt/dup"
	head -c 300001 /dev/urandom >"$T/single.bin"
	chmod +x "$T/single.bin"
	# a directory holding a single file is a multi-file torrent (not
	# a single-file one named after the file) for libtorrent and for us
	mkdir -p "$T/lt1/onedir"
	head -c 70001 /dev/urandom >"$T/lt1/onedir/only.bin"
	for src in single.bin lt lt1/onedir; do
		for mode in v1 v2 hybrid; do
			for pl in 16384 65536; do
				name="$mode $src piece $pl: info-hashes equal libtorrent's"
				if ! "$BTT" create -q --force --$mode -l $pl \
					-o "$T/cmp.torrent" "$T/$src"; then
					nok "$name"
					continue
				fi
				ours=$(/usr/bin/python3 "$T/lt.py" $mode $pl \
					"$T/$src" "$T/cmp.torrent")
				theirs=$(/usr/bin/python3 "$T/lt.py" $mode $pl "$T/$src")
				if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
					ok "$name"
				else
					nok "$name"
					echo "#   ours:   $ours"
					echo "#   theirs: $theirs"
				fi
			done
		done
	done
else
	echo "# python3-libtorrent not importable: libtorrent comparison skipped"
fi

