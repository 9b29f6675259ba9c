# Shared helpers of the interop tests (tests/interop/*.sh) and the transfer
# benchmark (bench/bench_transfer.sh). Source it from the repository root:
#
#   cd "$(dirname "$0")/../.." || exit 1
#   . tests/interop/lib.sh
#   it_init NAME
#
# It owns: one temporary directory per run (removed by the EXIT trap), every
# child process it starts (recorded with its PID, stopped by PID with TERM
# and then KILL after a deadline: never by name), ports (chosen by the
# client itself and read back where it can, else bound to 0 by the OS and
# released just before use), TAP lines, bounded waits, generated payloads,
# opentracker, and starters for libtorrent, Transmission, aria2 and btt.
# Processes must be started from the main shell (not inside $(...) or a
# pipeline), so that the shell can wait for them and the PID is its child.
#
# Run directly (sh tests/interop/lib.sh) it tests itself: TAP lines for the
# helpers, opentracker and a small libtorrent -> aria2 transfer.

BUILD=${BUILD:-build}
IT_BTT=$(pwd)/$BUILD/btt
IT_PY=/usr/bin/python3
IT_DIR=$(pwd)/tests/interop
IT_PASS=0
IT_FAIL=0
IT_TMP=
IT_PID=

# ---------------------------------------------------------------- TAP

it_ok() {
	IT_PASS=$((IT_PASS + 1))
	echo "ok - $1"
}

it_not_ok() {
	IT_FAIL=$((IT_FAIL + 1))
	echo "not ok - $1"
	[ $# -gt 1 ] && it_diag "$2"
	return 0
}

it_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# it_diag_file FILE [LINES]: the end of a log, as TAP comments.
it_diag_file() {
	[ -s "$1" ] || return 0
	echo "# --- ${1#"$IT_TMP"/} (last ${2:-15} lines)"
	tail -n "${2:-15}" "$1" | tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g; s/^/#   /'
}

# it_check NAME CMD...: ok if CMD succeeds.
it_check() {
	_n=$1
	shift
	if "$@"; then it_ok "$_n"; else it_not_ok "$_n"; fi
}

# it_summary: the counts as a comment; status 0 only if nothing failed.
it_summary() {
	echo "# $IT_PASS passed, $IT_FAIL failed"
	[ "$IT_FAIL" -eq 0 ]
}

# ---------------------------------------------------------------- run dir

# it_init NAME: the run's temporary directory and the cleanup trap.
it_init() {
	IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/btt-$1.XXXXXX") || exit 1
	: >"$IT_TMP/pids"
	mkdir -p "$IT_TMP/log"
	trap it_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

it_cleanup() {
	_rc=$?
	trap - EXIT INT TERM
	it_stop_all
	[ -n "$IT_TMP" ] && [ -z "${IT_KEEP:-}" ] && rm -rf "$IT_TMP"
	[ -n "${IT_KEEP:-}" ] && echo "# kept $IT_TMP" >&2
	exit "$_rc"
}

# ---------------------------------------------------------------- processes

# it_spawn NAME CMD...: starts CMD in the background with stdout and stderr
# in $IT_TMP/log/NAME.out and NAME.err; IT_PID is its PID.
it_spawn() {
	_name=$1
	shift
	"$@" </dev/null >"$IT_TMP/log/$_name.out" 2>"$IT_TMP/log/$_name.err" &
	IT_PID=$!
	echo "$IT_PID $_name" >>"$IT_TMP/pids"
}

it_log() { echo "$IT_TMP/log/$1.$2"; }

# it_alive PID: the process runs and is not a zombie waiting to be reaped.
it_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}

# it_ours PID: the process is a child of this shell (guards against a PID
# that was reused after our child exited and was reaped).
it_ours() {
	[ -r "/proc/$1/stat" ] || return 1
	_pp=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f2)
	[ "$_pp" = "$$" ]
}

_it_forget() {
	grep -v "^$1 " "$IT_TMP/pids" >"$IT_TMP/pids.new" 2>/dev/null
	mv "$IT_TMP/pids.new" "$IT_TMP/pids"
}

