/* Multisig accounts and proposals: the rules and the record codecs
 * (multisig.h).
 *
 * Invariants kept by every function that succeeds: a definition's keys
 * and a proposal's approvals are strictly ascending by address (so a set
 * has one encoding), a proposal never holds more than
 * BTT_MULTISIG_MAX_KEYS approvals, and an executed proposal never changes
 * again. */
#include <string.h>

#include "btt/err.h"
#include "crypto/hash.h"
#include "ledger/multisig.h"

void btt_ledger_multisig_address(const void *seed, size_t n,
				 uint8_t out[BTT_ADDR_LEN])
{
	static const char tag[] = "btt/multisig/";
	struct btt_keccak256 h;
	uint8_t d[BTT_KECCAK256_LEN];

	btt_keccak256_init(&h);
	btt_keccak256_update(&h, tag, sizeof(tag) - 1);
	btt_keccak256_update(&h, seed, n);
	btt_keccak256_final(&h, d);
	memcpy(out, d + BTT_KECCAK256_LEN - BTT_ADDR_LEN, BTT_ADDR_LEN);
}

static int addr_cmp(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, BTT_ADDR_LEN);
}

void btt_ledger_multisig_sort(struct btt_multisig *m)
{
	size_t n = m->n_keys < BTT_MULTISIG_MAX_KEYS ? m->n_keys
						     : BTT_MULTISIG_MAX_KEYS;

	/* insertion sort: at most five keys */
	for (size_t i = 1; i < n; i++) {
		struct btt_multisig_key k = m->keys[i];
		size_t j = i;
		for (; j > 0 && addr_cmp(m->keys[j - 1].addr, k.addr) > 0; j--)
			m->keys[j] = m->keys[j - 1];
		m->keys[j] = k;
	}
}

int btt_ledger_multisig_check(const struct btt_multisig *m)
{
	uint64_t sum = 0;

	if (m->n_keys == 0 || m->threshold == 0)
		return BTT_EINVALID;
	if (m->n_keys > BTT_MULTISIG_MAX_KEYS)
		return BTT_ELIMIT;
	for (size_t i = 0; i < m->n_keys; i++) {
		if (m->keys[i].weight == 0)
			return BTT_EINVALID;
		sum += m->keys[i].weight;
	}
	for (size_t i = 1; i < m->n_keys; i++) {
		int c = addr_cmp(m->keys[i - 1].addr, m->keys[i].addr);
		if (c == 0)
			return BTT_EDUPLICATE;
		if (c > 0) {
			/* a duplicate anywhere is the more useful report */
			for (size_t a = 0; a < m->n_keys; a++)
				for (size_t b = a + 1; b < m->n_keys; b++)
					if (!addr_cmp(m->keys[a].addr,
						      m->keys[b].addr))
						return BTT_EDUPLICATE;
			return BTT_ENONCANONICAL;
		}
	}
	return sum < m->threshold ? BTT_EINVALID : 0;
}

uint32_t btt_ledger_multisig_weight(const struct btt_multisig *m,
				    const uint8_t addr[BTT_ADDR_LEN])
{
	for (size_t i = 0; i < m->n_keys && i < BTT_MULTISIG_MAX_KEYS; i++)
		if (!addr_cmp(m->keys[i].addr, addr))
			return m->keys[i].weight;
	return 0;
}

int btt_ledger_multisig_encode(const struct btt_multisig *m, struct btt_wbuf *w)
{
	int err = btt_ledger_multisig_check(m);

	if (err)
		return err;
	btt_wbuf_put_u8(w, BTT_MULTISIG_VERSION);
	btt_wbuf_put_u64be(w, m->threshold);
	btt_wbuf_put_u8(w, (uint8_t)m->n_keys);
	for (size_t i = 0; i < m->n_keys; i++) {
		btt_wbuf_put(w, m->keys[i].addr, BTT_ADDR_LEN);
		btt_wbuf_put_u32be(w, m->keys[i].weight);
	}
	return btt_wbuf_err(w);
}

static int get_def(struct btt_cur *c, struct btt_multisig *m)
{
	uint8_t version, n;

	if (!btt_cur_get_u8(c, &version))
		return BTT_ETRUNCATED;
	if (version != BTT_MULTISIG_VERSION)
		return BTT_EUNSUPPORTED;
	if (!btt_cur_get_u64be(c, &m->threshold) || !btt_cur_get_u8(c, &n))
		return BTT_ETRUNCATED;
	if (n > BTT_MULTISIG_MAX_KEYS)
		return BTT_ELIMIT;
	m->n_keys = n;
	for (size_t i = 0; i < n; i++)
		if (!btt_cur_copy(c, m->keys[i].addr, BTT_ADDR_LEN) ||
		    !btt_cur_get_u32be(c, &m->keys[i].weight))
			return BTT_ETRUNCATED;
	return btt_ledger_multisig_check(m);
}

