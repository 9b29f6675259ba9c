#!/bin/sh
# The interop matrix: btt against real, independent clients from Debian
# packages (libtorrent 2.0 through python3-libtorrent, Transmission 3.00,
# aria2 1.36), every peer on 127.0.0.1, opentracker as the tracker.
#
#   for X in libtorrent, transmission, aria2:  X seeds -> btt downloads,
#                                              btt seeds -> X downloads,
#     each with a single-file and a multi-file torrent (nested folders, an
#     empty file, a folder holding only an empty file, a file smaller than
#     a block, pieces across file boundaries);
#   mixed swarms: one btt seed with a leecher of every client at once, and
#     one libtorrent seed with btt and the others leeching;
#   a torrent with a sparse file over 4 GiB both ways with libtorrent
#     (BTT_INTEROP_LARGE=0 leaves it out, and says so);
#   client <-> client pairs without btt, which check the harness itself.
#
# Data is compared byte for byte. A btt seed must still run after serving
# and exit with status 0 within 5 s of SIGTERM. Until `btt get` and `btt seed` exist each
# btt case prints "not ok - ...: btt get/seed available". TAP output; the
# status is 0 only if every case passed. IT_KEEP=1 keeps the directory.
#
#   sh tests/interop/clients.sh [PATTERN]   only cases whose name contains
#                                           PATTERN, e.g. "btt -> aria2"
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/interop/lib.sh
it_init interop-clients

ONLY=${1:-}
SINGLE_SIZE=4000037
LARGE=${BTT_INTEROP_LARGE:-1}
CASE=0
HAVE_BTT=0
it_btt_available && HAVE_BTT=1

# ------------------------------------------------------------ one peer

# seed_start CLIENT NAME TORRENT DIR HASH: a seeder of DIR, ready to
# serve and known to the tracker. Sets SEED_PID.
seed_start() {
	case $1 in
	libtorrent) it_lt "$2" seed "$3" "$4" ;;
	aria2) it_aria2 "$2" seed "$3" "$4" ;;
	btt) it_btt "$2" seed "$3" "$4" ;;
	transmission)
		it_tr_start "$2" "$4" && it_tr_add "$3" &&
			it_wait_until 60 it_tr_done
		;;
	esac
	_rc=$?
	SEED_PID=$IT_PID
	[ "$_rc" -eq 0 ] && it_wait_until 20 it_tracker_has "$5" complete 1
}

# get_start CLIENT NAME TORRENT DIR: a leecher into DIR. Sets GET_PID.
get_start() {
	case $1 in
	libtorrent) it_lt "$2" get "$3" "$4" --timeout 290 ;;
	aria2) it_aria2 "$2" get "$3" "$4" ;;
	btt) it_btt "$2" get "$3" "$4" ;;
	transmission) it_tr_start "$2" "$4" && it_tr_add "$3" ;;
	esac
	_rc=$?
	GET_PID=$IT_PID
	return "$_rc"
}

# get_wait CLIENT PID SECONDS: the leecher finished (exit 0, or for
# Transmission: 100% done and checked).
get_wait() {
	if [ "$1" = transmission ]; then
		it_wait_until "$3" it_tr_done
	else
		it_wait_exit "$2" "$3"
	fi
}

# show NAME...: the end of each peer's logs, on failure.
show() {
	for _s in "$@"; do
		it_diag_file "$(it_log "$_s" out)"
		it_diag_file "$(it_log "$_s" err)"
	done
}

selected() {
	case $1 in *"$ONLY"*) return 0 ;; esac
	return 1
}

no_btt() {
	it_not_ok "$1: btt get/seed available"
}

# stop_seed CLIENT PID CASE: a btt seed must be alive after serving and
# stop cleanly (status 0, so no sanitizer report either) within 5 s of
# SIGTERM.
stop_seed() {
	if [ "$1" = btt ]; then
		it_check "$3: btt seed still runs after serving" it_alive "$2"
		it_stop "$2" 5
		_rc=$?
		[ "$IT_KILLED" -eq 0 ] || _rc=KILLed
		it_check "$3: btt seed exits 0 within 5 s of SIGTERM (status $_rc)" \
			[ "$_rc" = 0 ]
	else
		it_stop "$2" 5
	fi
}

# ------------------------------------------------------------ a pair

