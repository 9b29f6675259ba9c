#!/bin/sh
# Hostile peers against btt (tests/interop/hostile_peer.py, plain sockets).
#
# Part 1: the scripted peer attacks a btt seed: wrong info-hash, a
#   misspelt handshake, oversized length prefixes, PIECEs of 32 KiB and
#   1 MiB, an
#   unknown message id, bitfields of the wrong size or with spare bits
#   set, HAVE out of range, HAVE_ALL without the fast extension, requests
#   beyond the end / past the last piece / over 128 KiB, an unrequested
#   PIECE, a million keep-alives, 50,000 requests never read. The seed must
#   close the connection where the protocol leaves no choice, never serve
#   an invalid request, keep a connection that sends a late BITFIELD (as
#   aria2 does), stay alive after each attack with bounded memory, and at
#   the end still serve a libtorrent leecher the right bytes.
# Part 2: the scripted peer plays a seed that a btt leecher dials next to
#   an honest libtorrent seed (rate limited, so the download takes a few
#   seconds): corrupt data for every block or every other piece, another
#   info-hash in its handshake, an oversized length, bad bitfields, HAVE
#   out of range, unrequested and wrongly sized PIECEs, a keep-alive flood,
#   requests never answered. btt must finish with the right data, and where
#   the peer broke the protocol or sent corrupt data it must have dropped
#   it well before the download ended (and said so: a hash failure count or
#   a "banned peer" line for corrupt data).
#
#   sh tests/interop/hostile.sh [btt|libtorrent]
#
# With "libtorrent" the same scripts run against libtorrent instead of btt:
# a check of the scripted peer itself, where libtorrent's own choices that
# differ from what btt must do are reported as comments. TAP output.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/interop/lib.sh
it_init interop-hostile

TARGET=${1:-btt}
HOSTILE="$IT_PY $IT_DIR/hostile_peer.py"
IT_BTT_GLOBAL="--log-level debug"

if [ "$TARGET" = btt ] && ! it_btt_available; then
	it_not_ok "btt get/seed available" "'$IT_BTT get --help' or 'seed --help' fails"
	exit 1
fi

# 129 pieces of 64 KiB (7 spare bits in a bitfield), no tracker.
d=$IT_TMP/data
it_payload_single "$d" payload.bin 8400000
T=$IT_TMP/p.torrent
it_torrent "$d/payload.bin" "$T" 65536

target_seed() {
	if [ "$TARGET" = btt ]; then
		it_btt "$1" seed "$T" "$d"
	else
		it_lt "$1" seed "$T" "$d" --no-tracker
	fi
}

# target_get NAME DIR PEER...: a leecher dialing each PEER (IP:PORT).
target_get() {
	_n=$1 _dir=$2
	shift 2
	_peers=$*
	set --
	for _p in $_peers; do set -- "$@" --peer "$_p"; done
	if [ "$TARGET" = btt ]; then
		it_btt "$_n" get "$T" "$_dir" "$@"
	else
		it_lt "$_n" get "$T" "$_dir" --no-tracker --timeout 100 "$@"
	fi
}

# expect NAME CONDITION...: a TAP line for btt; for libtorrent a mismatch
# with btt's rules is only reported.
expect() {
	_n=$1
	shift
	if "$@"; then
		it_ok "$_n"
	elif [ "$TARGET" = btt ]; then
		it_not_ok "$_n"
	else
		it_ok "$_n # libtorrent differs here"
	fi
}

one_of() {
	_v=$1
	shift
	for _w in "$@"; do [ "$_v" = "$_w" ] && return 0; done
	return 1
}

rss_kb() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }

json_field() {
	$IT_PY -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' \
		"$1" "$2" 2>/dev/null
}

# ------------------------------------------------------------ part 1

seed_up() {
	SEEDN=$((SEEDN + 1))
	if target_seed "seed$SEEDN"; then
		SEED_PID=$IT_PID
		SEED_PORT=$IT_PORT
		return 0
	fi
	it_not_ok "$TARGET seeds"
	it_diag_file "$(it_log "seed$SEEDN" out)"
	it_diag_file "$(it_log "seed$SEEDN" err)"
	return 1
}

SEEDN=0
seed_up || exit 1

# attack SCENARIO RULE: RULE is close (the seed must close the
# connection), open (must keep it), noserve (must not answer the invalid
# request) or survive (anything but a crash).
attack() {
	sc=$1 rule=$2
	before=$(rss_kb "$SEED_PID")
	r=$(timeout 90 $HOSTILE attack "127.0.0.1:$SEED_PORT" "$T" "$sc" --wait 5)
	res=$(json_field "$r" result)
	it_diag "$sc: $r"
	case $rule in
	close) expect "attack $sc: $TARGET closes the connection" [ "$res" = closed ] ;;
	open) expect "attack $sc: $TARGET keeps the connection" [ "$res" = open ] ;;
	noserve)
		expect "attack $sc: $TARGET does not serve it" \
			one_of "$res" closed open
		;;
	survive) it_check "attack $sc: the scripted peer ran" [ -n "$res" ] ;;
	esac
	if it_alive "$SEED_PID"; then
		it_ok "attack $sc: $TARGET seed still alive"
	else
		it_not_ok "attack $sc: $TARGET seed still alive"
		it_diag_file "$(it_log "seed$SEEDN" err)" 30
		seed_up || exit 1
		return
	fi
	if [ "$sc" = request-flood ]; then
		after=$(rss_kb "$SEED_PID")
		grow=$(((after - before) / 1024))
		it_diag "request-flood: RSS $((before / 1024)) -> $((after / 1024)) MiB"
		expect "attack $sc: $TARGET memory grows by less than 64 MiB ($grow MiB)" \
			[ "$grow" -lt 64 ]
	fi
}

