/* The genesis file: strict JSON parsing into struct btt_genesis and
 * deterministic writing back (docs/genesis.md, sections 2 and 5).
 *
 * The file is operator-supplied and treated as untrusted: the size is
 * capped, nesting is bounded by a scan before jansson (whose parser
 * recurses) sees the bytes, duplicate keys are refused by jansson, every
 * object is checked against its list of known keys, every field must be
 * present with its JSON type, integers must fit 0 .. 2^53-1, amounts are
 * canonical decimal strings, and the result must pass
 * btt_ledger_genesis_check. Errors carry the JSON path of the field. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "btt/err.h"
#include "core/codec.h"
#include "core/json.h"
#include "ledger/genesis.h"

struct perr {
	char *buf;
	size_t len;
};

static int fail(struct perr *pe, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct perr *pe, int code, const char *fmt, ...)
{
	va_list ap;

	if (pe->buf && pe->len) {
		va_start(ap, fmt);
		vsnprintf(pe->buf, pe->len, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* "." between a path and a key, none at the top level (path ""). */
static const char *sep(const char *path)
{
	return path[0] ? "." : "";
}

/* Untrusted text for a message: printable ASCII kept, the rest '?',
 * at most 40 bytes. */
static const char *clean(const char *s, char out[48])
{
	size_t i = 0;

	for (; s[i] && i < 40; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = 0;
	return out;
}

static int known_keys(json_t *obj, const char *path, const char *const *keys,
		      size_t n, struct perr *pe)
{
	const char *k;
	json_t *v;
	char buf[48];

	json_object_foreach(obj, k, v)
	{
		size_t i = 0;
		while (i < n && strcmp(k, keys[i]))
			i++;
		if (i == n)
			return fail(pe, BTT_EMALFORMED, "%s%sunknown key '%s'",
				    path, path[0] ? ": " : "", clean(k, buf));
	}
	return 0;
}

static int get(json_t *obj, const char *path, const char *key, json_t **out,
	       struct perr *pe)
{
	*out = json_object_get(obj, key);
	if (!*out)
		return fail(pe, BTT_EMISSING, "%s%s%s: missing", path,
			    sep(path), key);
	return 0;
}

static int get_typed(json_t *obj, const char *path, const char *key,
		     json_type t, json_t **out, struct perr *pe)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object",
		[JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string",
		[JSON_INTEGER] = "an integer",
	};
	int e = get(obj, path, key, out, pe);

	if (!e && json_typeof(*out) != t)
		e = fail(pe, BTT_ETYPE, "%s%s%s: not %s", path, sep(path), key,
			 names[t]);
	return e;
}

static int get_uint(json_t *obj, const char *path, const char *key,
		    uint64_t max, uint64_t *out, struct perr *pe)
{
	json_t *v;
	json_int_t i;
	int e = get_typed(obj, path, key, JSON_INTEGER, &v, pe);

	if (e)
		return e;
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max)
		return fail(pe, BTT_EINVALID, "%s%s%s: not in 0 .. %llu", path,
			    sep(path), key, (unsigned long long)max);
	*out = (uint64_t)i;
	return 0;
}

static int get_str(json_t *obj, const char *path, const char *key,
		   const char **s, size_t *len, struct perr *pe)
{
	json_t *v;
	int e = get_typed(obj, path, key, JSON_STRING, &v, pe);

	if (!e) {
		*s = json_string_value(v);
		*len = json_string_length(v);
	}
	return e;
}

static int get_amount(json_t *obj, const char *path, const char *key,
		      btt_u128 *out, struct perr *pe)
{
	const char *s;
	size_t len;
	int e = get_str(obj, path, key, &s, &len, pe);

	if (e)
		return e;
	e = btt_u128_from_dec(s, len, out);
	if (e == BTT_ENONCANONICAL)
		return fail(pe, e, "%s%s%s: leading zero", path, sep(path),
			    key);
	if (e)
		return fail(pe, e,
			    "%s%s%s: not a decimal string of base "
			    "units below 2^128",
			    path, sep(path), key);
	return 0;
}

static int get_addr(json_t *obj, const char *path, const char *key,
		    uint8_t out[BTT_ADDR_LEN], struct perr *pe)
{
	const char *s;
	size_t len;
	int e = get_str(obj, path, key, &s, &len, pe);

	if (!e && (e = btt_addr_parse(s, len, out)))
		return fail(pe, e, "%s%s%s: not an address (%s)", path,
			    sep(path), key, btt_strerror(e));
	return e;
}

