/* Staking over many records: the genesis validators, the release of the
 * unbonding queue at the start of a block, the bonded validator set's
 * hash, and the sums the supply invariant and account queries need.
 * Every walk reads the store in key order through a transaction that
 * already holds the records it needs (see exec_staking.c). */
#include <errno.h>
#include <string.h>

#include "btt/err.h"
#include "core/vec.h"
#include "crypto/hash.h"
#include "ledger/exec_int.h"

#define NS BTT_MODULE_STAKING

/* Calls fn on the value of every staking record whose key starts with
 * prefix (namespace byte not included). */
typedef int (*walk_fn)(void *arg, const struct btt_cur *key,
		       const struct btt_cur *val);

static int walk(struct btt_ledger_txn *t, const uint8_t *prefix, size_t n,
		walk_fn fn, void *arg)
{
	uint8_t p[1 + 32];
	struct btt_ledger_iter *it = NULL;
	struct btt_cur k, v;
	int rc;

	p[0] = NS;
	memcpy(p + 1, prefix, n);
	rc = btt_ledger_iter_open(t, BTT_LEDGER_DB_REC, p, 1 + n, &it);
	while (!rc && (rc = btt_ledger_iter_next(it, &k, &v)) == 0) {
		btt_cur_skip(&k, 1 + n);
		rc = fn(arg, &k, &v);
	}
	btt_ledger_iter_free(it);
	return rc == BTT_ENOTFOUND ? 0 : rc;
}

int btt_ledger_exec_staking_genesis(struct btt_ledger_state *st,
				    const struct btt_genesis *g)
{
	uint8_t buf[BTT_STAKING_PARAMS_LEN], cnt[4];
	struct btt_wbuf w;
	int rc;

	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	btt_ledger_staking_params_encode(&g->staking, &w);
	if ((rc = btt_wbuf_err(&w)) ||
	    (rc = btt_ledger_state_rec_put(st, NS, "P", 1, buf, w.len)))
		return rc;
	for (size_t i = 0; i < g->n_validators; i++) {
		const struct btt_validator *v = &g->validators[i].v;
		uint8_t vkey[21] = {'V'}, dkey[41] = {'D'}, skey[21] = {'S'};
		uint8_t vb[BTT_VALIDATOR_MAX_LEN], db[BTT_DELEGATION_LEN];
		struct btt_delegation d;
		struct btt_wbuf vw, dw;

		memset(&d, 0, sizeof(d));
		memcpy(d.delegator, v->operator_addr, 20);
		memcpy(d.validator, v->operator_addr, 20);
		d.amount = v->self_bond;
		btt_wbuf_init_fixed(&vw, vb, sizeof(vb));
		btt_wbuf_init_fixed(&dw, db, sizeof(db));
		if ((rc = btt_ledger_validator_encode(v, &vw)) != 0)
			return rc;
		btt_ledger_delegation_encode(&d, &dw);
		memcpy(vkey + 1, v->operator_addr, 20);
		memcpy(dkey + 1, v->operator_addr, 20);
		memcpy(dkey + 21, v->operator_addr, 20);
		btt_ledger_exec_signer_id(v->signer, v->signer_len, skey + 1);
		if ((rc = btt_ledger_state_rec_put(st, NS, vkey, 21, vb,
						   vw.len)) ||
		    (rc = btt_ledger_state_rec_put(st, NS, dkey, 41, db,
						   dw.len)) ||
		    (rc = btt_ledger_state_rec_put(st, NS, skey, 21,
						   v->operator_addr, 20)))
			return rc;
	}
	for (int i = 0; i < 4; i++)
		cnt[i] = (uint8_t)(g->n_validators >> (24 - 8 * i));
	return btt_ledger_state_rec_put(st, NS, "C", 1, cnt, 4);
}

/* Collects the keys under 'Q' || height: delegator || validator. */
static int collect(void *arg, const struct btt_cur *key,
		   const struct btt_cur *val)
{
	(void)val;
	if (btt_cur_len(key) != 40)
		return BTT_ECORRUPT;
	return btt_vec_push(arg, btt_cur_data(key)) ? 0 : -ENOMEM;
}

/* Pays out one unbonding entry and removes it and its queue record. */
static int release_one(struct btt_ledger_exec *x, const uint8_t *dv)
{
	uint8_t key[49] = {'U'}, q[49] = {'Q'};
	struct btt_unbonding u;
	struct btt_cur c;
	int rc;

	memcpy(key + 1, dv, 40);
	for (int i = 0; i < 8; i++)
		key[41 + i] = q[1 + i] = (uint8_t)(x->height >> (56 - 8 * i));
	memcpy(q + 9, dv, 40);
	rc = btt_ledger_state_rec_get(x->st, NS, key, sizeof(key), &c);
	if (rc)
		return rc == BTT_ENOTFOUND ? BTT_ECORRUPT : rc;
	if (btt_ledger_unbonding_decode(btt_cur_data(&c), btt_cur_len(&c), &u))
		return BTT_ECORRUPT;
	if ((rc = btt_ledger_state_credit(x->st, u.delegator, u.amount)) ||
	    (rc = btt_ledger_exec_vesting_undelegate(x->st, u.delegator,
						     u.amount)) ||
	    (rc = btt_ledger_state_rec_del(x->st, NS, key, sizeof(key))))
		return rc;
	return btt_ledger_state_rec_del(x->st, NS, q, sizeof(q));
}

