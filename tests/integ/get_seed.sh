#!/bin/sh
# btt seed -> btt get on 127.0.0.1 with ports from the OS: a single-file
# torrent; multi-file v1, v2 and hybrid torrents (nested folders, an empty
# file, a folder holding only an empty file, a file smaller than a block);
# one seeder and two leechers at once; peers found through HTTP and UDP
# trackers (opentracker); SIGTERM ending a seeder cleanly; bad usage. Data is compared byte for byte. TAP lines "ok - name" /
# "not ok - name"; every process is started from this shell, recorded by
# PID and killed by PID on exit; every run is bounded by timeout.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
tap_tmp getseed

if [ ! -x "$BTT" ]; then
	not_ok "btt binary exists at $BTT"
	exit 1
fi

# get NAME TORRENT DIR PORT...: a --no-seed download from those peers;
# sets GET_RC.
get() {
	_n=$1 _t=$2 _d=$3
	shift 3
	_peers=
	for _p in "$@"; do
		_peers="$_peers --peer 127.0.0.1:$_p"
	done
	# shellcheck disable=SC2086
	timeout 120 "$BTT" get "$_t" -o "$_d" --port 0 --bind 127.0.0.1 \
		--no-seed $_peers >"$tmp/$_n.out" 2>"$tmp/$_n.err"
	GET_RC=$?
}

gen() { head -c "$2" /dev/urandom >"$1"; }

# ---- single file, v1 ----
mkdir -p "$tmp/one/src" "$tmp/one/dl"
gen "$tmp/one/src/file.bin" 3000017
"$BTT" create -q -l 64k -o "$tmp/one.torrent" "$tmp/one/src/file.bin" ||
	not_ok "create single-file torrent"
if seed_start seed1 "$tmp/one.torrent" "$tmp/one/src"; then
	ok "seeder prints its port"
	get get1 "$tmp/one.torrent" "$tmp/one/dl" "$SEED_PORT"
	if [ "$GET_RC" -eq 0 ] && cmp -s "$tmp/one/src/file.bin" \
		"$tmp/one/dl/file.bin"; then
		ok "single-file v1: exit 0, same bytes"
	else
		not_ok "single-file v1: exit $GET_RC" "$tmp/get1.out" \
			"$tmp/get1.err"
	fi
	if grep -q '^listening on 127.0.0.1:[0-9][0-9]*$' "$tmp/get1.out" &&
		grep -q '^done: 46/46 pieces, downloaded 3000017 bytes' \
			"$tmp/get1.out"; then
		ok "get prints its port and the bytes downloaded"
	else
		not_ok "get output" "$tmp/get1.out"
	fi
	if [ ! -e "$tmp/one/dl/file.bin.part" ]; then
		ok "no .part file left after completion"
	else
		not_ok "no .part file left after completion"
	fi
	# Completing again: everything trusted from resume data, nothing
	# downloaded.
	get get1b "$tmp/one.torrent" "$tmp/one/dl" "$SEED_PORT"
	if [ "$GET_RC" -eq 0 ] &&
		grep -q '^resume: 46 of 46 pieces trusted' "$tmp/get1b.out" &&
		grep -q 'downloaded 0 bytes' "$tmp/get1b.out"; then
		ok "a finished download restarts from resume data"
	else
		not_ok "restart from resume data: exit $GET_RC" \
			"$tmp/get1b.out" "$tmp/get1b.err"
	fi
	stop "$SEED_PID"
	if [ "$STOP_RC" -eq 0 ]; then
		ok "seeder exits 0 on SIGTERM"
	else
		not_ok "seeder exits 0 on SIGTERM (exit $STOP_RC)" \
			"$tmp/seed1.err"
	fi
else
	not_ok "seeder prints its port" "$tmp/seed1.out" "$tmp/seed1.err"
fi