# payload KIND DIR: the content of a case; sets SRC (DIR/src/NAME) and
# PIECE.
payload() {
	case $1 in
	single)
		it_payload_single "$2/src" payload.bin "$SINGLE_SIZE"
		SRC=$2/src/payload.bin
		PIECE=65536
		;;
	multi)
		it_payload_multi "$2/src" tree
		SRC=$2/src/tree
		PIECE=32768
		;;
	large)
		it_payload_sparse "$2/src" large
		SRC=$2/src/large
		PIECE=4194304
		;;
	esac
}

# pair SEEDER LEECHER KIND: SEEDER serves a fresh KIND payload through the
# tracker, LEECHER downloads it.
pair() {
	seeder=$1 leecher=$2 kind=$3
	name="$seeder -> $leecher, $kind"
	selected "$name" || return 0
	if [ "$HAVE_BTT" = 0 ] && { [ "$seeder" = btt ] || [ "$leecher" = btt ]; }; then
		no_btt "$name"
		return
	fi
	CASE=$((CASE + 1))
	c=$IT_TMP/case$CASE
	s=c$CASE-$seeder-seed
	g=c$CASE-$leecher-get
	mkdir -p "$c/dst"
	payload "$kind" "$c"
	it_torrent "$SRC" "$c/t.torrent" "$PIECE" "$IT_ANNOUNCE"
	h=$(it_infohash "$c/t.torrent")
	it_tracker_allow "$c/t.torrent"
	t0=$(it_now)
	GET_PID='' SEED_PID=''
	# Transmission never dials a loopback peer: it must be known to the
	# tracker before the seed announces, so that the seed dials it.
	if [ "$leecher" = transmission ]; then
		get_start "$leecher" "$g" "$c/t.torrent" "$c/dst" &&
			it_wait_until 20 it_tracker_has "$h" incomplete 1 ||
			it_diag "transmission did not reach the tracker"
	fi
	if ! seed_start "$seeder" "$s" "$c/t.torrent" "$c/src" "$h"; then
		it_not_ok "$name: $seeder seeds"
		show "$s"
		[ -n "$GET_PID" ] && it_stop "$GET_PID"
		[ -n "$SEED_PID" ] && it_stop "$SEED_PID"
		return
	fi
	[ "$leecher" = transmission ] ||
		get_start "$leecher" "$g" "$c/t.torrent" "$c/dst"
	limit=120
	[ "$kind" = large ] && limit=300
	if [ -n "$GET_PID" ] && get_wait "$leecher" "$GET_PID" "$limit"; then
		it_ok "$name: $leecher completes ($(it_elapsed "$t0") s)"
		tolerate=
		[ "$leecher" = transmission ] && tolerate=yes
		it_check "$name: data identical" it_same_tree "$SRC" "$c/dst" $tolerate
	else
		it_not_ok "$name: $leecher completes"
		[ "$leecher" = transmission ] && it_tr_info
		show "$s" "$g"
	fi
	stop_seed "$seeder" "$SEED_PID" "$name"
	[ -n "$GET_PID" ] && it_stop "$GET_PID"
	rm -rf "$c"
}

# ------------------------------------------------------------ a swarm