# it_stop PID [GRACE]: TERM, then KILL after GRACE seconds (default 5);
# reaps it. Returns its exit status; IT_KILLED=1 if it needed the KILL.
it_stop() {
	_pid=$1
	_grace=${2:-5}
	# shellcheck disable=SC2034
	IT_KILLED=0
	if it_ours "$_pid" && it_alive "$_pid"; then
		kill -TERM "$_pid" 2>/dev/null
		_end=$(($(date +%s) + _grace))
		while it_alive "$_pid" && [ "$(date +%s)" -lt "$_end" ]; do
			sleep 0.1
		done
		if it_alive "$_pid"; then
			it_diag "pid $_pid ignored TERM for ${_grace}s: KILL"
			kill -KILL "$_pid" 2>/dev/null
			# shellcheck disable=SC2034 # read by the callers
			IT_KILLED=1
		fi
	fi
	wait "$_pid" 2>/dev/null
	_src=$?
	_it_forget "$_pid"
	return "$_src"
}

it_stop_all() {
	[ -n "$IT_TMP" ] && [ -f "$IT_TMP/pids" ] || return 0
	for _p in $(cut -d' ' -f1 "$IT_TMP/pids"); do
		it_stop "$_p" 3
	done
}

# it_wait_exit PID TIMEOUT: waits until PID exits; its exit status, or
# 124 if it still runs after TIMEOUT seconds (it is left running).
it_wait_exit() {
	_end=$(($(date +%s) + $2))
	while it_alive "$1"; do
		[ "$(date +%s)" -ge "$_end" ] && return 124
		sleep 0.1
	done
	wait "$1" 2>/dev/null
	_src=$?
	_it_forget "$1"
	return "$_src"
}

# it_wait_until TIMEOUT CMD...: polls CMD every 0.2 s until it succeeds;
# status 1 after TIMEOUT seconds.
it_wait_until() {
	_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.2
	done
	return 0
}

# it_wait_line FILE REGEX TIMEOUT [PID]: until FILE has a line matching the
# extended REGEX; fails early if PID exits.
it_wait_line() {
	_end=$(($(date +%s) + $3))
	until grep -Eq "$2" "$1" 2>/dev/null; do
		[ $# -ge 4 ] && ! it_alive "$4" && ! grep -Eq "$2" "$1" 2>/dev/null &&
			return 1
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.1
	done
	return 0
}

# it_now: wall time in seconds with millisecond precision.
it_now() { date +%s.%N | cut -c1-14; }

# it_elapsed START: seconds since START (from it_now), 2 decimals.
it_elapsed() { echo "$(it_now) $1" | awk '{printf "%.2f", $1 - $2}'; }

# ---------------------------------------------------------------- ports

# it_free_port [tcp|udp]: a port the OS had free a moment ago (the socket
# is closed again, so another process could take it: a tiny race that only
# clients that cannot choose their own port are exposed to).
# shellcheck disable=SC2120
it_free_port() {
	$IT_PY -c '
import socket, sys
t = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, t)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "${1:-tcp}"
}

# it_listen_ports PID tcp|udp: the ports PID listens on, read back from
# /proc (for clients told to bind port 0).
it_listen_ports() {
	$IT_PY -c '
import os, sys
pid, proto = sys.argv[1], sys.argv[2]
inodes = set()
try:
    for fd in os.listdir("/proc/%s/fd" % pid):
        try:
            link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    lines = open("/proc/%s/net/%s" % (pid, proto)).read().splitlines()[1:]
except OSError:
    sys.exit(1)
ports = set()
for line in lines:
    f = line.split()
    if f[9] in inodes and (proto == "udp" or f[3] == "0A"):
        ports.add(int(f[1].split(":")[1], 16))
print(" ".join(str(p) for p in sorted(ports)))' "$1" "$2"
}

# it_port_of FILE: the port from the first "listening on ADDR:PORT".
it_port_of() {
	sed -n 's/.*listening on [0-9.]*:\([0-9][0-9]*\).*/\1/p' "$1" |
		head -n 1
}

# ---------------------------------------------------------------- payloads

# it_rand FILE SIZE: SIZE random bytes (AES-CTR keystream: fast for GiBs).
it_rand() {
	openssl enc -aes-128-ctr -nosalt -pass "pass:$$-$1-$(it_now)" \
		-in /dev/zero 2>/dev/null | head -c "$2" >"$1"
}

# it_payload_single DIR NAME SIZE: DIR/NAME, one random file.
it_payload_single() {
	mkdir -p "$1"
	it_rand "$1/$2" "$3"
}

