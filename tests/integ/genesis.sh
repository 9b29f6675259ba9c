#!/bin/sh
# btt chain genesis: the default file is deterministic for the same
# arguments; its amounts, added up by python3 with plain integers, match
# the allocation to the base unit; --check prints the same hash and refuses
# a file with one base unit changed; placeholder keys written with
# --keys-out import into the wallet as the bucket addresses; bad usage
# exits 2. TAP lines "ok - name" / "not ok - name"; every run is bounded.
set -u
. "$(dirname "$0")/../lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/btt-integ-genesis.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

chain() { timeout 60 "$BTT" chain "$@"; }

if [ ! -x "$BTT" ]; then
	not_ok "btt binary exists at $BTT"
	exit 1
fi

h1=$(chain genesis --out "$tmp/g1.json" 2>"$tmp/err")
rc=$?
check "genesis --out exits 0" [ "$rc" -eq 0 ]
check "and prints a 32-byte hash in hex" \
	sh -c "printf '%s' '$h1' | grep -Eq '^[0-9a-f]{64}$'"
h2=$(chain genesis --out "$tmp/g2.json" 2>/dev/null)
check "the same arguments give the same bytes" cmp -s "$tmp/g1.json" "$tmp/g2.json"
check "and the same hash" [ "$h1" = "$h2" ]
h3=$(chain genesis --check "$tmp/g1.json" 2>/dev/null)
check "--check prints the same hash" [ "$h3" = "$h1" ]

cat >"$tmp/sum.py" <<'EOF'
import json, sys
g = json.load(open(sys.argv[1]))
total = 990 * 10**9 * 10**18
want = {
    "public_sale": 60, "private_sale": 20, "seed_sale": 90,
    "tron_airdrop": 101, "protocol_airdrop": 100,
    "team_bittorrent_foundation": 190, "tron_foundation": 200,
    "ecosystem": 199, "partnerships": 40,
}
assert int(g["total_supply"]) == total, "total_supply"
assert g["decimals"] == 18
b = g["buckets"]
assert [x["name"] for x in b] == list(want), "bucket names"
assert sum(int(x["amount"]) for x in b) == total, "sum"
for x in b:
    assert x["share_permille"] == want[x["name"]], x["name"]
    assert int(x["amount"]) == total * want[x["name"]] // 1000, x["name"]
    assert int(x["amount"]) * 1000 == total * want[x["name"]], x["name"]
print("ok")
EOF
out=$(python3 "$tmp/sum.py" "$tmp/g1.json" 2>&1)
check "python3 adds the amounts up to 990e9 BTT, each bucket exact" \
	[ "$out" = "ok" ]

cat >"$tmp/vest.py" <<'EOF'
import json, sys
g = json.load(open(sys.argv[1]))
bpy = g["blocks_per_year"]
for name in ("team_bittorrent_foundation", "tron_foundation", "tron_airdrop"):
    x = [b for b in g["buckets"] if b["name"] == name][0]
    v = x["vesting"]
    assert v["type"] == "periodic"
    assert sum(int(p["amount"]) for p in v["periods"]) == int(x["amount"])
    assert v["start"] + sum(p["length"] for p in v["periods"]) == v["end"]
    assert v["end"] == 6 * bpy
    years = [sum(int(p["amount"]) for p in v["periods"][4*y:4*y+4])
             for y in range(6)]
    assert all(a > b for a, b in zip(years, years[1:])), name
for name in ("team_bittorrent_foundation", "tron_foundation"):
    x = [b for b in g["buckets"] if b["name"] == name][0]
    assert x["kind"] == "multisig"
    assert x["multisig"]["threshold"] == 3
    assert len(x["multisig"]["keys"]) == 5
print("ok")
EOF
out=$(python3 "$tmp/vest.py" "$tmp/g1.json" 2>&1)
check "foundation and airdrop buckets vest over six years, less each year" \
	[ "$out" = "ok" ]

cat >"$tmp/tamper.py" <<'EOF'
import json, sys
g = json.load(open(sys.argv[1]))
b = g["buckets"]
b[0]["amount"] = str(int(b[0]["amount"]) + 1)
if sys.argv[3] == "move":
    b[8]["amount"] = str(int(b[8]["amount"]) - 1)
