/* struct btt_addr: parsing IP literals and host:port text (port limit at
 * max-1, max and max+1, literal length at its limit), printing, the
 * IPv4-mapped normalisation, ordering, and the sockaddr round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "btt/err.h"
#include "io/addr.h"
#include "io/io_int.h"

static int parse(const char *s, struct btt_addr *out)
{
	return btt_io_addr_parse(s, strlen(s), out);
}

static const char *show(const struct btt_addr *a)
{
	static char buf[BTT_ADDR_STRLEN];

	return btt_io_addr_to_str(a, buf, sizeof(buf));
}

static void test_addr_layout_is_compact(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct btt_addr), 20);
}

static void test_addr_parse_and_print(void **state)
{
	struct btt_addr a;
	char ip[BTT_ADDR_STRLEN];

	(void)state;
	assert_int_equal(parse("127.0.0.1:6881", &a), 0);
	assert_int_equal(a.family, BTT_AF_INET);
	assert_int_equal(a.port, 6881);
	assert_string_equal(show(&a), "127.0.0.1:6881");
	assert_string_equal(btt_io_addr_ip_to_str(&a, ip, sizeof(ip)),
			    "127.0.0.1");
	assert_true(btt_io_addr_is_loopback(&a));
	assert_int_equal(parse("[2001:db8::1]:443", &a), 0);
	assert_int_equal(a.family, BTT_AF_INET6);
	assert_int_equal(a.port, 443);
	assert_string_equal(show(&a), "[2001:db8::1]:443");
	assert_false(btt_io_addr_is_loopback(&a));
	assert_int_equal(parse("[::1]:0", &a), 0);
	assert_true(btt_io_addr_is_loopback(&a));
	assert_string_equal(show(&a), "[::1]:0");
}

static void test_addr_port_limit(void **state)
{
	struct btt_addr a;

	(void)state;
	assert_int_equal(parse("1.2.3.4:65534", &a), 0);
	assert_int_equal(a.port, 65534);
	assert_int_equal(parse("1.2.3.4:65535", &a), 0);
	assert_int_equal(a.port, 65535);
	assert_int_equal(parse("1.2.3.4:65536", &a), BTT_EMALFORMED);
	assert_int_equal(a.family, BTT_AF_NONE); /* zeroed on failure */
}

static void test_addr_literal_length_limit(void **state)
{
	/* 45 characters: the longest IPv6 text there is. */
	static const char longest[] =
		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
	static const char shorter[] =
		"fff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
	static const char longer[] =
		"0ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
	struct btt_addr a;

	(void)state;
	assert_int_equal(strlen(longest), 45);
	assert_int_equal(btt_io_addr_parse_ip(shorter, 44, 1, &a), 0);
	assert_int_equal(btt_io_addr_parse_ip(longest, 45, 1, &a), 0);
	assert_int_equal(a.family, BTT_AF_INET6);
	assert_int_equal(btt_io_addr_parse_ip(longer, 46, 1, &a),
			 BTT_EMALFORMED);
}

static void test_addr_rejects_malformed(void **state)
{
	static const char *bad[] = {
		"",
		":",
		"1.2.3.4",
		"1.2.3.4:",
		"1.2.3.4:x",
		"1.2.3.4:080",
		"1.2.3.4:1 ",
		"1.2.3:80",
		"01.2.3.4:80",
		"256.1.1.1:80",
		"::1:80",
		"[::1]",
		"[::1]80",
		"[::1:80",
		"[1.2.3.4]:80",
		"[fe80::1%eth0]:80",
		"host.example:80",
		"1.2.3.4:-1",
	};
	struct btt_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &a) != BTT_EMALFORMED)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	/* An embedded NUL is never part of a literal. */
	assert_int_equal(btt_io_addr_parse_ip("1.2.3.4\0", 8, 1, &a),
			 BTT_EMALFORMED);
	assert_int_equal(btt_io_addr_parse_ip("", 0, 1, &a), BTT_EMALFORMED);
}

static void test_addr_v4_mapped_becomes_v4(void **state)
{
	struct btt_addr a, b;
	uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 7};

	(void)state;
	assert_int_equal(parse("[::ffff:10.0.0.7]:51413", &a), 0);
	assert_int_equal(a.family, BTT_AF_INET);
	assert_int_equal(parse("10.0.0.7:51413", &b), 0);
	assert_true(btt_io_addr_eq(&a, &b));
	assert_memory_equal(&a, &b, sizeof(a));
	btt_io_addr_set_ipv6(&a, mapped, 51413);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_addr_order(void **state)
{
	struct btt_addr a, b;

	(void)state;
	assert_int_equal(parse("1.2.3.4:5", &a), 0);
	assert_int_equal(parse("1.2.3.4:6", &b), 0);
	assert_int_equal(btt_io_addr_cmp(&a, &b), -1);
	assert_int_equal(btt_io_addr_cmp(&b, &a), 1);
	assert_int_equal(parse("1.2.3.5:1", &b), 0);
	assert_int_equal(btt_io_addr_cmp(&a, &b), -1);
	assert_int_equal(parse("[::1]:1", &b), 0);
	assert_int_equal(btt_io_addr_cmp(&a, &b), -1); /* IPv4 before IPv6 */
	assert_int_equal(btt_io_addr_cmp(&a, &a), 0);
	assert_true(btt_io_addr_eq(&b, &b));
}

static void test_addr_print_edges(void **state)
{
	struct btt_addr none = {0}, a;
	char small[8];

	(void)state;
	assert_string_equal(show(&none), "-");
	assert_int_equal(parse("255.255.255.255:65535", &a), 0);
	/* Truncated, still terminated. */
	assert_string_equal(btt_io_addr_to_str(&a, small, sizeof(small)),
			    "255.255");
	btt_io_addr_loopback(BTT_AF_INET6, 7, &a);
	assert_string_equal(show(&a), "[::1]:7");
	btt_io_addr_loopback(BTT_AF_INET, 7, &a);
	assert_string_equal(show(&a), "127.0.0.1:7");
}

static void test_addr_sockaddr_round_trip(void **state)
{
	static const char *texts[] = {"127.0.0.1:1", "[2001:db8::2]:65535"};
	struct sockaddr_storage ss;
	struct btt_addr a, b, none = {0};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(parse(texts[i], &a), 0);
		assert_int_equal(io_addr_to_sockaddr(&a, &ss), 0);
		assert_int_equal(
			io_addr_from_sockaddr((struct sockaddr *)&ss, &b), 0);
		assert_memory_equal(&a, &b, sizeof(a));
	}
	assert_int_equal(io_addr_to_sockaddr(&none, &ss), BTT_EINVALID);
	ss.ss_family = AF_UNIX;
	assert_int_equal(io_addr_from_sockaddr((struct sockaddr *)&ss, &b),
			 BTT_EUNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_layout_is_compact),
		cmocka_unit_test(test_addr_parse_and_print),
		cmocka_unit_test(test_addr_port_limit),
		cmocka_unit_test(test_addr_literal_length_limit),
		cmocka_unit_test(test_addr_rejects_malformed),
		cmocka_unit_test(test_addr_v4_mapped_becomes_v4),
		cmocka_unit_test(test_addr_order),
		cmocka_unit_test(test_addr_print_edges),
		cmocka_unit_test(test_addr_sockaddr_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