int btt_ledger_multisig_get(struct btt_cur *c, struct btt_multisig *out)
{
	struct btt_cur save = *c;
	int err;

	memset(out, 0, sizeof(*out));
	err = get_def(c, out);
	if (err)
		*c = save;
	return err;
}

int btt_ledger_multisig_decode(const uint8_t *p, size_t n,
			       struct btt_multisig *out)
{
	struct btt_cur c;
	int err;

	btt_cur_init(&c, p, n);
	err = btt_ledger_multisig_get(&c, out);
	if (!err && btt_cur_len(&c))
		err = BTT_ETRAILING;
	return err;
}

void btt_ledger_multisig_proposal_id(const uint8_t account[BTT_ADDR_LEN],
				     uint64_t nonce,
				     uint8_t out[BTT_MULTISIG_ID_LEN])
{
	struct btt_keccak256 h;
	uint8_t be[8];

	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)(nonce >> (56 - 8 * i));
	btt_keccak256_init(&h);
	btt_keccak256_update(&h, BTT_MULTISIG_ID_TAG,
			     sizeof(BTT_MULTISIG_ID_TAG) - 1);
	btt_keccak256_update(&h, account, BTT_ADDR_LEN);
	btt_keccak256_update(&h, be, sizeof(be));
	btt_keccak256_final(&h, out);
}

int btt_ledger_multisig_propose(const struct btt_multisig *m,
				struct btt_multisig_proposal *p,
				const uint8_t proposer[BTT_ADDR_LEN],
				uint64_t height)
{
	int err = btt_ledger_multisig_check(m);

	if (err)
		return err;
	if (btt_ledger_multisig_weight(m, proposer) == 0)
		return BTT_EDENIED;
	if (p->expiry_height < height)
		return BTT_EEXPIRED;
	if (p->action_len > BTT_MULTISIG_MAX_ACTION)
		return BTT_ELIMIT;
	p->created_height = height;
	p->status = BTT_MULTISIG_OPEN;
	p->n_approvals = 1;
	memcpy(p->approvals[0], proposer, BTT_ADDR_LEN);
	return 0;
}

/* Checks that p may still change at `height`. */
static int check_open(const struct btt_multisig_proposal *p, uint64_t height)
{
	if (p->status != BTT_MULTISIG_OPEN)
		return BTT_ESTATE;
	if (height > p->expiry_height)
		return BTT_EEXPIRED;
	return 0;
}

int btt_ledger_multisig_approve(const struct btt_multisig *m,
				struct btt_multisig_proposal *p,
				const uint8_t signer[BTT_ADDR_LEN],
				uint64_t height)
{
	size_t n = 0, at;
	int err = check_open(p, height);

	if (err)
		return err;
	if (btt_ledger_multisig_weight(m, signer) == 0)
		return BTT_EDENIED;
	for (size_t i = 0; i < p->n_approvals && i < BTT_MULTISIG_MAX_KEYS; i++)
		if (!addr_cmp(p->approvals[i], signer))
			return BTT_EDUPLICATE;
	/* keep the approvals of current members only, then insert in order;
	 * members are at most BTT_MULTISIG_MAX_KEYS, signer among them */
	for (size_t i = 0; i < p->n_approvals && i < BTT_MULTISIG_MAX_KEYS; i++)
		if (btt_ledger_multisig_weight(m, p->approvals[i]))
			memmove(p->approvals[n++], p->approvals[i],
				BTT_ADDR_LEN);
	for (at = n; at > 0 && addr_cmp(p->approvals[at - 1], signer) > 0; at--)
		memcpy(p->approvals[at], p->approvals[at - 1], BTT_ADDR_LEN);
	memcpy(p->approvals[at], signer, BTT_ADDR_LEN);
	p->n_approvals = n + 1;
	return 0;
}

uint64_t
btt_ledger_multisig_approved_weight(const struct btt_multisig *m,
				    const struct btt_multisig_proposal *p)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < p->n_approvals && i < BTT_MULTISIG_MAX_KEYS; i++)
		sum += btt_ledger_multisig_weight(m, p->approvals[i]);
	return sum;
}