int btt_ledger_exec_release(struct btt_ledger_exec *x)
{
	uint8_t prefix[9] = {'Q'};
	struct btt_vec due;
	int rc;

	for (int i = 0; i < 8; i++)
		prefix[1 + i] = (uint8_t)(x->height >> (56 - 8 * i));
	btt_vec_init(&due, 40);
	rc = walk(btt_ledger_state_txn(x->st), prefix, sizeof(prefix), collect,
		  &due);
	for (size_t i = 0; i < btt_vec_len(&due) && !rc; i++)
		rc = release_one(x, btt_vec_at(&due, i));
	btt_vec_release(&due);
	return rc;
}

struct valset {
	struct btt_keccak256 h;
	uint32_t n;
	btt_u128 power_unit;
};

static int hash_validator(void *arg, const struct btt_cur *key,
			  const struct btt_cur *val)
{
	struct valset *vs = arg;
	struct btt_validator v;
	uint8_t power[8];

	if (btt_cur_len(key) != 20 ||
	    btt_ledger_validator_decode(btt_cur_data(val), btt_cur_len(val),
					&v))
		return BTT_ECORRUPT;
	if (v.status != BTT_VALIDATOR_BONDED)
		return 0;
	for (int i = 0; i < 8; i++)
		power[i] = (uint8_t)(btt_ledger_staking_power(&v,
							      vs->power_unit) >>
				     (56 - 8 * i));
	btt_keccak256_update(&vs->h, v.operator_addr, 20);
	btt_keccak256_update(&vs->h, &v.signer_len, 1);
	btt_keccak256_update(&vs->h, v.signer, v.signer_len);
	btt_keccak256_update(&vs->h, power, 8);
	vs->n++;
	return 0;
}

int btt_ledger_exec_valset_hash(struct btt_ledger_txn *t, uint8_t out[32])
{
	static const char tag[] = BTT_EXEC_VALSET_TAG;
	struct btt_staking_params p;
	struct btt_cur c;
	struct valset vs;
	uint8_t n[4];
	int rc = btt_ledger_txn_get(t, BTT_LEDGER_DB_REC, "\x04P", 2, &c);

	if (rc)
		return rc == BTT_ENOTFOUND ? BTT_ECORRUPT : rc;
	if (btt_ledger_staking_params_decode(btt_cur_data(&c), btt_cur_len(&c),
					     &p))
		return BTT_ECORRUPT;
	memset(&vs, 0, sizeof(vs));
	vs.power_unit = p.power_unit;
	btt_keccak256_init(&vs.h);
	btt_keccak256_update(&vs.h, tag, sizeof(tag) - 1);
	if ((rc = walk(t, (const uint8_t *)"V", 1, hash_validator, &vs)))
		return rc;
	for (int i = 0; i < 4; i++)
		n[i] = (uint8_t)(vs.n >> (24 - 8 * i));
	btt_keccak256_update(&vs.h, n, 4);
	btt_keccak256_final(&vs.h, out);
	return 0;
}

static int sum_bonded(void *arg, const struct btt_cur *key,
		      const struct btt_cur *val)
{
	struct btt_validator v;

	(void)key;
	if (btt_ledger_validator_decode(btt_cur_data(val), btt_cur_len(val),
					&v))
		return BTT_ECORRUPT;
	return btt_u128_add(*(btt_u128 *)arg, v.total_bonded, arg)
		       ? 0
		       : BTT_EOVERFLOW;
}

static int sum_delegated(void *arg, const struct btt_cur *key,
			 const struct btt_cur *val)
{
	struct btt_delegation d;

	(void)key;
	if (btt_ledger_delegation_decode(btt_cur_data(val), btt_cur_len(val),
					 &d))
		return BTT_ECORRUPT;
	return btt_u128_add(*(btt_u128 *)arg, d.amount, arg) ? 0
							     : BTT_EOVERFLOW;
}

static int sum_unbonding(void *arg, const struct btt_cur *key,
			 const struct btt_cur *val)
{
	struct btt_unbonding u;

	(void)key;
	if (btt_ledger_unbonding_decode(btt_cur_data(val), btt_cur_len(val),
					&u))
		return BTT_ECORRUPT;
	return btt_u128_add(*(btt_u128 *)arg, u.amount, arg) ? 0
							     : BTT_EOVERFLOW;
}

int btt_ledger_exec_staking_sums(struct btt_ledger_txn *t, btt_u128 *bonded,
				 btt_u128 *unbonding)
{
	int rc;

	*bonded = 0;
	*unbonding = 0;
	rc = walk(t, (const uint8_t *)"V", 1, sum_bonded, bonded);
	return rc ? rc
		  : walk(t, (const uint8_t *)"U", 1, sum_unbonding, unbonding);
}

int btt_ledger_exec_staking_of(struct btt_ledger_txn *t,
			       const uint8_t addr[BTT_ADDR_LEN],
			       btt_u128 *bonded, btt_u128 *unbonding)
{
	uint8_t p[21];
	int rc;

	*bonded = 0;
	*unbonding = 0;
	memcpy(p + 1, addr, 20);
	p[0] = 'D';
	rc = walk(t, p, sizeof(p), sum_delegated, bonded);
	p[0] = 'U';
	return rc ? rc : walk(t, p, sizeof(p), sum_unbonding, unbonding);
}