json.dump(g, open(sys.argv[2], "w"), indent=1)
EOF
python3 "$tmp/tamper.py" "$tmp/g1.json" "$tmp/t1.json" add
chain genesis --check "$tmp/t1.json" >/dev/null 2>"$tmp/err"
rc=$?
check "one base unit added: --check exits 2" [ "$rc" -eq 2 ]
check "and names the field" grep -q "buckets\[0\].amount" "$tmp/err"
python3 "$tmp/tamper.py" "$tmp/g1.json" "$tmp/t2.json" move
chain genesis --check "$tmp/t2.json" >/dev/null 2>&1
check "one base unit moved between buckets is refused" [ $? -eq 2 ]
sed 's/"chain_id": 4346964/"chain_id": 4346964, "extra": 1/' \
	"$tmp/g1.json" >"$tmp/t3.json"
chain genesis --check "$tmp/t3.json" >/dev/null 2>&1
check "an unknown key is refused" [ $? -eq 2 ]
python3 -c 'import sys; sys.stdout.write(" " * (1 << 20) + "{}")' \
	>"$tmp/big.json"
chain genesis --check "$tmp/big.json" >/dev/null 2>&1
check "a file above 1 MiB is refused with 2" [ $? -eq 2 ]

h4=$(chain genesis --out "$tmp/g4.json" --chain-id 99 --time 1700000000 \
	--blocks-per-year 1000 2>/dev/null)
check "chain id, time and year length change the hash" \
	[ -n "$h4" -a "$h4" != "$h1" ]
check "and are in the file" python3 -c "import json; g=json.load(open('$tmp/g4.json')); assert g['chain_id']==99 and g['genesis_time']==1700000000 and g['blocks_per_year']==1000"

V1=0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf
V2=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
chain genesis --out "$tmp/g5.json" --validator "$V1" \
	--validator "$V2:2000000.5" >/dev/null 2>"$tmp/err"
check "two genesis validators" [ $? -eq 0 ]
check "with their self-bonds from the ecosystem bucket" python3 -c "
import json
g = json.load(open('$tmp/g5.json'))
v = g['validators']
assert [x['operator'] for x in v] == ['$V1', '$V2']
assert v[0]['self_bond'] == str(10**8 * 10**18)
assert v[1]['self_bond'] == str(2000000 * 10**18 + 5 * 10**17)
assert all(x['funded_by'] == 'ecosystem' for x in v)"
chain genesis --check "$tmp/g5.json" >/dev/null 2>&1
check "and the file checks" [ $? -eq 0 ]
chain genesis --out "$tmp/g6.json" --validator "$V1:999999" >/dev/null 2>&1
check "a stake below the minimum self-bond exits 2" [ $? -eq 2 ]
chain genesis --out "$tmp/g6.json" --validator "$V1" --validator "$V1" \
	>/dev/null 2>&1
check "the same validator twice exits 2" [ $? -eq 2 ]
check "and writes nothing" [ ! -e "$tmp/g6.json" ]

chain genesis --out "$tmp/g7.json" --key-seed integ --keys-out "$tmp/keys" \
	>/dev/null 2>&1
check "--keys-out writes fifteen keys" \
	[ "$(ls "$tmp/keys" | wc -l)" -eq 15 ]
check "each mode 0600" [ -z "$(find "$tmp/keys" -type f ! -perm 0600)" ]
export BTT_KDF=fast BTT_PASSPHRASE=integ
addr=$(timeout 60 "$BTT" wallet --keystore "$tmp/ks" import \
	<"$tmp/keys/public_sale.hex" 2>/dev/null | cut -d' ' -f1)
want=$(python3 -c "import json; print([b for b in json.load(open('$tmp/g7.json'))['buckets'] if b['name']=='public_sale'][0]['address'])")
check "a written key imports as its bucket's address" \
	[ -n "$addr" -a "$addr" = "$want" ]
check "another seed gives other addresses" \
	[ "$want" != "$(python3 -c "import json; print(json.load(open('$tmp/g1.json'))['buckets'][0]['address'])")" ]

chain genesis >/dev/null 2>&1
check "no --out or --check exits 2" [ $? -eq 2 ]
chain genesis --out "$tmp/x.json" --check "$tmp/g1.json" >/dev/null 2>&1
check "both --out and --check exit 2" [ $? -eq 2 ]
chain genesis --out "$tmp/x.json" --validator nope >/dev/null 2>&1
check "a bad validator address exits 2" [ $? -eq 2 ]
chain genesis --out "$tmp/x.json" --chain-id 0 >/dev/null 2>&1
check "chain id 0 exits 2" [ $? -eq 2 ]
chain genesis --check "$tmp/missing.json" >/dev/null 2>&1
check "a missing file exits 1" [ $? -eq 1 ]
chain nosuch >/dev/null 2>&1
check "an unknown subcommand exits 2" [ $? -eq 2 ]
