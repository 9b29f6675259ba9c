/* bencode accessors: walking, counting, typed values and sorted lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bencode/bencode_int.h"
#include "btt/err.h"
#include "core/limits.h"

#define S(lit) lit, sizeof(lit) - 1

static void test_node_walk_list_and_dict(void **state)
{
	static const char in[] = "d1:ali1e2:xyle0:e1:bi-5ee";
	struct btt_bdoc doc;
	uint32_t a, list, c;
	struct btt_cur s;
	int64_t v;
	(void)state;

	assert_int_equal(btt_bdecode(&doc, S(in), NULL), 0);
	assert_int_equal(btt_bnode_type(&doc, 0), BTT_BDICT);
	/* dict children alternate key, value */
	a = btt_bnode_first(&doc, 0);
	assert_int_equal(a, 1);
	assert_true(btt_bnode_str(&doc, a, &s) && btt_cur_eq_str(&s, "a"));
	list = btt_bnode_next(&doc, 0, a);
	assert_int_equal(btt_bnode_type(&doc, list), BTT_BLIST);
	c = btt_bnode_next(&doc, 0, list);
	assert_true(btt_bnode_str(&doc, c, &s) && btt_cur_eq_str(&s, "b"));
	c = btt_bnode_next(&doc, 0, c);
	assert_true(btt_bnode_int(&doc, c, &v) && v == -5);
	assert_int_equal(btt_bnode_next(&doc, 0, c), BTT_BNONE);
	/* list children, including an empty list and an empty string */
	c = btt_bnode_first(&doc, list);
	assert_true(btt_bnode_int(&doc, c, &v) && v == 1);
	c = btt_bnode_next(&doc, list, c);
	assert_true(btt_bnode_str(&doc, c, &s) && btt_cur_eq_str(&s, "xy"));
	c = btt_bnode_next(&doc, list, c);
	assert_int_equal(btt_bnode_type(&doc, c), BTT_BLIST);
	assert_int_equal(btt_bnode_first(&doc, c), BTT_BNONE);
	assert_int_equal(btt_bnode_count(&doc, c), 0);
	c = btt_bnode_next(&doc, list, c);
	assert_true(btt_bnode_str(&doc, c, &s) && btt_cur_len(&s) == 0);
	assert_int_equal(btt_bnode_next(&doc, list, c), BTT_BNONE);
	/* counts: pairs for a dict, elements for a list, 0 for scalars */
	assert_int_equal(btt_bnode_count(&doc, 0), 2);
	assert_int_equal(btt_bnode_count(&doc, list), 4);
	assert_int_equal(btt_bnode_count(&doc, a), 0);
	assert_int_equal(btt_bnode_first(&doc, a), BTT_BNONE);
	btt_bdoc_release(&doc);
}

static void test_node_typed_values(void **state)
{
	struct btt_bdoc doc;
	struct btt_cur s;
	int64_t v = 42;
	(void)state;

	assert_int_equal(btt_bdecode(&doc, S("l3:a\0bi-0000001ee"), NULL),
			 BTT_ENONCANONICAL);
	assert_int_equal(btt_bdecode(&doc, S("l3:a\0bi-1000001ee"), NULL), 0);
	assert_true(btt_bnode_str(&doc, 1, &s));
	assert_int_equal(btt_cur_len(&s), 3);
	assert_memory_equal(btt_cur_data(&s), "a\0b", 3);
	assert_false(btt_bnode_int(&doc, 1, &v));
	assert_int_equal(v, 42);
	assert_true(btt_bnode_int(&doc, 2, &v));
	assert_true(v == -1000001);
	assert_false(btt_bnode_str(&doc, 2, &s));
	assert_false(btt_bnode_str(&doc, 0, &s));
	assert_false(btt_bnode_int(&doc, 0, &v));
	btt_bdoc_release(&doc);
}

static void test_node_get_sorted_keys(void **state)
{
	static const char in[] = "d0:i0e1:ai1e2:aai2e1:bi3e2:b\0i4e1:di5ee";
	struct btt_bdoc doc;
	int64_t v;
	(void)state;

	assert_int_equal(btt_bdecode(&doc, S(in), NULL), 0);
	assert_int_equal(btt_bnode_count(&doc, 0), 6);
	assert_true(btt_bnode_get_int(&doc, 0, "", &v) && v == 0);
	assert_true(btt_bnode_get_int(&doc, 0, "a", &v) && v == 1);
	assert_true(btt_bnode_get_int(&doc, 0, "aa", &v) && v == 2);
	assert_true(btt_bnode_get_int(&doc, 0, "b", &v) && v == 3);
	assert_true(btt_bnode_get_int(&doc, 0, "d", &v) && v == 5);
	/* a key with a NUL needs the explicit length */
	assert_int_equal(btt_bnode_get_n(&doc, 0, "b\0", 2), 10);
	assert_int_equal(btt_bnode_get_n(&doc, 0, "b", 1), 8);
	/* absent: before the first, between keys, prefixes, after the last */
	assert_int_equal(btt_bnode_get(&doc, 0, "A"), BTT_BNONE);
	assert_int_equal(btt_bnode_get(&doc, 0, "ab"), BTT_BNONE);
	assert_int_equal(btt_bnode_get(&doc, 0, "aaa"), BTT_BNONE);
	assert_int_equal(btt_bnode_get(&doc, 0, "c"), BTT_BNONE);
	assert_int_equal(btt_bnode_get(&doc, 0, "dd"), BTT_BNONE);
	assert_int_equal(btt_bnode_get(&doc, 0, "z"), BTT_BNONE);
	assert_int_equal(btt_bnode_get_n(&doc, 0, "\xff", 1), BTT_BNONE);
	/* a value is never mistaken for a key */
	assert_int_equal(btt_bnode_get(&doc, 0, "i1e"), BTT_BNONE);
	btt_bdoc_release(&doc);
}

