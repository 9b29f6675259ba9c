#!/bin/sh
# Installs the Debian packages that btt's build, tests, fuzzing and benchmarks
# need. Idempotent and quiet: packages already installed are skipped, and
# nothing runs when all are present.
set -eu

PKGS="
build-essential pkg-config make clang clang-format libclang-rt-14-dev
libfuzzer-14-dev
libuv1-dev libssl-dev libcmocka-dev libsecp256k1-dev libsodium-dev
liblmdb-dev libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libisal-dev
python3 python3-libtorrent mktorrent openssl
transmission-cli transmission-daemon aria2 opentracker
"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing Debian packages:$missing" >&2
	echo "deps.sh: run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi

echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