bool btt_ledger_multisig_ready(const struct btt_multisig *m,
			       const struct btt_multisig_proposal *p)
{
	return p->status == BTT_MULTISIG_OPEN && m->threshold > 0 &&
	       btt_ledger_multisig_approved_weight(m, p) >= m->threshold;
}

int btt_ledger_multisig_execute(const struct btt_multisig *m,
				struct btt_multisig_proposal *p,
				uint64_t height)
{
	int err = check_open(p, height);

	if (err)
		return err;
	if (!btt_ledger_multisig_ready(m, p))
		return BTT_EDENIED;
	p->status = BTT_MULTISIG_EXECUTED;
	return 0;
}

static int proposal_check(const struct btt_multisig_proposal *p)
{
	if (p->n_approvals > BTT_MULTISIG_MAX_KEYS ||
	    p->action_len > BTT_MULTISIG_MAX_ACTION)
		return BTT_ELIMIT;
	if ((p->status != BTT_MULTISIG_OPEN &&
	     p->status != BTT_MULTISIG_EXECUTED) ||
	    p->n_approvals == 0 || p->created_height > p->expiry_height ||
	    (p->action_len && !p->action))
		return BTT_EINVALID;
	for (size_t i = 1; i < p->n_approvals; i++)
		if (addr_cmp(p->approvals[i - 1], p->approvals[i]) >= 0)
			return BTT_EINVALID;
	return 0;
}

int btt_ledger_multisig_proposal_encode(const struct btt_multisig_proposal *p,
					struct btt_wbuf *w)
{
	int err = proposal_check(p);

	if (err)
		return err;
	btt_wbuf_put_u8(w, BTT_MULTISIG_VERSION);
	btt_wbuf_put(w, p->account, BTT_ADDR_LEN);
	btt_wbuf_put_u64be(w, p->nonce);
	btt_wbuf_put_u64be(w, p->created_height);
	btt_wbuf_put_u64be(w, p->expiry_height);
	btt_wbuf_put_u8(w, p->status);
	btt_wbuf_put_u8(w, (uint8_t)p->n_approvals);
	for (size_t i = 0; i < p->n_approvals; i++)
		btt_wbuf_put(w, p->approvals[i], BTT_ADDR_LEN);
	btt_wbuf_put_u16be(w, p->action_type);
	btt_wbuf_put_u32be(w, (uint32_t)p->action_len);
	btt_wbuf_put(w, p->action, p->action_len);
	return btt_wbuf_err(w);
}

static int get_proposal(struct btt_cur *c, struct btt_multisig_proposal *p)
{
	uint8_t version, n;
	uint32_t len;

	if (!btt_cur_get_u8(c, &version))
		return BTT_ETRUNCATED;
	if (version != BTT_MULTISIG_VERSION)
		return BTT_EUNSUPPORTED;
	if (!btt_cur_copy(c, p->account, BTT_ADDR_LEN) ||
	    !btt_cur_get_u64be(c, &p->nonce) ||
	    !btt_cur_get_u64be(c, &p->created_height) ||
	    !btt_cur_get_u64be(c, &p->expiry_height) ||
	    !btt_cur_get_u8(c, &p->status) || !btt_cur_get_u8(c, &n))
		return BTT_ETRUNCATED;
	if (n > BTT_MULTISIG_MAX_KEYS)
		return BTT_ELIMIT;
	p->n_approvals = n;
	for (size_t i = 0; i < n; i++)
		if (!btt_cur_copy(c, p->approvals[i], BTT_ADDR_LEN))
			return BTT_ETRUNCATED;
	if (!btt_cur_get_u16be(c, &p->action_type) ||
	    !btt_cur_get_u32be(c, &len))
		return BTT_ETRUNCATED;
	if (len > BTT_MULTISIG_MAX_ACTION)
		return BTT_ELIMIT;
	if (btt_cur_len(c) < len)
		return BTT_ETRUNCATED;
	p->action = len ? btt_cur_data(c) : NULL;
	p->action_len = len;
	btt_cur_skip(c, len);
	if (btt_cur_len(c))
		return BTT_ETRAILING;
	return proposal_check(p);
}

int btt_ledger_multisig_proposal_decode(const uint8_t *p, size_t n,
					struct btt_multisig_proposal *out)
{
	struct btt_cur c;

	memset(out, 0, sizeof(*out));
	btt_cur_init(&c, p, n);
	return get_proposal(&c, out);
}
