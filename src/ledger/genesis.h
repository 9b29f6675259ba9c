/* The genesis allocation: the chain's first state as a plain struct, its
 * rules, its canonical binary encoding and hash, the default allocation
 * of the BTT supply, and the JSON file that carries it (genesis_json.c).
 *
 * Total supply: 990,000,000,000 BTT = 990 * 10^27 base units, split into
 * buckets by share in permille (tenths of a percent): each bucket's amount
 * is exactly total * share / 1000 and the amounts add up to the total to
 * the base unit. A bucket is one account of one of three kinds:
 *   account   an ordinary key-held address (optionally vesting);
 *   module    keyless, at btt_ledger_module_address(name), paid out only
 *             by protocol rules (seeding, staking, storage rewards);
 *   multisig  keyless, at btt_ledger_multisig_address("genesis/<name>"),
 *             spent only through multisig proposals (optionally vesting).
 * Genesis validators bond a self-stake taken from a module bucket
 * (`funded_by`), so that bucket's liquid balance at genesis is its amount
 * minus those bonds.
 *
 * genesis hash = keccak256("BTT-GENESIS-v1" || _encode(genesis)): over
 * the canonical binary form of the parsed values, never over JSON text.
 * docs/genesis.md has the file format, the defaults and the reasons. */
#ifndef BTT_LEDGER_GENESIS_H
#define BTT_LEDGER_GENESIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/wbuf.h"
#include "crypto/address.h"
#include "crypto/secp.h"
#include "ledger/multisig.h"
#include "ledger/staking.h"
#include "ledger/u128.h"
#include "ledger/vesting.h"

#define BTT_GENESIS_VERSION 1
#define BTT_GENESIS_FORMAT "btt-genesis/1" /* the JSON "format" value */
#define BTT_GENESIS_HASH_TAG "BTT-GENESIS-v1"
#define BTT_GENESIS_HASH_LEN 32
#define BTT_GENESIS_DECIMALS 18
/* 990,000,000,000 BTT in base units (9.9 * 10^29 < 2^100). */
#define BTT_GENESIS_SUPPLY ((btt_u128)990000000000ull * BTT_COIN)
/* JSON integers (chain id, heights, counts) stay within 2^53 - 1 so any
 * JSON tool reads them exactly. */
#define BTT_GENESIS_MAX_INT (((uint64_t)1 << 53) - 1)
/* Upper bound of the binary encoding, for the hash buffer. */
#define BTT_GENESIS_MAX_ENCODED (1u << 17)

#define BTT_GENESIS_DEFAULT_CHAIN_ID 4346964	     /* 0x425454, "BTT" */
#define BTT_GENESIS_DEFAULT_BLOCKS_PER_YEAR 31536000 /* 1 s blocks */
#define BTT_GENESIS_DEFAULT_KEY_SEED "btt-devnet"
#define BTT_GENESIS_DEFAULT_VALIDATOR_STAKE ((btt_u128)100000000 * BTT_COIN)
#define BTT_GENESIS_DEFAULT_COMMISSION 1000 /* 10 % */
#define BTT_GENESIS_DEFAULT_THRESHOLD 3	    /* of 5 keys of weight 1 */
#define BTT_GENESIS_DEFAULT_SIGNERS 5
/* The module bucket that funds genesis validators' self-bonds. */
#define BTT_GENESIS_VALIDATOR_BUCKET "ecosystem"

enum btt_genesis_kind {
	BTT_GENESIS_ACCOUNT = 1,
	BTT_GENESIS_MODULE = 2,
	BTT_GENESIS_MULTISIG = 3,
};

struct btt_genesis_bucket {
	char name[BTT_GENESIS_MAX_NAME + 1]; /* [a-z0-9_], NUL-terminated */
	uint16_t share_permille;	     /* 1 .. 1000 */
	uint8_t kind;			     /* enum btt_genesis_kind */
	uint8_t addr[BTT_ADDR_LEN];
	btt_u128 amount;
	struct btt_multisig multisig; /* kind multisig only */
	bool has_vesting;	      /* not for modules */
	struct btt_vesting vesting;   /* original == amount */
};

struct btt_genesis_validator {
	/* bonded at genesis: status bonded, self_bond == total_bonded */
	struct btt_validator v;
	uint8_t funded_by; /* index of a module bucket */
};

/* Large (about 80 KiB): allocate it with _new or on the heap. */
struct btt_genesis {
	uint64_t chain_id;	  /* 1 .. BTT_GENESIS_MAX_INT */
	uint64_t genesis_time;	  /* Unix seconds; 0 = not set */
	uint64_t blocks_per_year; /* > 0; vesting heights derive from it */
	btt_u128 total_supply;	  /* == BTT_GENESIS_SUPPLY */
	struct btt_staking_params staking;
	size_t n_buckets;
	struct btt_genesis_bucket buckets[BTT_GENESIS_MAX_BUCKETS];
	size_t n_validators;
	struct btt_genesis_validator validators[BTT_GENESIS_MAX_VALIDATORS];
};

