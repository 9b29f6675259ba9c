// modules: bencode core
/* Fuzzes the bencode decoder with the default and with small limits.
 *
 * Invariants checked (abort on violation): an accepted input re-encodes
 * from its tree to exactly the input; every node lies inside the input and
 * inside its parent; walking the tree with first/next visits every node
 * once; a dict's keys are found by lookup; a prefix decode agrees with a
 * full decode; a rejected input leaves no nodes and an offset within it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode_int.h"
#include "btt/err.h"
#include "core/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool is_container(const struct btt_bdoc *d, uint32_t i)
{
	return btt_bnode_type(d, i) == BTT_BLIST ||
	       btt_bnode_type(d, i) == BTT_BDICT;
}

/* Visits the whole tree with first/next and the accessors, checking that
 * each child lies inside its parent; returns the number of nodes seen.
 * Iterative, with a stack of (parent, current child). */
static uint32_t walk(const struct btt_bdoc *d)
{
	uint32_t parents[BTT_BENCODE_MAX_DEPTH + 1];
	uint32_t kids[BTT_BENCODE_MAX_DEPTH + 1];
	unsigned depth = 0;
	uint32_t seen = 1;

	parents[0] = 0;
	kids[0] = btt_bnode_first(d, 0);
	for (;;) {
		uint32_t p = parents[depth], c = kids[depth];
		const struct btt_bnode *pn = &d->nodes[p], *cn;
		struct btt_cur s;
		int64_t v;

		if (c == BTT_BNONE) {
			if (depth-- == 0)
				break;
			kids[depth] =
				btt_bnode_next(d, parents[depth], kids[depth]);
			continue;
		}
		seen++;
		cn = &d->nodes[c];
		check(c > p && cn->next > c && cn->next <= pn->next);
		check(cn->off > pn->off &&
		      cn->off + cn->span < pn->off + pn->span);
		check(btt_bnode_raw(d, c).len == cn->span);
		if (is_container(d, c) && btt_bnode_first(d, c) != BTT_BNONE) {
			check(depth < BTT_BENCODE_MAX_DEPTH);
			parents[++depth] = c;
			kids[depth] = btt_bnode_first(d, c);
			continue;
		}
		check(btt_bnode_int(d, c, &v) + btt_bnode_str(d, c, &s) +
			      is_container(d, c) ==
		      1);
		kids[depth] = btt_bnode_next(d, p, c);
	}
	return seen;
}

/* Every key of every dict is found by lookup, at the value after it. */
static void check_lookups(const struct btt_bdoc *d)
{
	for (uint32_t i = 0; i < d->n; i++) {
		uint32_t k, pairs = 0;
		struct btt_cur key;

		if (btt_bnode_type(d, i) != BTT_BDICT)
			continue;
		for (k = btt_bnode_first(d, i); k != BTT_BNONE;
		     k = btt_bnode_next(d, i, btt_bnode_next(d, i, k))) {
			check(btt_bnode_str(d, k, &key));
			check(btt_bnode_get_n(d, i, btt_cur_data(&key),
					      btt_cur_len(&key)) == k + 1);
			pairs++;
		}
		check(pairs == btt_bnode_count(d, i));
	}
}

static void check_accepted(const struct btt_bdoc *d, const uint8_t *data,
			   size_t size)
{
	struct btt_wbuf w;

	check(d->n >= 1 && d->nodes[0].off == 0 && d->nodes[0].span == size);
	check(walk(d) == d->n);
	check_lookups(d);
	btt_wbuf_init(&w, size);
	btt_benc_node(&w, d, 0);
	check(btt_wbuf_err(&w) == 0 && w.len == size);
	check(size == 0 || memcmp(w.buf, data, size) == 0);
	btt_wbuf_release(&w);
}

static void run(const uint8_t *data, size_t size,
		const struct btt_bdec_limits *lim)
{
	struct btt_bdoc doc, pre;
	size_t used = 0;
	int rc = btt_bdecode(&doc, data, size, lim);
	int prc = btt_bdecode_prefix(&pre, data, size, lim, &used);

	if (rc == 0) {
		check_accepted(&doc, data, size);
		check(prc == 0 && used == size && pre.n == doc.n);
	} else {
		check(rc < 0 && doc.err == rc && doc.nodes == NULL &&
		      doc.n == 0 && doc.err_off <= size && doc.msg[0]);
		if (rc == BTT_ETRAILING)
			check(prc == 0 && used == doc.err_off);
		else
			check(prc == rc);
	}
	if (prc == 0)
		check(used <= size && pre.nodes[0].span == used);
	btt_bdoc_release(&doc);
	btt_bdoc_release(&pre);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct btt_bdec_limits small = {.max_depth = 3,
						     .max_items = 16};

	run(data, size, NULL);
	run(data, size, &small);
	return 0;
}