/* An array of 1 .. max elements (more: BTT_ELIMIT; min may be 0). */
static int get_array(json_t *obj, const char *path, const char *key, size_t min,
		     size_t max, json_t **out, struct perr *pe)
{
	int e = get_typed(obj, path, key, JSON_ARRAY, out, pe);

	if (e)
		return e;
	if (json_array_size(*out) > max)
		return fail(pe, BTT_ELIMIT, "%s%s%s: more than %zu entries",
			    path, sep(path), key, max);
	if (json_array_size(*out) < min)
		return fail(pe, BTT_EINVALID, "%s%s%s: empty", path, sep(path),
			    key);
	return 0;
}

static int elem_obj(json_t *arr, size_t i, const char *path, json_t **out,
		    struct perr *pe)
{
	*out = json_array_get(arr, i);
	if (!json_is_object(*out))
		return fail(pe, BTT_ETYPE, "%s[%zu]: not an object", path, i);
	return 0;
}

static int parse_periods(json_t *vo, const char *path, struct btt_vesting *v,
			 struct perr *pe)
{
	static const char *const keys[] = {"length", "amount"};
	char sub[96];
	json_t *arr, *po;
	int e;

	if ((e = get_array(vo, path, "periods", 1, BTT_VESTING_MAX_PERIODS,
			   &arr, pe)))
		return e;
	v->n_periods = json_array_size(arr);
	for (size_t i = 0; i < v->n_periods; i++) {
		snprintf(sub, sizeof(sub), "%.48s.periods[%zu]", path, i);
		if ((e = elem_obj(arr, i, sub, &po, pe)) ||
		    (e = known_keys(po, sub, keys, 2, pe)) ||
		    (e = get_uint(po, sub, "length", BTT_GENESIS_MAX_INT,
				  &v->periods[i].length, pe)) ||
		    (e = get_amount(po, sub, "amount", &v->periods[i].amount,
				    pe)))
			return e;
	}
	return 0;
}

static int parse_vesting(json_t *vo, const char *path,
			 struct btt_genesis_bucket *b, struct perr *pe)
{
	static const char *const keys[] = {"type", "start", "end", "periods"};
	struct btt_vesting *v = &b->vesting;
	const char *t;
	size_t len;
	int e;

	if (!json_is_object(vo))
		return fail(pe, BTT_ETYPE, "%s: not an object", path);
	if ((e = get_str(vo, path, "type", &t, &len, pe)))
		return e;
	if (!strcmp(t, "delayed"))
		v->type = BTT_VESTING_DELAYED;
	else if (!strcmp(t, "continuous"))
		v->type = BTT_VESTING_CONTINUOUS;
	else if (!strcmp(t, "periodic"))
		v->type = BTT_VESTING_PERIODIC;
	else
		return fail(pe, BTT_EINVALID,
			    "%s.type: not delayed, "
			    "continuous or periodic",
			    path);
	if ((e = known_keys(vo, path, keys,
			    v->type == BTT_VESTING_PERIODIC ? 4 : 3, pe)) ||
	    (e = get_uint(vo, path, "start", BTT_GENESIS_MAX_INT, &v->start,
			  pe)) ||
	    (e = get_uint(vo, path, "end", BTT_GENESIS_MAX_INT, &v->end, pe)))
		return e;
	if (v->type == BTT_VESTING_PERIODIC &&
	    (e = parse_periods(vo, path, v, pe)))
		return e;
	v->original = b->amount;
	b->has_vesting = true;
	return 0;
}

static int parse_multisig(json_t *mo, const char *path, struct btt_multisig *m,
			  struct perr *pe)
{
	static const char *const keys[] = {"threshold", "keys"};
	static const char *const kkeys[] = {"address", "weight"};
	char sub[96];
	json_t *arr, *ko;
	uint64_t w;
	int e;

