/* Choker (see choker.h). Each round ranks the candidates for regular slots
 * with one sort of small records whose keys read "higher is better",
 * keeps or redraws the optimistic unchokes, and reports the difference
 * with the peers' current state. The scratch arrays grow to the largest
 * peer count seen and are reused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/choker.h"
#include "btt/err.h"
#include "core/rand.h"

enum { DECIDE_CHOKE = 0, DECIDE_REGULAR, DECIDE_OPTIMISTIC };

struct btt_choker_rec {
	uint64_t k[4]; /* compared in order, descending */
	uint32_t idx;  /* into the peers array */
};

void btt_choker_config_default(struct btt_choker_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->regular_slots = 4;
	cfg->optimistic_slots = 1;
	cfg->max_slots = 64;
	cfg->optimistic_rounds = 3;
	cfg->new_peer_ms = 60000;
	cfg->seed_turn_ms = 60000;
}

int btt_choker_init(struct btt_choker *c, const struct btt_choker_config *cfg)
{
	memset(c, 0, sizeof(*c));
	if (!cfg) {
		btt_choker_config_default(&c->cfg);
		return 0;
	}
	if (cfg->optimistic_slots > BTT_CHOKER_MAX_OPTIMISTIC ||
	    cfg->max_slots == 0 || cfg->optimistic_rounds == 0)
		return BTT_EINVALID;
	c->cfg = *cfg;
	return 0;
}

void btt_choker_release(struct btt_choker *c)
{
	free(c->recs);
	free(c->decide);
	memset(c, 0, sizeof(*c));
}