# ---- multi-file: v1, v2, hybrid ----
m=$tmp/multi/src/data
mkdir -p "$m/sub/deep" "$m/other" "$m/onlyempty"
gen "$m/a.bin" 300001
: >"$m/empty.txt"
: >"$m/onlyempty/zero"
gen "$m/sub/b.bin" 16384
gen "$m/sub/deep/c.bin" 5000
gen "$m/sub/deep/d.bin" 1048583
gen "$m/other/e.bin" 1
gen "$m/z.bin" 70001
for v in v1 v2 hybrid; do
	"$BTT" create -q --$v -l 32k -o "$tmp/$v.torrent" "$m" ||
		not_ok "create $v torrent"
	if ! seed_start "seed-$v" "$tmp/$v.torrent" "$tmp/multi/src"; then
		not_ok "multi-file $v: seeder starts" "$tmp/seed-$v.err"
		continue
	fi
	mkdir -p "$tmp/multi/dl-$v"
	get "get-$v" "$tmp/$v.torrent" "$tmp/multi/dl-$v" "$SEED_PORT"
	if [ "$GET_RC" -eq 0 ] && diff -r "$m" "$tmp/multi/dl-$v/data" \
		>"$tmp/diff-$v" 2>&1; then
		ok "multi-file $v: exit 0, same tree and bytes"
	else
		not_ok "multi-file $v: exit $GET_RC" "$tmp/diff-$v" \
			"$tmp/get-$v.out" "$tmp/get-$v.err"
	fi
	stop "$SEED_PID"
done
if [ -f "$tmp/multi/dl-v1/data/onlyempty/zero" ] &&
	[ -f "$tmp/multi/dl-v1/data/empty.txt" ]; then
	ok "empty files and a folder holding only an empty file exist"
else
	not_ok "empty files and a folder holding only an empty file exist"
fi

# ---- one seeder, two leechers at once ----
mkdir -p "$tmp/two/src" "$tmp/two/dl1" "$tmp/two/dl2"
gen "$tmp/two/src/f.bin" 8000000
"$BTT" create -q -l 32k -o "$tmp/two.torrent" "$tmp/two/src/f.bin"
if seed_start seed2 "$tmp/two.torrent" "$tmp/two/src" --up-limit 4m; then
	timeout 120 "$BTT" get "$tmp/two.torrent" -o "$tmp/two/dl1" --port 0 \
		--bind 127.0.0.1 --no-seed --peer "127.0.0.1:$SEED_PORT" \
		>"$tmp/l1.out" 2>"$tmp/l1.err" &
	l1=$!
	pids="$pids $l1"
	get l2 "$tmp/two.torrent" "$tmp/two/dl2" "$SEED_PORT"
	wait "$l1"
	l1rc=$?
	if [ "$l1rc" -eq 0 ] && [ "$GET_RC" -eq 0 ] &&
		cmp -s "$tmp/two/src/f.bin" "$tmp/two/dl1/f.bin" &&
		cmp -s "$tmp/two/src/f.bin" "$tmp/two/dl2/f.bin"; then
		ok "one seeder, two leechers: both complete, same bytes"
	else
		not_ok "one seeder, two leechers: exit $l1rc and $GET_RC" \
			"$tmp/l1.err" "$tmp/l2.err"
	fi
	stop "$SEED_PID"
else
	not_ok "one seeder, two leechers: seeder starts" "$tmp/seed2.err"
fi