	if (!json_is_object(mo))
		return fail(pe, BTT_ETYPE, "%s: not an object", path);
	if ((e = known_keys(mo, path, keys, 2, pe)) ||
	    (e = get_uint(mo, path, "threshold", BTT_GENESIS_MAX_INT,
			  &m->threshold, pe)) ||
	    (e = get_array(mo, path, "keys", 1, BTT_MULTISIG_MAX_KEYS, &arr,
			   pe)))
		return e;
	m->n_keys = json_array_size(arr);
	for (size_t i = 0; i < m->n_keys; i++) {
		snprintf(sub, sizeof(sub), "%.48s.keys[%zu]", path, i);
		if ((e = elem_obj(arr, i, sub, &ko, pe)) ||
		    (e = known_keys(ko, sub, kkeys, 2, pe)) ||
		    (e = get_addr(ko, sub, "address", m->keys[i].addr, pe)) ||
		    (e = get_uint(ko, sub, "weight", UINT32_MAX, &w, pe)))
			return e;
		m->keys[i].weight = (uint32_t)w;
	}
	/* any order in the file; one canonical order in the state */
	btt_ledger_multisig_sort(m);
	return 0;
}

static int parse_kind(json_t *bo, const char *path,
		      struct btt_genesis_bucket *b, struct perr *pe)
{
	static const char *const kinds[] = {
		[BTT_GENESIS_ACCOUNT] = "account",
		[BTT_GENESIS_MODULE] = "module",
		[BTT_GENESIS_MULTISIG] = "multisig",
	};
	const char *s;
	size_t len;
	int e = get_str(bo, path, "kind", &s, &len, pe);

	if (e)
		return e;
	for (uint8_t k = BTT_GENESIS_ACCOUNT; k <= BTT_GENESIS_MULTISIG; k++)
		if (!strcmp(s, kinds[k]))
			b->kind = k;
	if (!b->kind)
		return fail(pe, BTT_EINVALID,
			    "%s.kind: not account, module or "
			    "multisig",
			    path);
	return 0;
}

static int parse_bucket(json_t *bo, const char *path,
			struct btt_genesis_bucket *b, struct perr *pe)
{
	static const char *const keys[] = {
		"name",	   "share_permille", "amount", "kind",
		"address", "multisig",	     "vesting"};
	char sub[96];
	const char *name;
	size_t len;
	uint64_t share;
	json_t *v;
	int e;

	if ((e = known_keys(bo, path, keys, 7, pe)) ||
	    (e = get_str(bo, path, "name", &name, &len, pe)))
		return e;
	if (len > BTT_GENESIS_MAX_NAME)
		return fail(pe, BTT_ELIMIT, "%s.name: longer than %u bytes",
			    path, BTT_GENESIS_MAX_NAME);
	memcpy(b->name, name, len);
	b->name[len] = 0;
	if ((e = get_uint(bo, path, "share_permille", 1000, &share, pe)) ||
	    (e = get_amount(bo, path, "amount", &b->amount, pe)) ||
	    (e = parse_kind(bo, path, b, pe)) ||
	    (e = get_addr(bo, path, "address", b->addr, pe)))
		return e;
	b->share_permille = (uint16_t)share;
	v = json_object_get(bo, "multisig");
	if (v && b->kind != BTT_GENESIS_MULTISIG)
		return fail(pe, BTT_EINVALID,
			    "%s.multisig: only for kind "
			    "multisig",
			    path);
	if (!v && b->kind == BTT_GENESIS_MULTISIG)
		return fail(pe, BTT_EMISSING, "%s.multisig: missing", path);
	snprintf(sub, sizeof(sub), "%.48s.multisig", path);
	if (v && (e = parse_multisig(v, sub, &b->multisig, pe)))
		return e;
	v = json_object_get(bo, "vesting");
	snprintf(sub, sizeof(sub), "%.48s.vesting", path);
	return v ? parse_vesting(v, sub, b, pe) : 0;
}

/* A signer: an address (0x... or T...) or a public key in hex (33 or 65
 * bytes). */
static int parse_signer(json_t *vo, const char *path, struct btt_validator *v,
			struct perr *pe)
{
	const char *s;
	size_t len;
	int e = get_str(vo, path, "signer", &s, &len, pe);

	if (e)
		return e;
	if (len == 2 * 33 || len == 2 * BTT_SECP_PUB_LEN) {
		v->signer_len = (uint8_t)(len / 2);
		e = btt_hex_decode(s, len, v->signer, v->signer_len);
	} else {
		v->signer_len = BTT_ADDR_LEN;
		e = btt_addr_parse(s, len, v->signer);
	}
	if (e ||
	    (e = btt_ledger_staking_signer_check(v->signer, v->signer_len)))
		return fail(pe, e,
			    "%s.signer: not an address or a public "
			    "key in hex",
			    path);
	return 0;
}

