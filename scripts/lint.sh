#!/bin/sh
# make lint: formatting (clang-format), banned functions, file sizes.
# Exits non-zero and lists every finding.
set -u
bad=0
files=$(git ls-files '*.c' '*.h')

for f in $files; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "lint: $f: not clang-formatted (make format)"
		bad=1
	fi
done

# Untrusted bytes go through the cursor and write buffer (STYLE.md).
hits=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|gets|atoi|atol|atoll|sscanf|strtol|strtoul|strtoll|strtoull)\s*\(' \
	$(git ls-files 'src/*.c' 'src/*.h') 2>/dev/null)
if [ -n "$hits" ]; then
	echo "lint: banned functions (use the byte cursor, snprintf or the write buffer):"
	echo "$hits"
	bad=1
fi

# Only src/io includes <uv.h>.
hits=$(git ls-files 'src/*.c' 'src/*.h' | grep -v '^src/io/' | xargs grep -ln '#include <uv.h>' 2>/dev/null)
if [ -n "$hits" ]; then
	echo "lint: <uv.h> outside src/io: $hits"
	bad=1
fi

big=$(git ls-files 'src/*.c' 'src/*.h' | xargs wc -l | awk '$2 != "total" && $1 > 800 {print "  " $2 " (" $1 " lines)"}')
if [ -n "$big" ]; then
	echo "lint: files over 800 lines:"
	echo "$big"
	bad=1
fi

[ "$bad" -eq 0 ] && echo "lint: clean"
exit "$bad"
