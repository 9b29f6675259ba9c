/* The multisig module in execution: MSIG_CREATE, MSIG_PROPOSE,
 * MSIG_APPROVE and MSIG_EXECUTE over the records of namespace 0x03
 * (exec_int.h), with the pure rules of multisig.h. An execution marks the
 * proposal executed and runs its bank action as the multisig account in
 * the same operation: if the action fails (coins still vesting, not
 * enough funds) the executor undoes both, so the proposal stays open
 * and can be executed later, until it expires. */
#include <string.h>

#include "btt/err.h"
#include "ledger/exec_int.h"

#define NS BTT_MODULE_MULTISIG

static void rec_key(uint8_t tag, const uint8_t *id, size_t n, uint8_t *out)
{
	out[0] = tag;
	memcpy(out + 1, id, n);
}

int btt_ledger_exec_msig_def_put(struct btt_ledger_state *st,
				 const uint8_t account[BTT_ADDR_LEN],
				 const struct btt_multisig *m)
{
	uint8_t key[1 + BTT_ADDR_LEN], buf[BTT_MULTISIG_MAX_LEN];
	struct btt_wbuf w;
	int rc;

	btt_wbuf_init_fixed(&w, buf, sizeof(buf));
	if ((rc = btt_ledger_multisig_encode(m, &w)) != 0)
		return rc;
	rec_key('A', account, BTT_ADDR_LEN, key);
	return btt_ledger_state_rec_put(st, NS, key, sizeof(key), buf, w.len);
}

/* The definition of account; BTT_ENOTFOUND when it is not a multisig. */
static int def_get(struct btt_ledger_state *st, const uint8_t account[20],
		   struct btt_multisig *out)
{
	uint8_t key[1 + BTT_ADDR_LEN];
	struct btt_cur c;
	int rc;

	rec_key('A', account, BTT_ADDR_LEN, key);
	rc = btt_ledger_state_rec_get(st, NS, key, sizeof(key), &c);
	if (rc)
		return rc;
	if (btt_ledger_multisig_decode(btt_cur_data(&c), btt_cur_len(&c), out))
		return BTT_ECORRUPT;
	return 0;
}

/* The proposal record's bytes are copied into buf so that the decoded
 * action (a view) survives later writes to the state. */
static int prop_get(struct btt_ledger_state *st, const uint8_t id[32],
		    uint8_t *buf, struct btt_multisig_proposal *out)
{
	uint8_t key[1 + BTT_MULTISIG_ID_LEN];
	struct btt_cur c;
	int rc;

	rec_key('P', id, BTT_MULTISIG_ID_LEN, key);
	rc = btt_ledger_state_rec_get(st, NS, key, sizeof(key), &c);
	if (rc)
		return rc;
	if (btt_cur_len(&c) > BTT_MULTISIG_PROPOSAL_MAX_LEN)
		return BTT_ECORRUPT;
	memcpy(buf, btt_cur_data(&c), btt_cur_len(&c));
	if (btt_ledger_multisig_proposal_decode(buf, btt_cur_len(&c), out))
		return BTT_ECORRUPT;
	return 0;
}

static int prop_put(struct btt_ledger_state *st, const uint8_t id[32],
		    const struct btt_multisig_proposal *p)
{
	uint8_t key[1 + BTT_MULTISIG_ID_LEN];
	struct btt_wbuf w;
	int rc;

	btt_wbuf_init(&w, BTT_MULTISIG_PROPOSAL_MAX_LEN);
	rc = btt_ledger_multisig_proposal_encode(p, &w);
	rec_key('P', id, BTT_MULTISIG_ID_LEN, key);
	if (!rc)
		rc = btt_ledger_state_rec_put(st, NS, key, sizeof(key), w.buf,
					      w.len);
	btt_wbuf_release(&w);
	return rc;
}

int btt_ledger_exec_msig_create(struct btt_ledger_exec *x,
				const struct btt_tx *tx)
{
	struct btt_ledger_account a;
	struct btt_multisig m, old;
	uint8_t addr[BTT_ADDR_LEN];
	int rc = btt_ledger_multisig_decode(tx->payload, tx->payload_len, &m);

	if (rc)
		return rc;
	btt_ledger_msig_create_address(tx->from, tx->nonce, addr);
	if ((rc = btt_ledger_exec_touch(x, addr)) != 0)
		return rc;
	rc = def_get(x->st, addr, &old);
	if (rc != BTT_ENOTFOUND)
		return rc ? rc : BTT_EDUPLICATE;
	if ((rc = btt_ledger_state_account_get(x->st, addr, &a)) != 0)
		return rc;
	a.flags |= BTT_ACCT_MULTISIG;
	if ((rc = btt_ledger_state_account_put(x->st, addr, &a)) != 0)
		return rc;
	if ((rc = btt_ledger_exec_msig_def_put(x->st, addr, &m)) != 0)
		return rc;
	memcpy(x->rcpt->events, addr, BTT_ADDR_LEN);
	x->rcpt->events_len = BTT_ADDR_LEN;
	return 0;
}