/* Options of the default genesis; a zeroed struct gives every default. */
struct btt_genesis_opts {
	uint64_t chain_id;	  /* 0: BTT_GENESIS_DEFAULT_CHAIN_ID */
	uint64_t genesis_time;	  /* Unix seconds */
	uint64_t blocks_per_year; /* 0: 31,536,000; at least 4 */
	const char *key_seed;	  /* NULL: BTT_GENESIS_DEFAULT_KEY_SEED */
	size_t key_seed_len;
	/* Called with each placeholder private key the allocation uses and
	 * its label ("public_sale", "tron_foundation/3"); the key is wiped
	 * after the call. May be NULL. */
	void (*on_key)(void *arg, const char *label,
		       const uint8_t key[BTT_SECP_PRIV_LEN]);
	void *on_key_arg;
};

/* A zeroed genesis on the heap (aborts when out of memory). */
struct btt_genesis *btt_ledger_genesis_new(void);
void btt_ledger_genesis_free(struct btt_genesis *g);

/* The address of protocol module `name`: the last 20 bytes of
 * keccak256("btt/module/" || name). */
void btt_ledger_module_address(const char *name, uint8_t out[BTT_ADDR_LEN]);

/* The placeholder private key with `label` derived from a seed:
 * keccak256("BTT-GENESIS-KEY-v1" || u32 seed_len || seed || u32
 * label_len || label || u8 counter), the first counter from 0 that gives a
 * valid key. Anyone who knows the seed knows the key: placeholders are for
 * test networks. Returns 0 or BTT_EINVALID (label too long). */
int btt_ledger_genesis_key_derive(const void *seed, size_t seed_len,
				  const char *label,
				  uint8_t out_key[BTT_SECP_PRIV_LEN]);

/* Fills g with the default allocation (docs/genesis.md): the nine
 * buckets, their vesting schedules and multisig definitions, placeholder
 * addresses from the key seed, default staking parameters, no
 * validators. Returns 0 or BTT_EINVALID (a bad option). */
int btt_ledger_genesis_default(const struct btt_genesis_opts *o,
			       struct btt_genesis *g);

/* Adds a genesis validator whose self-bond `stake` comes from the
 * BTT_GENESIS_VALIDATOR_BUCKET module bucket, with the default commission.
 * Returns 0, BTT_ELIMIT (validator set full), BTT_EDUPLICATE (operator or
 * signer already there), BTT_EINVALID (signer form, stake below the
 * minimum self-bond, operator a keyless bucket, no funding bucket) or
 * BTT_EFUNDS (the bucket cannot cover it); g is unchanged on error. */
int btt_ledger_genesis_add_validator(struct btt_genesis *g,
				     const uint8_t operator_addr[BTT_ADDR_LEN],
				     const uint8_t *signer, size_t signer_len,
				     btt_u128 stake);

/* Checks every rule of a genesis (docs/genesis.md, section 2). Returns 0
 * or a negative error, and a one-line reason in err (err_len bytes,
 * NUL-terminated; err may be NULL). */
int btt_ledger_genesis_check(const struct btt_genesis *g, char *err,
			     size_t err_len);

/* The liquid balance of bucket i at genesis: its amount minus the
 * self-bonds it funds. */
btt_u128 btt_ledger_genesis_balance(const struct btt_genesis *g, size_t i);

/* The index of the bucket named `name`, or -1. */
int btt_ledger_genesis_find(const struct btt_genesis *g, const char *name);

/* Appends the canonical binary encoding (docs/genesis.md, section 6).
 * Returns 0, an error from _check, or the wbuf's sticky error. */
int btt_ledger_genesis_encode(const struct btt_genesis *g, struct btt_wbuf *w);

/* The genesis hash. Returns 0 or an error from _encode. */
int btt_ledger_genesis_hash(const struct btt_genesis *g,
			    uint8_t out[BTT_GENESIS_HASH_LEN]);

/* Parses a genesis file, strictly (docs/genesis.md, section 2): at most
 * BTT_GENESIS_MAX_SIZE bytes of UTF-8 JSON, nesting at most
 * BTT_GENESIS_MAX_DEPTH, no duplicate or unknown keys, every field
 * present with its type, amounts as canonical decimal strings, then every
 * rule of _check. Returns 0, BTT_ELIMIT, BTT_EDEPTH, BTT_EMALFORMED (not
 * JSON, or a bad value), BTT_ETYPE, BTT_EMISSING, BTT_ENONCANONICAL or an
 * error from _check, with a reason naming the field in err. */
int btt_ledger_genesis_parse(const uint8_t *p, size_t n, struct btt_genesis *g,
			     char *err, size_t err_len);

/* Writes g as a genesis file (two-space indented JSON, keys in a fixed
 * order, ending with a newline) into a malloc'd buffer the caller frees.
 * Returns 0, an error from _check, or -ENOMEM. */
int btt_ledger_genesis_to_json(const struct btt_genesis *g, char **out,
			       size_t *out_len);

#endif
