#!/bin/sh
# Runs btt's tests and prints "N passed, N failed" as the last line.
#
#   run-tests.sh all|unit|fuzz|integ|interop
#
# cmocka unit binaries report their own counts; integration and interop
# scripts print TAP-style "ok - name" / "not ok - name" lines; fuzz corpus
# replays count one test per target. A binary that dies before reporting
# counts as one failure. Every test runs under a time bound.
set -u
BUILD=${BUILD:-build}
what=${1:-all}
only=${2:-}
passed=0
failed=0
failures=""
log=$(mktemp -d "${TMPDIR:-/tmp}/btt-tests.XXXXXX")
trap 'rm -rf "$log"' EXIT INT TERM

note_fail() {
	failed=$((failed + $1))
	failures="$failures\n  $2"
}

run_cmocka() {
	bin=$1
	name=${bin#"$BUILD"/tests/unit/}
	out="$log/out"
	timeout 600 "$bin" >"$out" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	# A skipped test is not a pass: count it as a failure.
	f=$((f + ${s:-0}))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	if [ "$f" -ne 0 ]; then
		note_fail "$f" "$name (exit $rc)"
		sed 's/^/    /' "$out" | tail -n 40
	fi
	printf '%-44s %4d passed %3d failed\n' "$name" "$p" "$f"
}

run_tap() {
	script=$1
	out="$log/out"
	BUILD=$BUILD timeout 1200 sh "$script" >"$out" 2>&1
	rc=$?
	p=$(grep '^ok ' "$out" | grep -vc '# *SKIP')
	# "ok - x # SKIP" is TAP for skipped: not a pass.
	f=$(($(grep -c '^not ok ' "$out") + $(grep '^ok ' "$out" | grep -c '# *SKIP')))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	if [ "$f" -ne 0 ]; then
		note_fail "$f" "$script (exit $rc)"
		sed 's/^/    /' "$out" | tail -n 60
	fi
	printf '%-44s %4d passed %3d failed\n' "$script" "$p" "$f"
}

run_replay() {
	bin=$1
	name=${bin##*/}
	dir=fuzz/corpus/$name
	out="$log/out"
	if [ ! -d "$dir" ]; then
		note_fail 1 "fuzz corpus $dir missing"
		return
	fi
	timeout 600 "$bin" "$dir" >"$out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		printf '%-44s %s\n' "fuzz-replay $name" "$(tail -n 1 "$out")"
	else
		note_fail 1 "fuzz-replay $name (exit $rc)"
		tail -n 40 "$out" | sed 's/^/    /'
	fi
}

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in $(find "$BUILD/tests/unit/$only" -type f -perm -u+x 2>/dev/null | sort); do
		run_cmocka "$t"
	done
fi
if [ "$what" = all ] || [ "$what" = fuzz ]; then
	for t in $(find "$BUILD/fuzz-replay" -type f -perm -u+x 2>/dev/null | sort); do
		run_replay "$t"
	done
fi
if [ "$what" = all ] || [ "$what" = integ ]; then
	for t in $(ls tests/integ/*.sh 2>/dev/null | sort); do
		run_tap "$t"
	done
fi
if [ "$what" = all ] || [ "$what" = interop ]; then
	for t in $(ls tests/interop/*.sh 2>/dev/null | sort); do
		# lib.sh holds helpers the scripts source: not a test
		[ "${t##*/}" = lib.sh ] && continue
		run_tap "$t"
	done
fi

if [ "$failed" -ne 0 ]; then
	printf '\nfailures:%b\n' "$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
