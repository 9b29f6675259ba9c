#!/bin/sh
# Fast resume after a crash: a downloader fetching from a rate-limited
# seeder is killed with SIGKILL once it has saved resume data with some
# verified pieces; restarted, it must trust or recheck those pieces
# instead of downloading them again (its "resume:" and "done:" lines say
# how many pieces it kept and how many bytes it downloaded), and finish
# with the right bytes. TAP lines; processes killed by PID; bounded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
tap_tmp resume

if [ ! -x "$BTT" ]; then
	not_ok "btt binary exists at $BTT"
	exit 1
fi

SIZE=12000000
PIECE=65536
NPIECES=$(((SIZE + PIECE - 1) / PIECE))
mkdir -p "$tmp/src" "$tmp/dl"
head -c $SIZE /dev/urandom >"$tmp/src/f.bin"
"$BTT" create -q -l 64k -o "$tmp/f.torrent" "$tmp/src/f.bin" || {
	not_ok "create the torrent"
	exit 1
}

if ! seed_start seed "$tmp/f.torrent" "$tmp/src" --up-limit 1m; then
	not_ok "seeder starts" "$tmp/seed.err"
	exit 1
fi
seed=$SEED_PID
port=$SEED_PORT

# The first run is started without `timeout` so that its PID is btt's
# own, for kill -9; the loop below bounds it.
"$BTT" get "$tmp/f.torrent" -o "$tmp/dl" --port 0 --bind 127.0.0.1 \
	--no-seed --peer "127.0.0.1:$port" >"$tmp/get1.out" 2>"$tmp/get1.err" &
get1=$!
pids="$pids $get1"
resume=
for _i in $(seq 300); do
	resume=$(ls "$tmp/dl/.btt/"*.resume 2>/dev/null | head -n 1)
	[ -n "$resume" ] && break
	kill -0 "$get1" 2>/dev/null || break
	sleep 0.1
done
sleep 0.5
kill -9 "$get1" 2>/dev/null
wait "$get1" 2>/dev/null
rc1=$?
if [ -n "$resume" ] && [ "$rc1" -eq 137 ]; then
	ok "downloader saved resume data and was killed mid-way"
else
	not_ok "downloader killed mid-way (resume '$resume', exit $rc1)" \
		"$tmp/get1.out" "$tmp/get1.err"
	exit 1
fi
if cmp -s "$tmp/src/f.bin" "$tmp/dl/f.bin" 2>/dev/null; then
	not_ok "the first run was still incomplete when killed"
else
	ok "the first run was still incomplete when killed"
fi

timeout 120 "$BTT" get "$tmp/f.torrent" -o "$tmp/dl" --port 0 \
	--bind 127.0.0.1 --no-seed --peer "127.0.0.1:$port" \
	>"$tmp/get2.out" 2>"$tmp/get2.err"
rc2=$?
if [ "$rc2" -eq 0 ] && cmp -s "$tmp/src/f.bin" "$tmp/dl/f.bin"; then
	ok "the restarted download completes with the right bytes"
else
	not_ok "restarted download (exit $rc2)" "$tmp/get2.out" "$tmp/get2.err"
fi

# resume: T of N pieces trusted, R rechecked, V valid
line=$(grep '^resume:' "$tmp/get2.out")
kept=$(echo "$line" |
	sed -n 's/^resume: \([0-9]*\) of [0-9]* pieces trusted, [0-9]* rechecked, \([0-9]*\) valid$/\1 \2/p')
trusted=${kept% *}
valid=${kept#* }
down=$(sed -n 's/^done: .* downloaded \([0-9]*\) bytes.*/\1/p' "$tmp/get2.out")
if [ -n "$kept" ] && [ -n "$down" ] && [ $((trusted + valid)) -gt 0 ]; then
	ok "restart kept $((trusted + valid)) verified pieces ($line)"
else
	not_ok "restart kept verified pieces ($line)" "$tmp/get2.out"
	exit 1
fi
# Pieces kept are not fetched again: at most the rest of the torrent
# comes over the wire (plus a few blocks fetched twice at the end).
left=$(((NPIECES - trusted - valid) * PIECE + 16 * 16384))
if [ "$down" -lt "$SIZE" ] && [ "$down" -le "$left" ]; then
	ok "downloaded $down of $SIZE bytes after the restart"
else
	not_ok "downloaded $down bytes after the restart (at most $left)" \
		"$tmp/get2.out"
fi

stop "$seed"
if [ "$STOP_RC" -eq 0 ]; then
	ok "seeder stops cleanly"
else
	not_ok "seeder stops cleanly (exit $STOP_RC)" "$tmp/seed.err"
fi