# swarm NAME SEEDER LEECHER...: one seed and several leechers of one
# multi-file torrent at once; every leecher must finish with the data.
swarm() {
	sname=$1 seeder=$2
	shift 2
	selected "swarm $sname" || return 0
	if [ "$HAVE_BTT" = 0 ] && [ "$seeder" = btt ]; then
		no_btt "swarm $sname ($seeder seed)"
		return
	fi
	CASE=$((CASE + 1))
	c=$IT_TMP/case$CASE
	it_payload_multi "$c/src" tree 4
	SRC=$c/src/tree
	PIECE=32768
	it_torrent "$SRC" "$c/t.torrent" "$PIECE" "$IT_ANNOUNCE"
	h=$(it_infohash "$c/t.torrent")
	it_tracker_allow "$c/t.torrent"
	t0=$(it_now)
	members=
	for l in "$@"; do
		if [ "$l" = btt ] && [ "$HAVE_BTT" = 0 ]; then
			no_btt "swarm $sname: btt leecher"
			continue
		fi
		members="$members $l"
	done
	case $members in
	*transmission*)
		mkdir -p "$c/transmission"
		get_start transmission "c$CASE-transmission-get" "$c/t.torrent" \
			"$c/transmission" &&
			it_wait_until 20 it_tracker_has "$h" incomplete 1
		# shellcheck disable=SC2034 # read through eval below
		TR_PID=$GET_PID
		;;
	esac
	if ! seed_start "$seeder" "c$CASE-$seeder-seed" "$c/t.torrent" \
		"$c/src" "$h"; then
		it_not_ok "swarm $sname: $seeder seeds"
		show "c$CASE-$seeder-seed"
		it_stop_all_but_tracker
		return
	fi
	for l in $members; do
		mkdir -p "$c/$l"
		if [ "$l" = transmission ]; then
			eval "pid_$l=\$TR_PID"
		else
			get_start "$l" "c$CASE-$l-get" "$c/t.torrent" "$c/$l"
			eval "pid_$l=\$GET_PID"
		fi
		eval "at_$l="
	done
	# Poll every leecher until all are done, noting when each finished.
	pending=$members
	end=$(($(date +%s) + 150))
	while [ -n "$pending" ] && [ "$(date +%s)" -lt "$end" ]; do
		left=
		for l in $pending; do
			eval "p=\$pid_$l"
			if [ "$l" = transmission ]; then
				it_tr_done && eval "at_$l=\$(it_elapsed \$t0)"
			elif ! it_alive "$p"; then
				eval "at_$l=\$(it_elapsed \$t0)"
			fi
			eval "[ -n \"\$at_$l\" ]" || left="$left $l"
		done
		pending=$left
		sleep 0.2
	done
	for l in $members; do
		eval "p=\$pid_$l at=\$at_$l"
		rc=0
		[ "$l" = transmission ] || it_wait_exit "$p" 0 || rc=$?
		if [ -n "$at" ] && [ "$rc" -eq 0 ]; then
			it_ok "swarm $sname: $l completes ($at s)"
			tolerate=
			[ "$l" = transmission ] && tolerate=yes
			it_check "swarm $sname: $l data identical" \
				it_same_tree "$SRC" "$c/$l" $tolerate
		else
			it_not_ok "swarm $sname: $l completes (exit $rc)"
			[ "$l" = transmission ] && it_tr_info
			show "c$CASE-$l-get"
		fi
	done
	stop_seed "$seeder" "$SEED_PID" "swarm $sname"
	it_stop_all_but_tracker
	rm -rf "$c"
}

it_stop_all_but_tracker() {
	for p in $(cut -d' ' -f1 "$IT_TMP/pids"); do
		[ "$p" = "$IT_TRACKER_PID" ] || it_stop "$p" 5
	done
}

# ------------------------------------------------------------ the matrix

for tool in opentracker aria2c transmission-daemon transmission-remote; do
	command -v "$tool" >/dev/null 2>&1 ||
		it_not_ok "$tool installed (scripts/deps.sh)"
done
$IT_PY -c 'import libtorrent' 2>/dev/null ||
	it_not_ok "libtorrent importable by $IT_PY (python3-libtorrent)"
if ! it_tracker_start; then
	it_not_ok "opentracker starts"
	it_diag_file "$(it_log tracker err)"
	exit 1
fi
it_diag "opentracker on 127.0.0.1 tcp $IT_TRACKER_PORT udp $IT_TRACKER_UDP"
[ "$HAVE_BTT" = 1 ] ||
	it_diag "'$IT_BTT get --help' or 'seed --help' fails: every btt case fails"
T_START=$(it_now)

# The harness itself, without btt.
pair libtorrent aria2 single
pair aria2 libtorrent multi
pair libtorrent transmission multi
pair transmission libtorrent single

for x in libtorrent aria2 transmission; do
	for kind in single multi; do
		pair "$x" btt "$kind"
		pair btt "$x" "$kind"
	done
done

swarm "btt seed" btt libtorrent aria2 transmission btt
swarm "libtorrent seed" libtorrent btt aria2 transmission

if [ "$LARGE" = 1 ]; then
	pair libtorrent btt large
	pair btt libtorrent large
else
	it_diag "the sparse file over 4 GiB is left out (BTT_INTEROP_LARGE=0)"
fi

it_diag "matrix took $(it_elapsed "$T_START") s"
it_summary