# it_payload_multi DIR NAME [SCALE]: DIR/NAME, a tree with nested folders,
# an empty file, a folder holding only an empty file, a file smaller than
# one 16 KiB block, a one-byte file and odd sizes so pieces straddle file
# boundaries. SCALE multiplies the two larger files (default 1, ~2.7 MB).
it_payload_multi() {
	_d=$1/$2
	_s=${3:-1}
	mkdir -p "$_d/sub/deep/z" "$_d/docs" "$_d/only-empty"
	it_rand "$_d/a.bin" $((300001 * _s))
	: >"$_d/empty.txt"
	: >"$_d/only-empty/nothing"
	it_rand "$_d/small.bin" 5000
	it_rand "$_d/sub/deep/x.bin" $((2234567 * _s))
	it_rand "$_d/sub/deep/z/tiny" 1
	it_rand "$_d/sub/y.bin" 65537
	it_rand "$_d/docs/readme.txt" 777
}

# it_payload_sparse DIR NAME: DIR/NAME, a sparse file of 4 GiB + 65 KiB
# (mostly zeros, random MiBs at the start, across the 2 and 4 GiB marks
# and at the end) followed by a small file whose torrent offset is > 4 GiB.
it_payload_sparse() {
	_d=$1/$2
	mkdir -p "$_d"
	_big=$_d/big.sparse
	_size=$((4294967296 + 66560))
	truncate -s "$_size" "$_big"
	for _off in 0 $((2147483648 - 524288)) $((4294967296 - 524288)) \
		$((_size - 1048576)); do
		it_rand "$IT_TMP/chunk" 1048576
		dd if="$IT_TMP/chunk" of="$_big" bs=1048576 seek="$_off" \
			oflag=seek_bytes conv=notrunc status=none
	done
	rm -f "$IT_TMP/chunk"
	it_rand "$_d/tail.bin" 100003
}

# it_same_tree SRC DSTDIR [tolerate-empty]: DSTDIR/$(basename SRC) holds the
# same bytes as SRC (a file or a tree), with no file missing or extra.
# With tolerate-empty, a missing zero-length file is only reported
# (Transmission 3.00 never creates them).
it_same_tree() {
	_src=$1
	_dst=$2/$(basename "$1")
	_ok=0
	if [ -f "$_src" ]; then
		cmp "$_src" "$_dst" >/dev/null 2>&1 && return 0
		it_diag "$_dst differs from $_src or is missing"
		return 1
	fi
	for _f in $(cd "$_src" && find . -type f | sort); do
		if [ ! -f "$_dst/$_f" ]; then
			if [ -n "${3:-}" ] && [ ! -s "$_src/$_f" ]; then
				it_diag "known quirk: empty file $_f not created"
				continue
			fi
			it_diag "missing: $_f"
			_ok=1
		elif ! cmp "$_src/$_f" "$_dst/$_f" >/dev/null 2>&1; then
			it_diag "differs: $_f"
			_ok=1
		fi
	done
	for _f in $(cd "$_dst" 2>/dev/null && find . -type f | sort); do
		if [ ! -f "$_src/$_f" ]; then
			it_diag "extra file: $_f"
			_ok=1
		fi
	done
	return $_ok
}

# ---------------------------------------------------------------- torrents

# it_torrent SRC OUT PIECE [ANNOUNCE]: a v1 torrent made by btt create.
it_torrent() {
	if [ -n "${4:-}" ]; then
		"$IT_BTT" create -q -f -l "$3" -a "$4" -o "$2" "$1"
	else
		"$IT_BTT" create -q -f -l "$3" -o "$2" "$1"
	fi
}

# it_infohash TORRENT: the v1 info-hash in hex (btt info --json).
it_infohash() {
	"$IT_BTT" info --json "$1" | $IT_PY -c '
import json, sys
print(json.load(sys.stdin)["info_hash_v1"])'
}

# ---------------------------------------------------------------- tracker

