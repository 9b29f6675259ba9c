/* Helpers for the TCP tests: a byte pattern that depends on the offset,
 * so reordering or loss shows, and a listener that starts each accepted
 * connection with given ops. Included by test_tcp*.c only, after cmocka. */
#ifndef BTT_TEST_TCP_UTIL_H
#define BTT_TEST_TCP_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "btt/err.h"
#include "io/tcp.h"
#include "io_test.h"

static inline uint8_t pattern_byte(size_t i)
{
	return (uint8_t)((i * 7 + (i >> 12)) % 251);
}

static inline void pattern_fill(uint8_t *p, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pattern_byte(off + i);
}

static inline bool pattern_check(const uint8_t *p, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern_byte(off + i))
			return false;
	return true;
}

/* ---- a listener that hands each connection to a test hook ---- */

struct server {
	struct btt_loop *loop;
	struct btt_tcp_listener *l;
	struct btt_tcp *conn;
	const struct btt_tcp_ops *ops;
	void *arg;
	struct btt_addr peer;
	int accepts;
};

static inline void server_accept(struct btt_tcp_listener *l, int status,
				 struct btt_tcp *c, void *arg)
{
	struct server *s = arg;

	(void)l;
	assert_int_equal(status, 0);
	s->accepts++;
	s->conn = c;
	s->peer = *btt_tcp_peer(c);
	assert_int_equal(btt_tcp_start(c, s->ops, s->arg), 0);
	assert_int_equal(btt_tcp_start(c, s->ops, s->arg), BTT_EINVALID);
}

static inline void server_listen(struct server *s, struct btt_loop *loop,
				 const struct btt_tcp_ops *ops, void *arg)
{
	struct btt_addr a = io_loopback(0), bound;

	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->ops = ops;
	s->arg = arg;
	assert_int_equal(btt_tcp_listen(loop, &a, 16, server_accept, s, &s->l),
			 0);
	btt_tcp_listener_addr(s->l, &bound);
	assert_int_equal(bound.family, BTT_AF_INET);
	assert_true(btt_tcp_listener_port(s->l) != 0);
	assert_int_equal(bound.port, btt_tcp_listener_port(s->l));
}

static inline struct btt_addr server_addr(const struct server *s)
{
	return io_loopback(btt_tcp_listener_port(s->l));
}

#endif