static void test_node_get_typed_and_nested(void **state)
{
	static const char in[] = "d4:infod4:name3:dir6:lengthi7ee"
				 "4:listli1ee3:numi9e3:str2:hie";
	struct btt_bdoc doc;
	struct btt_cur s;
	int64_t v = 0;
	uint32_t info;
	(void)state;

	assert_int_equal(btt_bdecode(&doc, S(in), NULL),
			 BTT_ENONCANONICAL); /* "name" before "length" */
	assert_int_equal(btt_bdecode(&doc,
				     S("d4:infod6:lengthi7e4:name3:dire"
				       "4:listli1ee3:numi9e3:str2:hie"),
				     NULL),
			 0);
	info = btt_bnode_get(&doc, 0, "info");
	assert_int_equal(btt_bnode_type(&doc, info), BTT_BDICT);
	assert_true(btt_bnode_get_str(&doc, info, "name", &s));
	assert_true(btt_cur_eq_str(&s, "dir"));
	assert_true(btt_bnode_get_int(&doc, info, "length", &v) && v == 7);
	/* wrong type or absent */
	assert_false(btt_bnode_get_int(&doc, 0, "str", &v));
	assert_false(btt_bnode_get_str(&doc, 0, "num", &s));
	assert_false(btt_bnode_get_str(&doc, 0, "list", &s));
	assert_false(btt_bnode_get_int(&doc, 0, "nope", &v));
	assert_false(btt_bnode_get_str(&doc, 0, "nope", &s));
	assert_true(btt_bnode_get_int(&doc, 0, "num", &v) && v == 9);
	/* get on a non-dict finds nothing */
	assert_int_equal(
		btt_bnode_get(&doc, btt_bnode_get(&doc, 0, "list"), "i1e"),
		BTT_BNONE);
	assert_int_equal(
		btt_bnode_get(&doc, btt_bnode_get(&doc, 0, "num"), "x"),
		BTT_BNONE);
	/* nested keys are not visible from the outer dict */
	assert_int_equal(btt_bnode_get(&doc, 0, "name"), BTT_BNONE);
	btt_bdoc_release(&doc);
}

/* Every node's raw span is the substring at its offset, and scalars at
 * the top level work too. */
static void test_node_raw_spans(void **state)
{
	static const char in[] = "ld1:kl0:i-3eee4:spame";
	static const char *const sub[] = {
		"ld1:kl0:i-3eee4:spame",
		"d1:kl0:i-3eee",
		"1:k",
		"l0:i-3ee",
		"0:",
		"i-3e",
		"4:spam",
	};
	struct btt_bdoc doc;
	(void)state;

	assert_int_equal(btt_bdecode(&doc, S(in), NULL), 0);
	assert_int_equal(doc.n, 7);
	for (uint32_t i = 0; i < doc.n; i++) {
		struct btt_cur r = btt_bnode_raw(&doc, i);
		assert_true(btt_cur_eq_str(&r, sub[i]));
		assert_ptr_equal(btt_cur_data(&r), in + doc.nodes[i].off);
	}
	btt_bdoc_release(&doc);

	assert_int_equal(btt_bdecode(&doc, S("i77e"), NULL), 0);
	assert_int_equal(doc.n, 1);
	assert_int_equal(btt_bnode_first(&doc, 0), BTT_BNONE);
	assert_int_equal(btt_bnode_count(&doc, 0), 0);
	assert_int_equal(btt_bnode_get(&doc, 0, "x"), BTT_BNONE);
	btt_bdoc_release(&doc);
}

static void test_node_default_limits(void **state)
{
	(void)state;
	assert_int_equal(btt_bdec_default_limits.max_depth,
			 BTT_BENCODE_MAX_DEPTH);
	assert_int_equal(btt_bdec_default_limits.max_items,
			 BTT_BENCODE_MAX_ITEMS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_walk_list_and_dict),
		cmocka_unit_test(test_node_typed_values),
		cmocka_unit_test(test_node_get_sorted_keys),
		cmocka_unit_test(test_node_get_typed_and_nested),
		cmocka_unit_test(test_node_raw_spans),
		cmocka_unit_test(test_node_default_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
