#!/bin/sh
# btt wallet: importing private key 1 gives the published 0x and T
# addresses; new makes distinct accounts; key files are mode 0600 in a
# 0700 directory; export gives the key back only with the right
# passphrase; bad keys, bad addresses and bad usage exit 2.
# TAP lines "ok - name" / "not ok - name". Every run is bounded by timeout.
set -u
. "$(dirname "$0")/../lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-integ-wallet.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

ks=$tmp/ks/keystore
export BTT_KDF=fast
export BTT_PASSPHRASE=integ-pass
wallet() { timeout 60 "$BTT" wallet --keystore "$ks" "$@"; }

if [ ! -x "$BTT" ]; then
	not_ok "btt binary exists at $BTT"
	exit 1
fi

ETH1=0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf
TRX1=TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC
KEY1=0000000000000000000000000000000000000000000000000000000000000001

out=$(printf '  0x%s\n' "$KEY1" | wallet import 2>"$tmp/err")
rc=$?
check "import key 1 exits 0" [ "$rc" -eq 0 ]
check "import prints both addresses of key 1" [ "$out" = "$ETH1 $TRX1" ]

out=$(wallet address 2>/dev/null)
check "address lists key 1 in both forms" [ "$out" = "$ETH1 $TRX1" ]
out=$(wallet address "$TRX1" 2>/dev/null)
check "address converts a T address" [ "$out" = "$ETH1 $TRX1" ]
out=$(wallet --json address "$ETH1" 2>/dev/null)
check "address --json" \
	[ "$out" = "{\"address\":\"$ETH1\",\"tron\":\"$TRX1\"}" ]

printf '%s' "$KEY1" | wallet import >/dev/null 2>"$tmp/err"
rc=$?
check "importing the same key again fails with 1" [ "$rc" -eq 1 ]
check "and says it is already there" grep -q "already in" "$tmp/err"

a=$(wallet new 2>/dev/null)
rc1=$?
b=$(wallet new 2>/dev/null)
rc2=$?
check "new twice exits 0" [ "$rc1" -eq 0 -a "$rc2" -eq 0 ]
check "new twice gives two different accounts" [ -n "$a" -a "$a" != "$b" ]
check "list shows three accounts" [ "$(wallet list | wc -l)" -eq 3 ]
n=$(wallet --json list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
check "list --json is a JSON array of three" [ "$n" = 3 ]

modes_ok=1
for f in "$ks"/*.key; do
	[ "$(stat -c %a "$f")" = 600 ] || modes_ok=0
done
check "key files are mode 0600" [ "$modes_ok" -eq 1 ]
check "keystore directory is mode 0700" [ "$(stat -c %a "$ks")" = 700 ]
check "no temporary files left" [ "$(ls -A "$ks" | grep -vc '\.key$')" -eq 0 ]

out=$(wallet export "$ETH1" 2>/dev/null)
check "export with the right passphrase gives key 1 back" [ "$out" = "$KEY1" ]
out=$(BTT_PASSPHRASE=wrong wallet export "$ETH1" 2>"$tmp/err")
rc=$?
check "export with a wrong passphrase exits 2" [ "$rc" -eq 2 ]
check "and prints no key" [ -z "$out" ]
check "and says the passphrase is wrong" grep -q "wrong passphrase" "$tmp/err"

expect_rc() {
	want=$1
	name=$2
	shift 2
	"$@" >/dev/null 2>&1
	rc=$?
	check "$name (exit $want)" [ "$rc" -eq "$want" ]
}
bad_import() { printf '%s\n' "$1" | wallet import; }
expect_rc 2 "import rejects bad hex" bad_import \
	00000000000000000000000000000000000000000000000000000000000000zz
expect_rc 2 "import rejects 63 digits" bad_import \
	000000000000000000000000000000000000000000000000000000000000001
expect_rc 2 "import rejects 65 digits" bad_import \
	00000000000000000000000000000000000000000000000000000000000000001
expect_rc 2 "import rejects key 0" bad_import \
	0000000000000000000000000000000000000000000000000000000000000000
expect_rc 2 "import rejects key n" bad_import \
	fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141
expect_rc 2 "address rejects a wrong EIP-55 checksum" \
	wallet address 0x7E5F4552091A69125d5DfCb7b8C2659029395BdF
expect_rc 2 "export of an unknown account" \
	wallet export 0x1111111111111111111111111111111111111111
expect_rc 2 "unknown subcommand" wallet frobnicate
expect_rc 2 "unknown option" wallet --frob list
expect_rc 2 "missing passphrase without a terminal" \
	env -u BTT_PASSPHRASE timeout 60 setsid "$BTT" wallet --keystore "$ks" new
check "failed commands stored nothing" [ "$(wallet list | wc -l)" -eq 3 ]

# Input caps at max-1, max and max+1, in a keystore of their own.
ks=$tmp/ks2
pad_key() { # KEY TOTAL: KEY followed by spaces up to TOTAL bytes
	printf '%s' "$1"
	head -c $(($2 - ${#1})) /dev/zero | tr '\0' ' '
}
KEY2=0000000000000000000000000000000000000000000000000000000000000002
KEY3=0000000000000000000000000000000000000000000000000000000000000003
KEY4=0000000000000000000000000000000000000000000000000000000000000004
pad_key "$KEY2" 4095 | wallet import >/dev/null 2>&1
check "import of 4095 bytes of input" [ $? -eq 0 ]
pad_key "$KEY3" 4096 | wallet import >/dev/null 2>&1
check "import of 4096 bytes of input" [ $? -eq 0 ]
pad_key "$KEY4" 4097 | wallet import >/dev/null 2>"$tmp/err"
check "import of 4097 bytes of input exits 2" [ $? -eq 2 ]
check "and says the input is too long" grep -q "longer than" "$tmp/err"

pass_of() { head -c "$1" /dev/zero | tr '\0' p; }
BTT_PASSPHRASE=$(pass_of 1023) wallet new >/dev/null 2>&1
check "a 1023-byte passphrase is accepted" [ $? -eq 0 ]
BTT_PASSPHRASE=$(pass_of 1024) wallet new >/dev/null 2>&1
check "a 1024-byte passphrase is accepted" [ $? -eq 0 ]
BTT_PASSPHRASE=$(pass_of 1025) wallet new >/dev/null 2>"$tmp/err"
check "a 1025-byte passphrase exits 2" [ $? -eq 2 ]
check "and says the passphrase is too long" grep -q "longer than" "$tmp/err"
BTT_PASSPHRASE= wallet new >/dev/null 2>"$tmp/err"
check "an empty passphrase exits 2" [ $? -eq 2 ]
check "the cap tests stored four keys" [ "$(wallet list | wc -l)" -eq 4 ]

echo "# wallet integration done"
