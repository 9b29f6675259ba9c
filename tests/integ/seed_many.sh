#!/bin/sh
# One `btt seed` process seeding several torrents (A.torrent B.torrent
# ... DIR) on one port: v1 single-file, v1 multi-file and v2 torrents
# downloaded from it by `btt get` at the same time and compared byte for
# byte; 200 small torrents in one process, three of them downloaded; a
# torrent whose data is missing is reported by name while the others
# are still served, and the exit status says so; a bad or duplicate
# torrent file among many is refused before anything starts. TAP lines;
# every process is started from this shell, recorded by PID and killed
# by PID on exit; every run is bounded by timeout.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
tap_tmp seedmany

if [ ! -x "$BTT" ]; then
	not_ok "btt binary exists at $BTT"
	exit 1
fi

# get_bg NAME TORRENT DIR PORT: a --no-seed download in the background;
# its PID is appended to GET_PIDS.
get_bg() {
	timeout 120 "$BTT" get "$2" -o "$3" --port 0 --bind 127.0.0.1 \
		--no-seed --peer "127.0.0.1:$4" >"$tmp/$1.out" 2>"$tmp/$1.err" &
	GET_PIDS="$GET_PIDS $!"
	pids="$pids $!"
}

gen() { head -c "$2" /dev/urandom >"$1"; }

# ---- three torrents of different kinds, downloaded at once ----
src=$tmp/src
mkdir -p "$src/tree/a/b" "$src/v2dir"
gen "$src/single.bin" 1500007
gen "$src/tree/a/b/deep.bin" 700001
gen "$src/tree/top.bin" 33333
: >"$src/tree/empty"
gen "$src/v2dir/x.bin" 900000
gen "$src/v2dir/y.bin" 5000
"$BTT" create -q -l 32k -o "$tmp/single.torrent" "$src/single.bin" &&
	"$BTT" create -q -l 16k -o "$tmp/tree.torrent" "$src/tree" &&
	"$BTT" create -q --v2 -l 64k -o "$tmp/v2.torrent" "$src/v2dir" ||
	not_ok "create the torrents"

if seed_start three "$tmp/single.torrent" "$tmp/tree.torrent" \
	"$tmp/v2.torrent" "$src"; then
	ok "three torrents: one process prints 'seeding'"
	grep -q '^seeding 3 torrents' "$tmp/three.out" &&
		ok "three torrents: summary line counts 3" ||
		not_ok "three torrents: summary line" "$tmp/three.out"
	GET_PIDS=
	get_bg g1 "$tmp/single.torrent" "$tmp/dl1" "$SEED_PORT"
	get_bg g2 "$tmp/tree.torrent" "$tmp/dl2" "$SEED_PORT"
	get_bg g3 "$tmp/v2.torrent" "$tmp/dl3" "$SEED_PORT"
	i=0
	for p in $GET_PIDS; do
		i=$((i + 1))
		wait "$p"
		rc=$?
		[ "$rc" -eq 0 ] && ok "three torrents: download $i exits 0" ||
			not_ok "three torrents: download $i exit $rc" \
				"$tmp/g$i.out" "$tmp/g$i.err"
	done
	check "three torrents: single file identical" \
		cmp "$src/single.bin" "$tmp/dl1/single.bin"
	check "three torrents: multi-file tree identical" \
		diff -r "$src/tree" "$tmp/dl2/tree"
	check "three torrents: v2 tree identical" \
		diff -r "$src/v2dir" "$tmp/dl3/v2dir"
	stop "$SEED_PID"
	[ "$STOP_RC" -eq 0 ] && ok "three torrents: SIGTERM ends the seeder, exit 0" ||
		not_ok "three torrents: seeder exit $STOP_RC" "$tmp/three.err"
	grep -q '^done: 3 torrents' "$tmp/three.out" &&
		ok "three torrents: totals at the end" ||
		not_ok "three torrents: totals at the end" "$tmp/three.out"
else
	not_ok "three torrents: seeder starts" "$tmp/three.out" "$tmp/three.err"
fi

# ---- 200 small torrents in one process ----
mkdir -p "$tmp/many/t" "$tmp/many/d"
i=0
while [ $i -lt 200 ]; do
	n=$(printf '%03d' $i)
	gen "$tmp/many/d/f$n.bin" $((1000 + i * 37))
	i=$((i + 1))
