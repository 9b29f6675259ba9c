#!/bin/sh
# Feeds every hostile .torrent in tests/data/hostile (and two large ones
# generated into a temporary directory) to `btt info`. Each must be
# rejected with exit status 2 and exactly one line on stderr naming the
# file, and nothing on stdout. TAP lines: "ok - NAME" / "not ok - NAME".
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
btt=$BUILD/btt
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-hostile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -x "$btt" ]; then
	echo "not ok - $btt is missing (build it first)"
	exit 1
fi

check() {
	f=$1
	name=$(basename "$f")
	timeout 60 "$btt" info "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -ne 2 ]; then
		echo "not ok - $name: exit $rc, wanted 2"
	elif [ "$lines" -ne 1 ]; then
		echo "not ok - $name: $lines lines on stderr, wanted 1"
	elif ! grep -qF "$f" "$tmp/err"; then
		echo "not ok - $name: stderr does not name the file"
	elif [ -s "$tmp/out" ]; then
		echo "not ok - $name: wrote to stdout"
	else
		echo "ok - $name"
	fi
}

for f in tests/data/hostile/*.torrent; do
	check "$f"
done

# Too large to commit: generated on the fly.
if command -v python3 >/dev/null 2>&1 &&
	python3 tests/data/hostile/make.py --big "$tmp" 2>"$tmp/py"; then
	for f in "$tmp"/*.torrent; do
		check "$f"
	done
else
	echo "not ok - large hostile files (python3 unavailable)"
fi

# A missing file is bad input too, with the system's message.
timeout 10 "$btt" info "$tmp/missing.torrent" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	grep -qF "$tmp/missing.torrent: No such file or directory" "$tmp/err"; then
	echo "ok - missing file"
else
	echo "not ok - missing file: exit $rc, $(cat "$tmp/err")"
fi