static int parse_validator(json_t *vo, const char *path,
			   const struct btt_genesis *g,
			   struct btt_genesis_validator *gv, struct perr *pe)
{
	static const char *const keys[] = {"operator", "signer",
					   "commission_bps", "self_bond",
					   "funded_by"};
	struct btt_validator *v = &gv->v;
	const char *from;
	size_t len;
	uint64_t bps;
	int e, b;

	if ((e = known_keys(vo, path, keys, 5, pe)) ||
	    (e = get_addr(vo, path, "operator", v->operator_addr, pe)) ||
	    (e = parse_signer(vo, path, v, pe)) ||
	    (e = get_uint(vo, path, "commission_bps",
			  BTT_STAKING_MAX_COMMISSION, &bps, pe)) ||
	    (e = get_amount(vo, path, "self_bond", &v->self_bond, pe)) ||
	    (e = get_str(vo, path, "funded_by", &from, &len, pe)))
		return e;
	if ((b = btt_ledger_genesis_find(g, from)) < 0)
		return fail(pe, BTT_EINVALID, "%s.funded_by: no such bucket",
			    path);
	v->commission_bps = (uint16_t)bps;
	v->status = BTT_VALIDATOR_BONDED;
	v->total_bonded = v->self_bond;
	gv->funded_by = (uint8_t)b;
	return 0;
}

static int parse_staking(json_t *root, struct btt_staking_params *s,
			 struct perr *pe)
{
	static const char *const keys[] = {"min_self_bond", "unbonding_blocks",
					   "max_validators", "power_unit"};
	static const char path[] = "staking";
	uint64_t maxv;
	json_t *so;
	int e;

	if ((e = get_typed(root, "", path, JSON_OBJECT, &so, pe)) ||
	    (e = known_keys(so, path, keys, 4, pe)) ||
	    (e = get_amount(so, path, "min_self_bond", &s->min_self_bond,
			    pe)) ||
	    (e = get_uint(so, path, "unbonding_blocks", BTT_GENESIS_MAX_INT,
			  &s->unbonding_blocks, pe)) ||
	    (e = get_uint(so, path, "max_validators", UINT32_MAX, &maxv, pe)) ||
	    (e = get_amount(so, path, "power_unit", &s->power_unit, pe)))
		return e;
	s->max_validators = (uint32_t)maxv;
	return 0;
}

static int parse_lists(json_t *root, struct btt_genesis *g, struct perr *pe)
{
	char path[48];
	json_t *arr, *o;
	int e;

	if ((e = get_array(root, "", "buckets", 1, BTT_GENESIS_MAX_BUCKETS,
			   &arr, pe)))
		return e;
	g->n_buckets = json_array_size(arr);
	for (size_t i = 0; i < g->n_buckets; i++) {
		snprintf(path, sizeof(path), "buckets[%zu]", i);
		if ((e = elem_obj(arr, i, "buckets", &o, pe)) ||
		    (e = parse_bucket(o, path, &g->buckets[i], pe)))
			return e;
	}
	if ((e = get_array(root, "", "validators", 0,
			   BTT_GENESIS_MAX_VALIDATORS, &arr, pe)))
		return e;
	g->n_validators = json_array_size(arr);
	for (size_t i = 0; i < g->n_validators; i++) {
		snprintf(path, sizeof(path), "validators[%zu]", i);
		if ((e = elem_obj(arr, i, "validators", &o, pe)) ||
		    (e = parse_validator(o, path, g, &g->validators[i], pe)))
			return e;
	}
	return 0;
}