static uint64_t isqrt(uint64_t v)
{
	uint64_t r = 0;

	for (uint64_t bit = 1ull << 62; bit; bit >>= 2) {
		if (v >= r + bit) {
			v -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

uint32_t btt_choker_slots(const struct btt_choker_config *cfg)
{
	uint64_t kib = cfg->up_limit / 1024, s;

	if (cfg->up_limit == 0)
		s = cfg->regular_slots;
	else if (kib < 9)
		s = 2;
	else if (kib < 15)
		s = 3;
	else if (kib < 42)
		s = 4;
	else
		s = isqrt(kib * 6 / 10);
	return s < cfg->max_slots ? (uint32_t)s : cfg->max_slots;
}

bool btt_choker_is_optimistic(const struct btt_choker *c, uint32_t id)
{
	for (uint32_t j = 0; j < c->noptimistic; j++) {
		if (c->optimistic[j] == id)
			return true;
	}
	return false;
}

static int reserve(struct btt_choker *c, size_t n)
{
	struct btt_choker_rec *r;
	uint8_t *d;

	if (n <= c->cap)
		return 0;
	r = realloc(c->recs, n * sizeof(*r));
	if (!r)
		return -ENOMEM;
	c->recs = r;
	d = realloc(c->decide, n);
	if (!d)
		return -ENOMEM;
	c->decide = d;
	c->cap = n;
	return 0;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct btt_choker_rec *x = a, *y = b;

	for (int j = 0; j < 4; j++) {
		if (x->k[j] != y->k[j])
			return x->k[j] < y->k[j] ? 1 : -1;
	}
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Candidates for regular slots, best first; returns how many. */
static size_t rank_regular(struct btt_choker *c, uint64_t now, bool seeding,
			   const struct btt_choker_peer *peers, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		const struct btt_choker_peer *p = &peers[i];
		struct btt_choker_rec *r;
		if (!p->interested || p->is_seed || (!seeding && p->snubbed))
			continue;
		r = &c->recs[m++];
		r->idx = (uint32_t)i;
		r->k[3] = btt_rand_u32(); /* equal peers: random order */
		if (!seeding) {
			r->k[0] = p->down_rate;
			r->k[1] = p->unchoked; /* stability on ties */
			r->k[2] = p->up_rate;
		} else if (p->unchoked && now >= p->unchoked_at &&
			   now - p->unchoked_at < c->cfg.seed_turn_ms) {
			r->k[0] = 1; /* its turn is not over */
			r->k[1] = p->up_rate;
			r->k[2] = 0;
		} else {
			r->k[0] = 0;
			r->k[1] = UINT64_MAX - p->unchoked_at; /* waited most */
			r->k[2] = p->up_rate;
		}
	}
	qsort(c->recs, m, sizeof(*c->recs), cmp_rec);
	return m;
}

static bool listed(const uint32_t *ids, uint32_t n, uint32_t id)
{
	for (uint32_t j = 0; j < n; j++) {
		if (ids[j] == id)
			return true;
	}
	return false;
}

static uint64_t weight(const struct btt_choker *c,
		       const struct btt_choker_peer *p, uint64_t now)
{
	bool fresh = now >= p->connected_at &&
		     now - p->connected_at < c->cfg.new_peer_ms;

	return fresh ? 3 : 1;
}

/* Draws one optimistic unchoke among choked interested peers, avoiding
 * `prev` unless nobody else qualifies. False when nobody qualifies. */
static bool draw_optimistic(struct btt_choker *c, uint64_t now,
			    const struct btt_choker_peer *peers, size_t n,
			    const uint32_t *prev, uint32_t nprev)
{
	uint64_t total[2] = {0, 0}, r;
	int avoid;

	for (size_t i = 0; i < n; i++) {
		const struct btt_choker_peer *p = &peers[i];
		if (!p->interested || p->is_seed || c->decide[i])
			continue;
		total[1] += weight(c, p, now);
		if (!listed(prev, nprev, p->id))
			total[0] += weight(c, p, now);
	}
	avoid = total[0] > 0;
	if (total[!avoid] == 0)
		return false;
	r = btt_rand_uniform(total[!avoid]);
	for (size_t i = 0; i < n; i++) {
		const struct btt_choker_peer *p = &peers[i];
		uint64_t w;
		if (!p->interested || p->is_seed || c->decide[i] ||
		    (avoid && listed(prev, nprev, p->id)))
			continue;
		w = weight(c, p, now);
		if (r < w) {
			c->decide[i] = DECIDE_OPTIMISTIC;
			c->optimistic[c->noptimistic++] = p->id;
			return true;
		}
		r -= w;
	}
	return false;
}

/* Keeps the optimistic unchokes that still qualify (unless rotating),
 * then fills the free optimistic slots. */
static void choose_optimistic(struct btt_choker *c, uint64_t now, bool rotate,
			      const struct btt_choker_peer *peers, size_t n)
{
	uint32_t prev[BTT_CHOKER_MAX_OPTIMISTIC], nprev = c->noptimistic;

	memcpy(prev, c->optimistic, sizeof(prev));
	c->noptimistic = 0;
	for (size_t i = 0; !rotate && i < n; i++) {
		const struct btt_choker_peer *p = &peers[i];
		if (listed(prev, nprev, p->id) && p->interested &&
		    !p->is_seed && c->decide[i] == DECIDE_CHOKE &&
		    c->noptimistic < c->cfg.optimistic_slots) {
			c->decide[i] = DECIDE_OPTIMISTIC;
			c->optimistic[c->noptimistic++] = p->id;
		}
	}
	while (c->noptimistic < c->cfg.optimistic_slots &&
	       draw_optimistic(c, now, peers, n, prev, nprev))
		;
}

int btt_choker_run(struct btt_choker *c, uint64_t now, bool seeding,
		   const struct btt_choker_peer *peers, size_t n,
		   struct btt_choker_change *out, size_t *out_n)
{
	size_t m, k = 0;
	uint32_t slots = btt_choker_slots(&c->cfg);
	bool rotate;

	*out_n = 0;
	if (n == 0) { /* nobody to keep as optimistic either */
		c->noptimistic = 0;
		c->round++;
		return 0;
	}
	if (reserve(c, n))
		return -ENOMEM;
	rotate = c->round % c->cfg.optimistic_rounds == 0;
	c->round++;
	memset(c->decide, DECIDE_CHOKE, n);
	m = rank_regular(c, now, seeding, peers, n);
	for (size_t j = 0; j < m && j < slots; j++)
		c->decide[c->recs[j].idx] = DECIDE_REGULAR;
	choose_optimistic(c, now, rotate, peers, n);
	for (size_t i = 0; i < n; i++) {
		bool unchoke = c->decide[i] != DECIDE_CHOKE;
		if (unchoke == peers[i].unchoked)
			continue;
		out[k].id = peers[i].id;
		out[k].unchoke = unchoke;
		out[k].optimistic = c->decide[i] == DECIDE_OPTIMISTIC;
		k++;
	}
	*out_n = k;
	return 0;
}