# it_tracker_start: opentracker on 127.0.0.1 with OS-chosen TCP and UDP
# ports; sets IT_TRACKER_PID, IT_TRACKER_PORT, IT_TRACKER_UDP and
# IT_ANNOUNCE. Debian's build serves only whitelisted info-hashes and,
# started as root, chroots into its directory and drops to nobody before
# reading the whitelist: hence the relative path and the 0755/0644 modes.
it_tracker_start() {
	_td=$IT_TMP/tracker
	mkdir -p "$_td"
	chmod 0755 "$_td"
	: >"$_td/whitelist.txt"
	chmod 0644 "$_td/whitelist.txt"
	it_spawn tracker opentracker -i 127.0.0.1 -p 0 -P 0 -d "$_td" \
		-w whitelist.txt
	IT_TRACKER_PID=$IT_PID
	IT_TRACKER_PORT=
	_end=$(($(date +%s) + 10))
	while [ -z "$IT_TRACKER_PORT" ] && [ "$(date +%s)" -lt "$_end" ]; do
		sleep 0.1
		IT_TRACKER_PORT=$(it_listen_ports "$IT_TRACKER_PID" tcp)
	done
	IT_TRACKER_UDP=$(it_listen_ports "$IT_TRACKER_PID" udp)
	IT_ANNOUNCE=http://127.0.0.1:$IT_TRACKER_PORT/announce
	[ -n "$IT_TRACKER_PORT" ]
}

# _it_tracker_get PATH-AND-QUERY: the tracker's raw answer on stdout.
_it_tracker_get() {
	$IT_PY -c '
import sys, urllib.request
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5).read()
except Exception as e:
    r = b"error: " + str(e).encode()
sys.stdout.buffer.write(r)' "http://127.0.0.1:$IT_TRACKER_PORT$1"
}

_it_pct() { echo "$1" | sed 's/../%&/g'; }

# it_tracker_authorized HASH: the tracker accepts announces for HASH. The
# probe announces port 9 and withdraws at once ("stopped" is answered
# without a whitelist check, so it cannot be the probe itself).
it_tracker_authorized() {
	_q="info_hash=$(_it_pct "$1")&peer_id=-XX0000-probeprobepr&port=9"
	_q="$_q&uploaded=0&downloaded=0&left=0&compact=1"
	_r=$(_it_tracker_get "/announce?$_q")
	_it_tracker_get "/announce?$_q&event=stopped" >/dev/null
	case $_r in d*interval*) return 0 ;; *) return 1 ;; esac
}

# it_tracker_allow TORRENT...: whitelists the torrents' info-hashes
# (opentracker re-reads its whitelist on SIGHUP) and waits until it does.
it_tracker_allow() {
	for _t in "$@"; do
		_h=$(it_infohash "$_t") || return 1
		echo "$_h" >>"$IT_TMP/tracker/whitelist.txt"
	done
	kill -HUP "$IT_TRACKER_PID"
	it_wait_until 10 it_tracker_authorized "$_h"
}

# it_tracker_count HASH complete|incomplete: the scrape count.
it_tracker_count() {
	_it_tracker_get "/scrape?info_hash=$(_it_pct "$1")" |
		$IT_PY -c '
import re, sys
d = sys.stdin.buffer.read()
m = re.search(rb"%s" % sys.argv[1].encode() + rb"i(\d+)e", d)
print(m.group(1).decode() if m else 0)' "$(printf '%d:%s' ${#2} "$2")"
}

# it_tracker_has HASH complete|incomplete N: at least N such peers.
it_tracker_has() {
	[ "$(it_tracker_count "$1" "$2")" -ge "$3" ]
}

# ---------------------------------------------------------------- clients

# it_lt NAME seed|get TORRENT DIR [lt_peer.py options]: a libtorrent peer;
# waits for its "listening on" line (seeds: and for "seeding"). IT_PID and
# IT_PORT are set. Fails if it does not get there in 60 s.
it_lt() {
	_n=$1
	_m=$2
	shift 2
	it_spawn "$_n" $IT_PY "$IT_DIR/lt_peer.py" "$_m" "$@"
	_out=$(it_log "$_n" out)
	it_wait_line "$_out" 'listening on' 20 "$IT_PID" || return 1
	IT_PORT=$(it_port_of "$_out")
	[ "$_m" = get ] || it_wait_line "$_out" '^seeding' 60 "$IT_PID"
}