static int parse_root(json_t *root, struct btt_genesis *g, struct perr *pe)
{
	static const char *const keys[] = {
		"format",	   "chain_id", "genesis_time",
		"blocks_per_year", "decimals", "total_supply",
		"staking",	   "buckets",  "validators"};
	static const char path[] = "";
	const char *fmt;
	size_t len;
	uint64_t dec;
	int e;

	if (!json_is_object(root))
		return fail(pe, BTT_ETYPE, "genesis: not a JSON object");
	if ((e = known_keys(root, path, keys, 9, pe)) ||
	    (e = get_str(root, path, "format", &fmt, &len, pe)))
		return e;
	if (strcmp(fmt, BTT_GENESIS_FORMAT))
		return fail(pe, BTT_EUNSUPPORTED, "format: not %s",
			    BTT_GENESIS_FORMAT);
	if ((e = get_uint(root, path, "chain_id", BTT_GENESIS_MAX_INT,
			  &g->chain_id, pe)) ||
	    (e = get_uint(root, path, "genesis_time", BTT_GENESIS_MAX_INT,
			  &g->genesis_time, pe)) ||
	    (e = get_uint(root, path, "blocks_per_year", BTT_GENESIS_MAX_INT,
			  &g->blocks_per_year, pe)) ||
	    (e = get_uint(root, path, "decimals", 255, &dec, pe)) ||
	    (e = get_amount(root, path, "total_supply", &g->total_supply,
			    pe)) ||
	    (e = parse_staking(root, &g->staking, pe)))
		return e;
	if (dec != BTT_GENESIS_DECIMALS)
		return fail(pe, BTT_EINVALID, "decimals: not %u",
			    BTT_GENESIS_DECIMALS);
	return parse_lists(root, g, pe);
}

int btt_ledger_genesis_parse(const uint8_t *p, size_t n, struct btt_genesis *g,
			     char *err, size_t err_len)
{
	struct perr pe = {err, err_len};
	json_error_t jerr;
	json_t *root;
	char buf[48];
	int e;

	memset(g, 0, sizeof(*g));
	if (err && err_len)
		err[0] = 0;
	if (n > BTT_GENESIS_MAX_SIZE)
		return fail(&pe, BTT_ELIMIT, "larger than %u bytes",
			    BTT_GENESIS_MAX_SIZE);
	/* jansson recurses: refuse deep nesting before it parses. */
	if (btt_json_depth(p, n, BTT_GENESIS_MAX_DEPTH) > BTT_GENESIS_MAX_DEPTH)
		return fail(&pe, BTT_EDEPTH, "nested deeper than %u",
			    BTT_GENESIS_MAX_DEPTH);
	root = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(&pe, BTT_EMALFORMED,
			    "not JSON: line %d column "
			    "%d: %s",
			    jerr.line, jerr.column, clean(jerr.text, buf));
	e = parse_root(root, g, &pe);
	json_decref(root);
	if (!e)
		e = btt_ledger_genesis_check(g, err, err_len);
	return e;
}

/* Writing: jansson keeps keys in insertion order, so the output is the
 * same bytes for the same genesis. A failed allocation anywhere makes the
 * builder sticky-failed. */
struct jb {
	bool oom;
};

static json_t *jset(struct jb *b, json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v))
		b->oom = true;
	return v;
}

static void jpush(struct jb *b, json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v))
		b->oom = true;
}

static json_t *jamount(btt_u128 v)
{
	char dec[BTT_U128_DEC_MAX + 1];

	btt_u128_to_dec(v, dec);
	return json_string(dec);
}

static json_t *jint(uint64_t v)
{
	return json_integer((json_int_t)v); /* <= 2^53-1 after _check */
}

static json_t *jaddr(const uint8_t addr[BTT_ADDR_LEN])
{
	char hex[BTT_ADDR_HEX_CHARS + 1];

	btt_addr_hex_encode(addr, hex);
	return json_string(hex);
}

static json_t *write_vesting(struct jb *b, const struct btt_vesting *v)
{
	static const char *const types[] = {
		[BTT_VESTING_DELAYED] = "delayed",
		[BTT_VESTING_CONTINUOUS] = "continuous",
		[BTT_VESTING_PERIODIC] = "periodic",
	};
	json_t *o = json_object(), *arr;

	if (!o)
		return NULL;
	jset(b, o, "type", json_string(types[v->type]));
	jset(b, o, "start", jint(v->start));
	jset(b, o, "end", jint(v->end));
	if (v->type != BTT_VESTING_PERIODIC)
		return o;
	arr = jset(b, o, "periods", json_array());
	for (size_t i = 0; arr && i < v->n_periods; i++) {
		json_t *p = json_object();
		if (p) {
			jset(b, p, "length", jint(v->periods[i].length));
			jset(b, p, "amount", jamount(v->periods[i].amount));
		}
		jpush(b, arr, p);
	}
	return o;
}

