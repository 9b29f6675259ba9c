#!/bin/sh
# Runs one libFuzzer target for a while on its corpus.
#   scripts/fuzz.sh NAME [SECONDS]     (after `make fuzz`)
# New interesting inputs go to build/fuzz/corpus-new/NAME; crashes to
# build/fuzz/crashes/NAME. Promote useful inputs into fuzz/corpus/NAME.
set -eu
name=${1:?usage: scripts/fuzz.sh NAME [SECONDS]}
secs=${2:-600}
bin=build/fuzz/fuzzers/$name
[ -x "$bin" ] || { echo "fuzz.sh: $bin missing; run make fuzz" >&2; exit 2; }
mkdir -p "build/fuzz/corpus-new/$name" "build/fuzz/crashes/$name"
exec "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="build/fuzz/crashes/$name/" \
	"build/fuzz/corpus-new/$name" "fuzz/corpus/$name"