# it_aria2 NAME seed|get TORRENT DIR: aria2c with DHT, LPD and PEX off.
# A leecher exits 0 when done (--seed-time=0); a seed checks the data
# (-V) and serves until stopped (--seed-ratio=0.0). Sets IT_PID, IT_PORT.
it_aria2() {
	_n=$1
	_p=$(it_free_port tcp)
	if [ "$2" = seed ]; then
		set -- "$3" "$4" -V --seed-ratio=0.0
	else
		set -- "$3" "$4" --seed-time=0
	fi
	_t=$1
	_d=$2
	shift 2
	it_spawn "$_n" aria2c --enable-dht=false --enable-dht6=false \
		--bt-enable-lpd=false --enable-peer-exchange=false \
		--disable-ipv6=true --listen-port="$_p" --dir="$_d" \
		--file-allocation=none --summary-interval=0 \
		--show-console-readout=false --console-log-level=notice \
		--allow-overwrite=true --auto-file-renaming=false \
		--bt-save-metadata=false --auto-save-interval=0 "$@" "$_t"
	_out=$(it_log "$_n" out)
	it_wait_line "$_out" 'listening on TCP port' 60 "$IT_PID" || return 1
	IT_PORT=$(sed -n 's/.*listening on TCP port \([0-9]*\).*/\1/p' "$_out" |
		head -n 1)
}

# it_tr_start NAME DIR: a transmission-daemon (3.00) of its own, data in
# DIR, RPC and peer ports chosen here, DHT/LPD/PEX/uTP/port mapping off.
# Sets IT_PID, IT_PORT (peer port) and IT_TR_RPC (host:port for
# transmission-remote). Each use gets a fresh daemon: Transmission keys
# what it learns about peers by IP address alone, so on 127.0.0.1 every
# peer it meets shares one record (a seed seen earlier makes it refuse
# encrypted connections from "that seed" once it is a seed itself).
it_tr_start() {
	_n=$1
	_conf=$IT_TMP/$_n.conf
	mkdir -p "$_conf" "$2"
	_rpc=$(it_free_port tcp)
	IT_PORT=$(it_free_port tcp)
	cat >"$_conf/settings.json" <<EOF
{
  "dht-enabled": false, "lpd-enabled": false, "pex-enabled": false,
  "utp-enabled": false, "port-forwarding-enabled": false,
  "peer-port": $IT_PORT, "peer-port-random-on-start": false,
  "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1",
  "rpc-enabled": true, "rpc-bind-address": "127.0.0.1", "rpc-port": $_rpc,
  "rpc-authentication-required": false, "rpc-whitelist-enabled": false,
  "rpc-host-whitelist-enabled": false,
  "download-dir": "$2", "incomplete-dir-enabled": false,
  "rename-partial-files": false, "start-added-torrents": true,
  "ratio-limit-enabled": false, "idle-seeding-limit-enabled": false,
  "download-queue-enabled": false, "seed-queue-enabled": false,
  "queue-stalled-enabled": false, "blocklist-enabled": false,
  "speed-limit-up-enabled": false, "speed-limit-down-enabled": false,
  "alt-speed-enabled": false, "preallocation": 0, "message-level": 2,
  "umask": 18, "encryption": 1, "cache-size-mb": 16
}
EOF
	it_spawn "$_n" transmission-daemon -f -g "$_conf"
	IT_TR_RPC=127.0.0.1:$_rpc
	it_wait_until 20 it_tr_rpc_ready
}

it_tr_rpc_ready() { transmission-remote "$IT_TR_RPC" -l >/dev/null 2>&1; }

# it_tr_add TORRENT: adds TORRENT to the daemon at IT_TR_RPC.
it_tr_add() {
	transmission-remote "$IT_TR_RPC" -a "$1" >/dev/null
}

# it_tr_done [ID]: torrent ID (default 1) is complete and checked.
# shellcheck disable=SC2120
it_tr_done() {
	transmission-remote "$IT_TR_RPC" -t "${1:-1}" -i 2>/dev/null |
		grep -q 'Percent Done: 100%'
}

# it_tr_info [ID]: Transmission's view of the torrent, for diagnostics.
# shellcheck disable=SC2120
it_tr_info() {
	transmission-remote "$IT_TR_RPC" -t "${1:-1}" -i 2>&1 |
		grep -E 'State|Percent Done|Have|Error|Peers|Corrupt' |
		sed 's/^ */# tr: /'
}