static json_t *write_multisig(struct jb *b, const struct btt_multisig *m)
{
	json_t *o = json_object(), *arr;

	if (!o)
		return NULL;
	jset(b, o, "threshold", jint(m->threshold));
	arr = jset(b, o, "keys", json_array());
	for (size_t i = 0; arr && i < m->n_keys; i++) {
		json_t *k = json_object();
		if (k) {
			jset(b, k, "address", jaddr(m->keys[i].addr));
			jset(b, k, "weight", jint(m->keys[i].weight));
		}
		jpush(b, arr, k);
	}
	return o;
}

static json_t *write_bucket(struct jb *b, const struct btt_genesis_bucket *bk)
{
	static const char *const kinds[] = {
		[BTT_GENESIS_ACCOUNT] = "account",
		[BTT_GENESIS_MODULE] = "module",
		[BTT_GENESIS_MULTISIG] = "multisig",
	};
	json_t *o = json_object();

	if (!o)
		return NULL;
	jset(b, o, "name", json_string(bk->name));
	jset(b, o, "share_permille", jint(bk->share_permille));
	jset(b, o, "amount", jamount(bk->amount));
	jset(b, o, "kind", json_string(kinds[bk->kind]));
	jset(b, o, "address", jaddr(bk->addr));
	if (bk->kind == BTT_GENESIS_MULTISIG)
		jset(b, o, "multisig", write_multisig(b, &bk->multisig));
	if (bk->has_vesting)
		jset(b, o, "vesting", write_vesting(b, &bk->vesting));
	return o;
}

static json_t *write_validator(struct jb *b, const struct btt_genesis *g,
			       const struct btt_genesis_validator *gv)
{
	char hex[2 * BTT_STAKING_SIGNER_MAX + 1];
	json_t *o = json_object();

	if (!o)
		return NULL;
	jset(b, o, "operator", jaddr(gv->v.operator_addr));
	if (gv->v.signer_len == BTT_ADDR_LEN)
		jset(b, o, "signer", jaddr(gv->v.signer));
	else
		jset(b, o, "signer",
		     json_string(btt_hex_encode(gv->v.signer, gv->v.signer_len,
						hex)));
	jset(b, o, "commission_bps", jint(gv->v.commission_bps));
	jset(b, o, "self_bond", jamount(gv->v.self_bond));
	jset(b, o, "funded_by", json_string(g->buckets[gv->funded_by].name));
	return o;
}

static json_t *write_root(struct jb *b, const struct btt_genesis *g)
{
	json_t *o = json_object(), *s, *arr;

	if (!o)
		return NULL;
	jset(b, o, "format", json_string(BTT_GENESIS_FORMAT));
	jset(b, o, "chain_id", jint(g->chain_id));
	jset(b, o, "genesis_time", jint(g->genesis_time));
	jset(b, o, "blocks_per_year", jint(g->blocks_per_year));
	jset(b, o, "decimals", jint(BTT_GENESIS_DECIMALS));
	jset(b, o, "total_supply", jamount(g->total_supply));
	s = jset(b, o, "staking", json_object());
	if (s) {
		jset(b, s, "min_self_bond", jamount(g->staking.min_self_bond));
		jset(b, s, "unbonding_blocks",
		     jint(g->staking.unbonding_blocks));
		jset(b, s, "max_validators", jint(g->staking.max_validators));
		jset(b, s, "power_unit", jamount(g->staking.power_unit));
	}
	arr = jset(b, o, "buckets", json_array());
	for (size_t i = 0; arr && i < g->n_buckets; i++)
		jpush(b, arr, write_bucket(b, &g->buckets[i]));
	arr = jset(b, o, "validators", json_array());
	for (size_t i = 0; arr && i < g->n_validators; i++)
		jpush(b, arr, write_validator(b, g, &g->validators[i]));
	return o;
}

int btt_ledger_genesis_to_json(const struct btt_genesis *g, char **out,
			       size_t *out_len)
{
	struct jb b = {false};
	json_t *root;
	char *text = NULL, *t;
	size_t len;
	int e = btt_ledger_genesis_check(g, NULL, 0);

	if (e)
		return e;
	root = write_root(&b, g);
	if (root && !b.oom)
		text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	t = realloc(text, len + 2);
	if (!t) {
		free(text);
		return -ENOMEM;
	}
	t[len] = '\n';
	t[len + 1] = 0;
	*out = t;
	*out_len = len + 1;
	return 0;
}
