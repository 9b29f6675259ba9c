#!/bin/sh
# Torrent creation speed: btt create against mktorrent and libtorrent's
# create_torrent + set_piece_hashes, all on the same 2 GiB random file
# (page cache warm, tmpfs when /dev/shm has room), the same piece size and
# every online core; plus OpenSSL's single-core SHA-1 rate as the yardstick.
# Each tool runs 3 times: the best wall time counts, and the least CPU time
# (user + system, all threads) is shown beside it because it barely moves
# when other work shares the machine.
#
#   BUILD=build sh bench/bench_create.sh
#   BENCH_CREATE_MB=512 ...   smaller file for a quick look
#
# Targets: btt v1 >= 1.0 x the faster of mktorrent and libtorrent, and
# >= 0.8 x single-core OpenSSL SHA-1.
set -u
BUILD=${BUILD:-build}
BTT=$BUILD/btt
case $BTT in /*) ;; *) BTT=$(pwd)/$BTT ;; esac
MB=${BENCH_CREATE_MB:-2048}
RUNS=3
PIECE=2097152 # what btt chooses for 2 GiB: 1024 pieces
LOG2=21
CORES=$(nproc)
PY=/usr/bin/python3

[ -x "$BTT" ] || {
	echo "bench_create: $BTT missing (make all)" >&2
	exit 1
}
need_kb=$((MB * 1024 + 65536))
shm_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
if [ "${shm_kb:-0}" -gt "$need_kb" ]; then
	D=$(mktemp -d /dev/shm/btt-bench-create.XXXXXX)
else
	D=$(mktemp -d "${TMPDIR:-/tmp}/btt-bench-create.XXXXXX")
fi
trap 'rm -rf "$D"' EXIT INT TERM
F=$D/payload.bin
BYTES=$((MB * 1048576))

echo "# bench create: $MB MiB random file in $D, piece $PIECE, $CORES cores"
echo "# cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
head -c "$BYTES" /dev/urandom >"$F"
cat "$F" >/dev/null

# Runs a command; prints "wall_seconds cpu_seconds" (user + system of the
# child and all its threads) and exits with the command's status.
cat >"$D/timeit.py" <<'PYEOF'
import resource, subprocess, sys, time
t0 = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
t1 = time.monotonic()
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print('%.4f %.4f' % (t1 - t0, ru.ru_utime + ru.ru_stime))
sys.exit(rc)
PYEOF

# libtorrent measures itself: only create_torrent + set_piece_hashes +
# generate, without the interpreter's start-up. Prints "wall cpu".
cat >"$D/lt.py" <<'PYEOF'
import os, resource, sys, time
import libtorrent as lt
mode, pl, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
flags = {'v1': lt.create_torrent.v1_only, 'v2': lt.create_torrent.v2_only,
         'hybrid': 0}[mode]
def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime
t0, c0 = time.monotonic(), cpu()
fs = lt.file_storage()
fs.add_file(os.path.basename(path), os.path.getsize(path))
ct = lt.create_torrent(fs, pl, flags=flags)
lt.set_piece_hashes(ct, os.path.dirname(path))
data = lt.bencode(ct.generate())
t1, c1 = time.monotonic(), cpu()
open(sys.argv[4], 'wb').write(data)
print('%.4f %.4f' % (t1 - t0, c1 - c0))
PYEOF

# best_of NAME CMD...: runs CMD (which prints "wall cpu") $RUNS times;
# sets wall_NAME to the best wall time and cpu_NAME to the least CPU.
best_of() {
	name=$1
	shift
	bw=
	bc=
	i=0
	while [ $i -lt $RUNS ]; do
		rm -f "$D/out.torrent"
		if ! r=$("$@" 2>"$D/run.log"); then
			echo "# $name failed:" >&2
			sed 's/^/#   /' "$D/run.log" >&2
			eval "wall_$name='' cpu_$name=''"
			return 1
		fi
		bw=$(echo "$r" | awk -v b="$bw" '{ print (b == "" || $1 < b) ? $1 : b }')
		bc=$(echo "$r" | awk -v b="$bc" '{ print (b == "" || $2 < b) ? $2 : b }')
		i=$((i + 1))
	done
	eval "wall_$name=$bw cpu_$name=$bc"
}

# OpenSSL single-core rates over 16 KiB blocks, in bytes per second.
ossl_rate() {
	openssl speed -evp "$1" -bytes 16384 -seconds 3 2>/dev/null |
		awk -v a="$1" '$1 == a { v = $2; sub(/k$/, "", v); print v * 1000 }'
}
ossl=$(ossl_rate sha1)
ossl256=$(ossl_rate sha256)

timed() { "$PY" "$D/timeit.py" "$@"; }
wall_btt_v1='' wall_btt_v2='' wall_btt_hybrid=''
cpu_btt_v1='' cpu_btt_v2='' cpu_btt_hybrid=''
for mode in v1 v2 hybrid; do
	best_of btt_$mode timed "$BTT" create -q --force --$mode -l $PIECE \
		-t "$CORES" -a http://127.0.0.1/a -o "$D/out.torrent" "$F"
done
wall_mktorrent='' cpu_mktorrent=''
if command -v mktorrent >/dev/null 2>&1; then
	best_of mktorrent timed mktorrent -l $LOG2 -t "$CORES" \
		-a http://127.0.0.1/a -o "$D/out.torrent" "$F"
else
	echo "# mktorrent not installed"
fi
wall_lt_v1='' wall_lt_v2='' wall_lt_hybrid=''
cpu_lt_v1='' cpu_lt_v2='' cpu_lt_hybrid=
if $PY -c 'import libtorrent' 2>/dev/null; then
	for mode in v1 v2 hybrid; do
		best_of lt_$mode $PY "$D/lt.py" $mode $PIECE "$F" "$D/lt.torrent"
	done
else
	echo "# python3-libtorrent not installed"
fi
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

mbs() { # seconds -> MB/s
	awk -v s="$1" -v b="$BYTES" 'BEGIN { printf "%.0f", b / s / 1e6 }'
}
row() { # row LABEL WALL CPU
	if [ -n "$2" ]; then
		printf '%-30s %8.3f s %7s MB/s %8.3f s\n' "$1" "$2" \
			"$(mbs "$2")" "$3"
	else
		printf '%-30s %10s\n' "$1" "n/a"
	fi
}
ratio() { # ratio LABEL OURS_S THEIRS_S: speed ours / theirs
	if [ -n "$2" ] && [ -n "$3" ]; then
		printf '%-30s %8.2f\n' "$1" \
			"$(awk -v a="$2" -v b="$3" 'BEGIN { print b / a }')"
	fi
}
secs() { # bytes per second -> seconds for the file
	awk -v r="$1" -v b="$BYTES" 'BEGIN { printf "%.4f", b / r }'
}

ossl_s=$(secs "$ossl")
echo
printf '%-30s %10s %12s %10s\n' "tool" "wall" "rate" "cpu"
row "openssl sha1, 1 core" "$ossl_s" "$ossl_s"
row "openssl sha256, 1 core" "$(secs "$ossl256")" "$(secs "$ossl256")"
row "mktorrent v1 (-t $CORES)" "$wall_mktorrent" "$cpu_mktorrent"
row "libtorrent v1" "$wall_lt_v1" "$cpu_lt_v1"
row "btt create v1 (-t $CORES)" "$wall_btt_v1" "$cpu_btt_v1"
row "libtorrent v2" "$wall_lt_v2" "$cpu_lt_v2"
row "btt create --v2" "$wall_btt_v2" "$cpu_btt_v2"
row "libtorrent hybrid" "$wall_lt_hybrid" "$cpu_lt_hybrid"
row "btt create --hybrid" "$wall_btt_hybrid" "$cpu_btt_hybrid"
echo
ratio "btt/mktorrent (v1)" "$wall_btt_v1" "$wall_mktorrent"
ratio "btt/libtorrent (v1)" "$wall_btt_v1" "$wall_lt_v1"
ratio "btt/openssl-1-core (v1)" "$wall_btt_v1" "$ossl_s"
ratio "btt/libtorrent (v2)" "$wall_btt_v2" "$wall_lt_v2"
ratio "btt/libtorrent (hybrid)" "$wall_btt_hybrid" "$wall_lt_hybrid"

faster=$(awk -v a="${wall_mktorrent:-0}" -v b="${wall_lt_v1:-0}" 'BEGIN {
	if (a == 0) print b; else if (b == 0) print a; else print (a < b ? a : b) }')
echo "target btt v1 >= 1.0 x faster peer and >= 0.8 x openssl 1 core:" \
	"$(awk -v ours="${wall_btt_v1:-0}" -v peer="$faster" -v o="$ossl_s" 'BEGIN {
	if (ours == 0) { print "n/a"; exit }
	r1 = (peer > 0) ? peer / ours : 0; r2 = o / ours
	printf "%s (%.2f x the faster peer, %.2f x openssl 1 core)",
	       (r1 >= 1.0 && r2 >= 0.8) ? "PASS" : "BELOW TARGET", r1, r2 }')"
