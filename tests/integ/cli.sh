#!/bin/sh
# The command line as a user meets it: help, version, exit codes for bad
# usage. TAP-style lines; $BUILD defaults to build.
set -u
. "$(dirname "$0")/../lib/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/btt-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

# expect CODE NAME CMD...: runs CMD, checks its exit code.
expect() {
	want=$1 name=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		nok "$name (exit $got, wanted $want)"
		sed 's/^/# /' "$T/err" | head -5
	fi
}

expect 0 "btt --help" "$BTT" --help
grep -q '^  create ' "$T/out" && ok "--help lists create" || nok "--help lists create"
expect 0 "btt --version" "$BTT" --version
grep -Eq '^btt [0-9]+\.[0-9]+\.[0-9]+$' "$T/out" && ok "--version format" ||
	nok "--version format"
expect 2 "no command is bad usage" "$BTT"
expect 2 "unknown command is bad usage" "$BTT" frobnicate
grep -q "'frobnicate' is not a btt command" "$T/err" &&
	ok "unknown command named" || nok "unknown command named"
expect 2 "unknown global option" "$BTT" --frobnicate
expect 2 "bad log level" "$BTT" --log-level loud info x.torrent

for cmd in $("$BTT" --help | sed -n 's/^  \([a-z]*\) .*/\1/p'); do
	expect 0 "$cmd --help" "$BTT" "$cmd" --help
	[ -s "$T/out" ] && ok "$cmd --help prints usage" ||
		nok "$cmd --help prints usage"
done

expect 2 "create without PATH" "$BTT" create
expect 2 "create unknown option" "$BTT" create --bogus x
expect 2 "create bad piece size" "$BTT" create --piece-size 12kx x
expect 2 "info without FILE" "$BTT" info
expect 2 "info on a missing file" "$BTT" info "$T/missing.torrent"
[ "$(wc -l <"$T/err")" -eq 1 ] && ok "missing file: one line" ||
	nok "missing file: one line"
grep -q "$T/missing.torrent" "$T/err" && ok "missing file named" ||
	nok "missing file named"
expect 2 "verify without DIR" "$BTT" verify x.torrent
expect 2 "info on a directory" "$BTT" info "$T"