int btt_ledger_exec_msig_propose(struct btt_ledger_exec *x,
				 const struct btt_tx *tx)
{
	struct btt_tx_msig_propose t;
	struct btt_multisig_proposal p;
	struct btt_multisig m;
	uint8_t key[1 + BTT_ADDR_LEN], id[32], nb[8];
	struct btt_cur c;
	uint64_t nonce = 0;
	int rc = btt_ledger_msig_propose_decode(tx->payload, tx->payload_len,
						&t);

	if (rc)
		return rc;
	if ((rc = btt_ledger_exec_touch(x, t.account)) != 0 ||
	    (rc = def_get(x->st, t.account, &m)) != 0)
		return rc;
	rec_key('N', t.account, BTT_ADDR_LEN, key);
	rc = btt_ledger_state_rec_get(x->st, NS, key, sizeof(key), &c);
	if (rc && rc != BTT_ENOTFOUND)
		return rc;
	if (!rc && !btt_cur_get_u64be(&c, &nonce))
		return BTT_ECORRUPT;
	memset(&p, 0, sizeof(p));
	memcpy(p.account, t.account, BTT_ADDR_LEN);
	p.nonce = nonce;
	p.expiry_height = t.expiry_height;
	p.action_type = t.action_type;
	p.action = t.action;
	p.action_len = t.action_len;
	rc = btt_ledger_multisig_propose(&m, &p, tx->from, x->height);
	if (rc)
		return rc;
	if (nonce == UINT64_MAX)
		return BTT_EOVERFLOW;
	btt_ledger_multisig_proposal_id(t.account, nonce, id);
	for (int i = 0; i < 8; i++)
		nb[i] = (uint8_t)((nonce + 1) >> (56 - 8 * i));
	if ((rc = prop_put(x->st, id, &p)) != 0 ||
	    (rc = btt_ledger_state_rec_put(x->st, NS, key, sizeof(key), nb, 8)))
		return rc;
	memcpy(x->rcpt->events, id, 32);
	x->rcpt->events_len = 32;
	return 0;
}

/* Loads the proposal named by the payload and its account's definition. */
static int load(struct btt_ledger_exec *x, const struct btt_tx *tx,
		uint8_t id[32], uint8_t *buf, struct btt_multisig_proposal *p,
		struct btt_multisig *m)
{
	int rc = btt_ledger_msig_id_decode(tx->payload, tx->payload_len, id);

	if (!rc)
		rc = prop_get(x->st, id, buf, p);
	if (!rc)
		rc = btt_ledger_exec_touch(x, p->account);
	if (!rc)
		rc = def_get(x->st, p->account, m);
	return rc;
}

int btt_ledger_exec_msig_approve(struct btt_ledger_exec *x,
				 const struct btt_tx *tx)
{
	uint8_t buf[BTT_MULTISIG_PROPOSAL_MAX_LEN];
	struct btt_multisig_proposal p;
	struct btt_multisig m;
	uint8_t id[32];
	int rc = load(x, tx, id, buf, &p, &m);

	if (!rc)
		rc = btt_ledger_multisig_approve(&m, &p, tx->from, x->height);
	if (!rc)
		rc = prop_put(x->st, id, &p);
	return rc;
}

int btt_ledger_exec_msig_execute(struct btt_ledger_exec *x,
				 const struct btt_tx *tx)
{
	uint8_t buf[BTT_MULTISIG_PROPOSAL_MAX_LEN];
	struct btt_multisig_proposal p;
	struct btt_multisig m;
	uint8_t id[32];
	int rc = load(x, tx, id, buf, &p, &m);

	if (!rc)
		rc = btt_ledger_multisig_execute(&m, &p, x->height);
	if (!rc)
		rc = prop_put(x->st, id, &p);
	if (!rc)
		rc = btt_ledger_exec_bank_action(x, p.account, p.action_type,
						 p.action, p.action_len);
	return rc;
}