done
fails=0
for f in "$tmp"/many/d/*.bin; do
	b=$(basename "$f" .bin)
	"$BTT" create -q -o "$tmp/many/t/$b.torrent" "$f" || fails=$((fails + 1))
done
[ $fails -eq 0 ] && ok "200 torrents created" || not_ok "200 torrents: $fails failed"
if seed_start many "$tmp"/many/t/*.torrent "$tmp/many/d"; then
	grep -q '^seeding 200 torrents' "$tmp/many.out" &&
		ok "200 torrents: one process seeds them all" ||
		not_ok "200 torrents: summary" "$tmp/many.out"
	GET_PIDS=
	for n in 000 117 199; do
		get_bg "m$n" "$tmp/many/t/f$n.torrent" "$tmp/many/dl$n" "$SEED_PORT"
	done
	for p in $GET_PIDS; do
		wait "$p"
	done
	for n in 000 117 199; do
		check "200 torrents: f$n.bin downloaded intact" \
			cmp "$tmp/many/d/f$n.bin" "$tmp/many/dl$n/f$n.bin"
	done
	stop "$SEED_PID"
	[ "$STOP_RC" -eq 0 ] && ok "200 torrents: clean stop" ||
		not_ok "200 torrents: seeder exit $STOP_RC" "$tmp/many.err"
	n=$(ls "$tmp/many/d/.btt" 2>/dev/null | grep -c '\.resume$')
	[ "$n" -eq 200 ] && ok "200 torrents: a resume file each" ||
		not_ok "200 torrents: $n resume files"
else
	not_ok "200 torrents: seeder starts" "$tmp/many.out" "$tmp/many.err"
fi

# ---- one torrent without data among others ----
mkdir -p "$tmp/nodata"
gen "$tmp/nodata/gone.bin" 100000
"$BTT" create -q -o "$tmp/gone.torrent" "$tmp/nodata/gone.bin"
rm -f "$tmp/nodata/gone.bin"
cp "$tmp/many/d/f005.bin" "$tmp/nodata/"
if seed_start nodata "$tmp/gone.torrent" "$tmp/many/t/f005.torrent" \
	"$tmp/nodata"; then
	grep -q 'gone.torrent: no valid data found' "$tmp/nodata.err" &&
		ok "missing data: named on stderr" ||
		not_ok "missing data: named on stderr" "$tmp/nodata.err"
	grep -q '^seeding 1 torrent (.*1 without data' "$tmp/nodata.out" &&
		ok "missing data: the other one is seeded" ||
		not_ok "missing data: summary" "$tmp/nodata.out"
	GET_PIDS=
	get_bg nd "$tmp/many/t/f005.torrent" "$tmp/nd" "$SEED_PORT"
	wait $GET_PIDS
	check "missing data: the other torrent downloads" \
		cmp "$tmp/many/d/f005.bin" "$tmp/nd/f005.bin"
	stop "$SEED_PID"
	[ "$STOP_RC" -eq 1 ] && ok "missing data: exit 1 after SIGTERM" ||
		not_ok "missing data: exit $STOP_RC (want 1)" "$tmp/nodata.err"
else
	not_ok "missing data: seeder starts" "$tmp/nodata.out" "$tmp/nodata.err"
fi

# ---- bad input among many ----
printf 'd4:infoi1ee' >"$tmp/bad.torrent"
timeout 30 "$BTT" seed "$tmp/many/t/f001.torrent" "$tmp/bad.torrent" \
	"$tmp/many/d" --port 0 --bind 127.0.0.1 >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q 'bad.torrent' "$tmp/bad.err" &&
	! grep -q '^listening' "$tmp/bad.out" &&
	ok "a bad torrent among others: exit 2 naming it, nothing started" ||
	not_ok "a bad torrent: exit $rc" "$tmp/bad.err"
timeout 30 "$BTT" seed "$tmp/many/t/f001.torrent" "$tmp/many/t/f001.torrent" \
	"$tmp/many/d" --port 0 --bind 127.0.0.1 >"$tmp/dup.out" 2>"$tmp/dup.err"
rc=$?
[ $rc -ne 0 ] && grep -q 'f001.torrent: the same torrent is given twice' \
	"$tmp/dup.err" && ok "the same torrent twice: refused by name" ||
	not_ok "the same torrent twice: exit $rc" "$tmp/dup.err"
"$BTT" seed "$tmp/many/d" >/dev/null 2>"$tmp/usage.err"
rc=$?
[ $rc -eq 2 ] && grep -q 'usage' "$tmp/usage.err" &&
	ok "no torrent: usage, exit 2" || not_ok "no torrent: exit $rc"
"$BTT" seed --help | grep -q 'FILE.torrent\.\.\. DIR' &&
	ok "--help shows several torrents" || not_ok "--help"
