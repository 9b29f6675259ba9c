#!/bin/sh
# make demo: a tour of what btt does today, on generated data in a
# temporary directory that is removed at the end.
set -eu
BUILD=${BUILD:-build}
BTT=$(pwd)/$BUILD/btt
work=$(mktemp -d "${TMPDIR:-/tmp}/btt-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Generating a small data set (nested folders, an empty file, 48 MiB)"
mkdir -p "$work/photos/2026/summer" "$work/photos/empty-album"
head -c 33554432 /dev/urandom >"$work/photos/2026/summer/beach.raw"
head -c 16777216 /dev/urandom >"$work/photos/2026/holiday.mov"
head -c 1000 /dev/urandom >"$work/photos/notes.txt"
: >"$work/photos/empty-album/.keep"
cd "$work"

step "Creating a hybrid (v1 + v2) torrent"
run "$BTT" create --hybrid -a http://127.0.0.1:6969/announce \
	--comment "btt demo" -o photos.torrent photos

step "What the torrent holds"
run "$BTT" info photos.torrent

step "Verifying the data against it"
run "$BTT" verify photos.torrent .

step "Damaging one byte and verifying again (exit 1 expected)"
printf 'X' | dd of=photos/2026/holiday.mov bs=1 seek=1000000 conv=notrunc 2>/dev/null
set +e
run "$BTT" verify photos.torrent .
rc=$?
set -e
echo "(exit code $rc)"

step "A magnet link round trip"
magnet=$("$BTT" info --json photos.torrent | sed -n 's/.*"magnet": *"\([^"]*\)".*/\1/p')
run "$BTT" info "$magnet"

step "Done: $BTT --help lists the commands"
