#!/bin/sh
# btt get --select-file / --file-priority against a btt seed on 127.0.0.1:
# only the selected files are downloaded (byte for byte), a skipped file
# whose pieces are all its own is never created, a run wanting more later
# keeps what it has and gets the rest, priority 0 everywhere is done at
# once; bad lists and indexes that do not exist are refused with exit 2
# naming the option. `btt info` prints the indexes. TAP lines; processes
# killed by PID on exit; every run bounded by timeout.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
tap_tmp select

if [ ! -x "$BTT" ]; then
	not_ok "btt binary exists at $BTT"
	exit 1
fi

gen() { head -c "$2" /dev/urandom >"$1"; }

# A tree whose files are each a whole number of 16 KiB pieces, but for
# the last two, which share a piece.
src=$tmp/src/tree
mkdir -p "$src/a" "$src/b"
gen "$src/a/one.bin" 65536
gen "$src/a/two.bin" 163840
gen "$src/b/three.bin" 50000
gen "$src/b/zfour.bin" 7000
"$BTT" create -q -l 16k -o "$tmp/t.torrent" "$src" ||
	not_ok "create the torrent"
"$BTT" info "$tmp/t.torrent" >"$tmp/info.out"
grep -q '^ *0 *65536  tree/a/one.bin$' "$tmp/info.out" &&
	grep -q '^ *3 *7000  tree/b/zfour.bin$' "$tmp/info.out" &&
	ok "info lists files with their indexes" ||
	not_ok "info lists indexes" "$tmp/info.out"

seed_start seed "$tmp/t.torrent" "$tmp/src" && ok "seeder started" ||
	not_ok "seeder" "$tmp/seed.err"
PORT=$SEED_PORT

# get NAME DIR OPTIONS...: sets RC.
get() {
	_n=$1 _d=$2
	shift 2
	timeout 120 "$BTT" get "$tmp/t.torrent" -o "$_d" --port 0 \
		--bind 127.0.0.1 --no-seed --peer "127.0.0.1:$PORT" "$@" \
		>"$tmp/$_n.out" 2>"$tmp/$_n.err"
	RC=$?
}

dl=$tmp/dl
get sel1 "$dl" --select-file 1,3
[ $RC -eq 0 ] && ok "select 1,3: exit 0" ||
	not_ok "select 1,3: exit $RC" "$tmp/sel1.out" "$tmp/sel1.err"
grep -q '^selection complete: tree' "$tmp/sel1.out" &&
	ok "select 1,3: says the selection is complete" ||
	not_ok "select 1,3: message" "$tmp/sel1.out"
check "select 1,3: file 1 identical" cmp "$src/a/two.bin" "$dl/tree/a/two.bin"
check "select 1,3: file 3 identical" cmp "$src/b/zfour.bin" "$dl/tree/b/zfour.bin"
[ ! -e "$dl/tree/a/one.bin" ] && [ ! -e "$dl/tree/a/one.bin.part" ] &&
	ok "select 1,3: skipped file 0 (own pieces) not created" ||
	not_ok "select 1,3: file 0 exists"
[ ! -e "$dl/tree/b/three.bin" ] &&
	ok "select 1,3: skipped file 2 not complete" ||
	not_ok "select 1,3: file 2 complete"

get sel2 "$dl" --file-priority 0-3=7 --file-priority 2=1
[ $RC -eq 0 ] && ok "then everything: exit 0" ||
	not_ok "then everything: exit $RC" "$tmp/sel2.out" "$tmp/sel2.err"
grep -q '^complete: tree' "$tmp/sel2.out" &&
	ok "then everything: complete" ||
	not_ok "then everything: message" "$tmp/sel2.out"
check "then everything: trees identical" diff -r "$src" "$dl/tree"
got=$(sed -n 's/^done: .* downloaded \([0-9]*\) bytes.*/\1/p' "$tmp/sel2.out")
[ -n "$got" ] && [ "$got" -lt 229376 ] &&
	ok "then everything: the selected files were not downloaded again ($got bytes)" ||
	not_ok "then everything: downloaded ${got:-?} bytes" "$tmp/sel2.out"

get none "$tmp/dl0" --file-priority 0-3=0
[ $RC -eq 0 ] && ok "nothing wanted: exit 0" ||
	not_ok "nothing wanted: exit $RC" "$tmp/none.out" "$tmp/none.err"
[ -z "$(find "$tmp/dl0" -name '*.bin*' 2>/dev/null)" ] &&
	ok "nothing wanted: no file created" || not_ok "nothing wanted: files"

get bad1 "$tmp/dlx" --select-file 4
[ $RC -eq 2 ] && grep -q 'select-file 4: file 4 does not exist' "$tmp/bad1.err" &&
	ok "index out of range: exit 2 with the reason" ||
	not_ok "index out of range: exit $RC" "$tmp/bad1.err"
for bad in '' '1,' '3-1' 'a' '1-' '-1' '1,,2'; do
	get bad2 "$tmp/dlx" --select-file "$bad"
	[ $RC -eq 2 ] && grep -q "bad value '$bad' for --select-file" "$tmp/bad2.err" &&
		ok "--select-file '$bad': refused" ||
		not_ok "--select-file '$bad': exit $RC" "$tmp/bad2.err"
done
for bad in '1' '1=8' '=3' '1=x' '1=-1'; do
	get bad3 "$tmp/dlx" --file-priority "$bad"
	[ $RC -eq 2 ] && grep -q "bad value '$bad' for --file-priority" "$tmp/bad3.err" &&
		ok "--file-priority '$bad': refused" ||
		not_ok "--file-priority '$bad': exit $RC" "$tmp/bad3.err"
done
[ ! -e "$tmp/dlx" ] && ok "refused runs create nothing" ||
	not_ok "refused runs created $tmp/dlx"
stop "$SEED_PID"
[ "$STOP_RC" -eq 0 ] && ok "seeder stops cleanly" ||
	not_ok "seeder exit $STOP_RC" "$tmp/seed.err"