# it_btt_available: btt get and btt seed exist.
it_btt_available() {
	[ -x "$IT_BTT" ] &&
		"$IT_BTT" get --help >/dev/null 2>&1 &&
		"$IT_BTT" seed --help >/dev/null 2>&1
}

# it_btt NAME seed|get TORRENT DIR [options]: btt on 127.0.0.1 and an
# OS-chosen port; waits for its "listening on ADDR:PORT" line (a seed: and
# for "seeding", printed once its data is checked). A leecher gets
# --no-seed so that it exits when complete. Sets IT_PID and IT_PORT.
# IT_BTT_GLOBAL holds options put before the command (e.g. --log-level).
it_btt() {
	_n=$1
	_m=$2
	_t=$3
	_d=$4
	shift 4
	if [ "$_m" = get ]; then
		# shellcheck disable=SC2086
		it_spawn "$_n" "$IT_BTT" ${IT_BTT_GLOBAL:-} get "$_t" -o "$_d" \
			--bind 127.0.0.1 --port 0 --no-seed "$@"
	else
		# shellcheck disable=SC2086
		it_spawn "$_n" "$IT_BTT" ${IT_BTT_GLOBAL:-} seed "$_t" "$_d" \
			--bind 127.0.0.1 --port 0 "$@"
	fi
	_out=$(it_log "$_n" out)
	it_wait_line "$_out" 'listening on' 30 "$IT_PID" || return 1
	IT_PORT=$(it_port_of "$_out")
	[ "$_m" = get ] || it_wait_line "$_out" '^seeding' 60 "$IT_PID"
}

# ---------------------------------------------------------------- self-test

_it_selftest() {
	it_init interop-lib
	it_check "lib: temporary directory exists" [ -d "$IT_TMP" ]
	_p=$(it_free_port tcp)
	it_check "lib: the OS gives a free TCP port" [ "${_p:-0}" -gt 0 ]
	it_spawn sleeper sleep 30
	_sp=$IT_PID
	it_check "lib: a spawned child is alive and ours" it_ours "$_sp"
	it_stop "$_sp" 2
	it_check "lib: it_stop ends it" eval "! it_alive $_sp"
	it_spawn stubborn sh -c 'trap "" TERM; sleep 30'
	_sp=$IT_PID
	sleep 0.2
	it_stop "$_sp" 1 >/dev/null
	it_check "lib: a child ignoring TERM is KILLed after the grace" \
		eval "! it_alive $_sp"
	it_check "lib: a bounded wait gives up" \
		eval "! it_wait_until 1 false"
	if it_tracker_start; then
		it_ok "lib: opentracker listens on tcp $IT_TRACKER_PORT udp $IT_TRACKER_UDP"
	else
		it_not_ok "lib: opentracker starts"
		it_diag_file "$(it_log tracker err)"
		it_summary
		return
	fi
	it_payload_multi "$IT_TMP/src" tree
	it_torrent "$IT_TMP/src/tree" "$IT_TMP/tree.torrent" 32768 "$IT_ANNOUNCE"
	_h=$(it_infohash "$IT_TMP/tree.torrent")
	it_check "lib: an unlisted info-hash is refused" \
		eval "! it_tracker_authorized $_h"
	it_tracker_allow "$IT_TMP/tree.torrent"
	it_check "lib: a whitelisted info-hash is accepted" \
		it_tracker_authorized "$_h"
	if it_lt seed seed "$IT_TMP/tree.torrent" "$IT_TMP/src"; then
		it_ok "lib: libtorrent seeds"
	else
		it_not_ok "lib: libtorrent seeds"
		it_diag_file "$(it_log seed out)"
	fi
	it_wait_until 10 it_tracker_has "$_h" complete 1
	it_check "lib: the tracker lists the seed" \
		it_tracker_has "$_h" complete 1
	it_aria2 get get "$IT_TMP/tree.torrent" "$IT_TMP/dst"
	it_wait_exit "$IT_PID" 60
	it_check "lib: aria2 downloads from libtorrent (exit $?)" [ $? -eq 0 ]
	it_check "lib: the tree arrives intact" \
		it_same_tree "$IT_TMP/src/tree" "$IT_TMP/dst"
	it_stop_all
	it_check "lib: every child stopped" [ ! -s "$IT_TMP/pids" ]
	it_summary
}

case ${0##*/} in
lib.sh) _it_selftest ;;
esac
