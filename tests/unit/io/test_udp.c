/* UDP on 127.0.0.1: a round trip with sender addresses, empty and
 * maximum-size datagrams (the size limit at max-1, max and max+1), bind
 * errors, and freeing a socket from its own callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "io/udp.h"
#include "io_test.h"

struct peer {
	struct btt_loop *loop;
	struct btt_udp *u;
	struct btt_addr from;
	uint8_t last[8];
	size_t last_len;
	size_t sizes[8];
	int got;
	int want; /* stop the loop after this many datagrams */
	bool echo;
};

static void peer_recv(struct btt_udp *u, const struct btt_addr *from,
		      const uint8_t *d, size_t n, void *arg)
{
	struct peer *p = arg;

	p->from = *from;
	if (p->got < 8)
		p->sizes[p->got] = n;
	p->got++;
	p->last_len = n;
	memcpy(p->last, d, n < sizeof(p->last) ? n : sizeof(p->last));
	if (p->echo)
		assert_int_equal(btt_udp_send(u, from, d, n), 0);
	if (p->got == p->want)
		btt_loop_stop(p->loop);
}

static void peer_bind(struct peer *p, struct btt_loop *loop)
{
	struct btt_addr a = io_loopback(0), bound;

	memset(p, 0, sizeof(*p));
	p->loop = loop;
	assert_int_equal(btt_udp_bind(loop, &a, peer_recv, p, &p->u), 0);
	btt_udp_local_addr(p->u, &bound);
	assert_int_equal(bound.family, BTT_AF_INET);
	assert_true(bound.port != 0);
}

static struct btt_addr peer_addr(const struct peer *p)
{
	struct btt_addr a;

	btt_udp_local_addr(p->u, &a);
	return a;
}

static void test_udp_round_trip(void **state)
{
	struct btt_loop *loop;
	struct peer a, b;
	struct btt_addr to, a_addr;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	peer_bind(&a, loop);
	peer_bind(&b, loop);
	b.echo = true;
	a.want = 1;
	assert_int_equal(btt_udp_set_buffer_sizes(a.u, 65536, 65536), 0);
	to = peer_addr(&b);
	assert_int_equal(btt_udp_send(a.u, &to, "ping", 4), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	a_addr = peer_addr(&a);
	/* b saw a's address; a got the echo from b's. */
	assert_true(btt_io_addr_eq(&b.from, &a_addr));
	assert_true(btt_io_addr_eq(&a.from, &to));
	assert_int_equal(a.last_len, 4);
	assert_memory_equal(a.last, "ping", 4);
	assert_int_equal(btt_udp_queued(a.u), 0);
	btt_udp_free(a.u);
	btt_udp_free(b.u);
	btt_udp_free(NULL);
	btt_loop_free(loop);
}

static void test_udp_datagram_size_limit(void **state)
{
	struct btt_loop *loop;
	struct peer a, b;
	struct btt_addr to;
	uint8_t *big = calloc(1, BTT_UDP_MAX_DATAGRAM + 1);

	(void)state;
	assert_non_null(big);
	assert_int_equal(btt_loop_new(&loop), 0);
	peer_bind(&a, loop);
	peer_bind(&b, loop);
	assert_int_equal(btt_udp_set_buffer_sizes(b.u, 0, 1 << 20), 0);
	b.want = 3;
	to = peer_addr(&b);
	assert_int_equal(btt_udp_send(a.u, &to, big, 0), 0);
	assert_int_equal(btt_udp_send(a.u, &to, big, BTT_UDP_MAX_DATAGRAM - 1),
			 0);
	assert_int_equal(btt_udp_send(a.u, &to, big, BTT_UDP_MAX_DATAGRAM), 0);
	assert_int_equal(btt_udp_send(a.u, &to, big, BTT_UDP_MAX_DATAGRAM + 1),
			 -EMSGSIZE);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_int_equal(b.got, 3);
	assert_int_equal(b.sizes[0], 0); /* empty datagrams are delivered */
	assert_int_equal(b.sizes[1], BTT_UDP_MAX_DATAGRAM - 1);
	assert_int_equal(b.sizes[2], BTT_UDP_MAX_DATAGRAM);
	btt_loop_free(loop);
	free(big);
}

static void test_udp_bind_and_send_errors(void **state)
{
	struct btt_loop *loop;
	struct peer a;
	struct btt_udp *u;
	struct btt_addr none = {0}, used;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	peer_bind(&a, loop);
	used = peer_addr(&a);
	assert_int_equal(btt_udp_bind(loop, &used, peer_recv, &a, &u),
			 -EADDRINUSE);
	assert_int_equal(btt_udp_bind(loop, &none, peer_recv, &a, &u),
			 BTT_EINVALID);
	assert_int_equal(btt_udp_bind(loop, &used, NULL, &a, &u), BTT_EINVALID);
	assert_int_equal(btt_udp_send(a.u, &none, "x", 1), BTT_EINVALID);
	assert_int_equal(btt_udp_set_buffer_sizes(a.u, -1, 0), BTT_EINVALID);
	btt_loop_free(loop);
}

static void free_self_recv(struct btt_udp *u, const struct btt_addr *from,
			   const uint8_t *d, size_t n, void *arg)
{
	int *got = arg;

	(void)from;
	(void)d;
	(void)n;
	(*got)++;
	btt_udp_free(u);
}

static void test_udp_free_in_callback(void **state)
{
	struct btt_loop *loop;
	struct btt_udp *rx;
	struct peer a;
	struct btt_addr to = io_loopback(0);
	int got = 0;

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	peer_bind(&a, loop);
	assert_int_equal(btt_udp_bind(loop, &to, free_self_recv, &got, &rx), 0);
	btt_udp_local_addr(rx, &to);
	/* Two datagrams; only the first reaches the callback. */
	assert_int_equal(btt_udp_send(a.u, &to, "1", 1), 0);
	assert_int_equal(btt_udp_send(a.u, &to, "2", 1), 0);
	btt_udp_free(a.u);
	assert_int_equal(btt_loop_run(loop), 0);
	assert_int_equal(got, 1);
	btt_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_round_trip),
		cmocka_unit_test(test_udp_datagram_size_limit),
		cmocka_unit_test(test_udp_bind_and_send_errors),
		cmocka_unit_test(test_udp_free_in_callback),
	};

	alarm(IO_TEST_ALARM_S);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