# ---- peers found through a tracker (opentracker), HTTP and UDP ----
# opentracker serves whitelisted info-hashes only; started as root it
# chroots into its directory, which must be world-readable.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
if command -v opentracker >/dev/null 2>&1; then
	otp=$(free_port)
	mkdir -p "$tmp/ot" "$tmp/trk/src"
	chmod 755 "$tmp/ot"
	gen "$tmp/trk/src/t.bin" 2000003
	"$BTT" create -q -l 32k -a "http://127.0.0.1:$otp/announce" \
		-o "$tmp/http.torrent" "$tmp/trk/src/t.bin"
	"$BTT" create -q -l 64k -a "udp://127.0.0.1:$otp" \
		-o "$tmp/udp.torrent" "$tmp/trk/src/t.bin"
	for k in http udp; do
		"$BTT" info "$tmp/$k.torrent" |
			sed -n 's/^info-hash v1: *//p' >>"$tmp/ot/whitelist.txt"
	done
	chmod 644 "$tmp/ot/whitelist.txt"
	opentracker -i 127.0.0.1 -p "$otp" -P "$otp" -d "$tmp/ot" \
		-w whitelist.txt >"$tmp/ot.log" 2>&1 &
	ot=$!
	pids="$pids $ot"
	sleep 0.5
	for k in http udp; do
		if ! seed_start "seed-$k" "$tmp/$k.torrent" "$tmp/trk/src"; then
			not_ok "$k tracker: seeder starts" "$tmp/seed-$k.err"
			continue
		fi
		mkdir -p "$tmp/trk/dl-$k"
		get "get-$k" "$tmp/$k.torrent" "$tmp/trk/dl-$k"
		if [ "$GET_RC" -eq 0 ] && cmp -s "$tmp/trk/src/t.bin" \
			"$tmp/trk/dl-$k/t.bin"; then
			ok "$k tracker: the leecher finds the seeder, same bytes"
		else
			not_ok "$k tracker: exit $GET_RC" "$tmp/get-$k.out" \
				"$tmp/get-$k.err" "$tmp/seed-$k.err"
		fi
		stop "$SEED_PID"
		if [ "$STOP_RC" -eq 0 ] && ! grep -q tracker "$tmp/seed-$k.err"
		then
			ok "$k tracker: seeder announced and stopped cleanly"
		else
			not_ok "$k tracker: seeder stop (exit $STOP_RC)" \
				"$tmp/seed-$k.err"
		fi
	done
	kill "$ot" 2>/dev/null
else
	not_ok "opentracker is installed (scripts/deps.sh)"
fi

# ---- a leecher with no reachable peer stops cleanly on SIGTERM ----
mkdir -p "$tmp/lone"
timeout --foreground 60 "$BTT" get "$tmp/two.torrent" -o "$tmp/lone" --port 0 \
	--bind 127.0.0.1 >"$tmp/lone.out" 2>"$tmp/lone.err" &
lone=$!
pids="$pids $lone"
for _i in $(seq 50); do
	grep -q '^resume:' "$tmp/lone.out" 2>/dev/null && break
	sleep 0.2
done
stop "$lone"
if [ "$STOP_RC" -eq 1 ] && grep -q 'download incomplete' "$tmp/lone.err"; then
	ok "interrupted download exits 1 and says why"
else
	not_ok "interrupted download exits 1 (exit $STOP_RC)" "$tmp/lone.err"
fi

# ---- bad usage and bad input ----
"$BTT" get "$tmp/two.torrent" >/dev/null 2>&1
rc1=$?
"$BTT" get "$tmp/missing.torrent" -o "$tmp/x" >/dev/null 2>"$tmp/bad.err"
rc2=$?
"$BTT" seed "$tmp/two.torrent" >/dev/null 2>&1
rc3=$?
"$BTT" get "$tmp/two.torrent" -o "$tmp/x" --peer nonsense >/dev/null 2>&1
rc4=$?
if [ "$rc1" -eq 2 ] && [ "$rc2" -eq 2 ] && [ "$rc3" -eq 2 ] &&
	[ "$rc4" -eq 2 ] && grep -qF "$tmp/missing.torrent" "$tmp/bad.err"; then
	ok "bad usage and a missing torrent exit 2 and name the file"
else
	not_ok "bad usage exits 2 (got $rc1 $rc2 $rc3 $rc4)" "$tmp/bad.err"
fi
mkdir -p "$tmp/nodata"
timeout 30 "$BTT" seed "$tmp/two.torrent" "$tmp/nodata" --port 0 \
	--bind 127.0.0.1 >/dev/null 2>"$tmp/nodata.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'no valid data' "$tmp/nodata.err"; then
	ok "seeding a directory without the data exits 1"
else
	not_ok "seeding without data exits 1 (exit $rc)" "$tmp/nodata.err"
fi