for sc in wrong-infohash bad-protocol oversized-length piece-32k piece-1mib \
	bitfield-size bitfield-spare have-range have-all-nofast; do
	attack "$sc" close
done
attack late-bitfield open
for sc in request-beyond request-offset request-large; do
	attack "$sc" noserve
done
for sc in unknown-id piece-unrequested keepalive-flood request-flood; do
	attack "$sc" survive
done

# After all that, an honest leecher still gets the right bytes.
if it_lt honest-get get "$T" "$IT_TMP/after" --no-tracker --timeout 60 \
	--peer "127.0.0.1:$SEED_PORT" && it_wait_exit "$IT_PID" 60; then
	it_ok "after the attacks: libtorrent downloads from the $TARGET seed"
	it_check "after the attacks: data identical" \
		it_same_tree "$d/payload.bin" "$IT_TMP/after"
else
	it_not_ok "after the attacks: libtorrent downloads from the $TARGET seed"
	it_diag_file "$(it_log honest-get out)"
fi
it_stop "$SEED_PID" 5
rc=$?
[ "$IT_KILLED" -eq 0 ] || rc=KILLed
it_check "the $TARGET seed exits 0 within 5 s of SIGTERM (status $rc)" \
	[ "$rc" = 0 ]

# ------------------------------------------------------------ part 2

# An honest libtorrent seed, slowed to 4 MB/s so that the download lasts
# about two seconds: a peer dropped for its offence is dropped long
# before the end.
if ! it_lt honest seed "$T" "$d" --no-tracker --upload-limit 4000000 \
	--timeout 600; then
	it_not_ok "libtorrent seeds (honest peer)"
	it_diag_file "$(it_log honest out)"
	exit 1
fi
HONEST=$IT_PORT
N=0

# serve SCENARIO RULE: RULE is dropped (btt must close the scripted
# peer's connection well before it finishes), corrupt (dropped, and btt
# reports the corruption), used (btt downloads from the scripted peer) or
# finish (only: btt finishes with the right data).
serve() {
	sc=$1 rule=$2
	N=$((N + 1))
	h=hostile$N
	g=get$N
	it_spawn "$h" $HOSTILE serve "$T" "$d" "$sc" --timeout 200
	hpid=$IT_PID
	if ! it_wait_line "$(it_log "$h" out)" 'listening on' 10 "$hpid"; then
		it_not_ok "serve $sc: the scripted peer listens"
		it_diag_file "$(it_log "$h" err)"
		it_stop "$hpid"
		return
	fi
	hport=$(it_port_of "$(it_log "$h" out)")
	if ! target_get "$g" "$IT_TMP/dst$N" "127.0.0.1:$hport" \
		"127.0.0.1:$HONEST"; then
		it_not_ok "serve $sc: $TARGET starts"
		it_diag_file "$(it_log "$g" err)"
		it_stop "$hpid"
		return
	fi
	it_wait_exit "$IT_PID" 100
	rc=$?
	done_at=$(it_now)
	it_stop "$hpid" 5
	hlog=$(it_log "$h" out)
	it_diag "$sc: $(tail -n 1 "$hlog")"
	if [ "$rc" -ne 0 ]; then
		it_not_ok "serve $sc: $TARGET finishes (exit $rc)"
		it_diag_file "$(it_log "$g" out)"
		it_diag_file "$(it_log "$g" err)" 30
		return
	fi
	it_ok "serve $sc: $TARGET finishes"
	it_check "serve $sc: data identical" \
		it_same_tree "$d/payload.bin" "$IT_TMP/dst$N"
	# The first time the scripted peer saw its connection closed.
	first=$(sed -n 's/^dropped conn=[0-9]* at=\([0-9.]*\).*/\1/p' "$hlog" |
		sort -n | head -n 1)
	early=no
	[ -n "$first" ] && [ "$(echo "$first $done_at" |
		awk '{print ($1 < $2 - 0.5) ? "yes" : "no"}')" = yes ] && early=yes
	case $rule in
	dropped | corrupt)
		expect "serve $sc: $TARGET drops the peer before it finishes" \
			[ "$early" = yes ]
		;;
	used)
		blocks=$(json_field "$(tail -n 1 "$hlog")" blocks)
		it_check "serve $sc: $TARGET downloads from the scripted peer ($blocks blocks)" \
			[ "${blocks:-0}" -gt 0 ]
		;;
	esac
	if [ "$rule" = corrupt ] && [ "$TARGET" = btt ]; then
		it_check "serve $sc: btt reports the corrupt data" \
			grep -Eq 'banned peer|failed its hash check|[1-9][0-9]* hash failures' \
			"$(it_log "$g" out)" "$(it_log "$g" err)"
	fi
	rm -rf "$IT_TMP/dst$N"
}

serve honest used
serve corrupt corrupt
serve corrupt-some corrupt
for sc in wrong-infohash oversized-length bitfield-size bitfield-spare \
	have-range wrong-length; do
	serve "$sc" dropped
done
for sc in unknown-id unrequested keepalive-flood stall; do
	serve "$sc" finish
done

it_summary
