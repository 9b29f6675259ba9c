/* struct btt_addr: parsing, printing, ordering and the conversions to and
 * from sockaddr that the socket code needs. Setters zero the whole struct
 * first so the no-padding layout can be compared bytewise. */
#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "btt/err.h"
#include "core/cur.h"
#include "io/addr.h"
#include "io/io_int.h"

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
					     0, 0, 0, 0, 0xff, 0xff};

void btt_io_addr_set_ipv4(struct btt_addr *a, const uint8_t ip[4],
			  uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = BTT_AF_INET;
	a->port = port;
	memcpy(a->ip, ip, 4);
}

void btt_io_addr_set_ipv6(struct btt_addr *a, const uint8_t ip[16],
			  uint16_t port)
{
	if (memcmp(ip, v4_mapped_prefix, sizeof(v4_mapped_prefix)) == 0) {
		btt_io_addr_set_ipv4(a, ip + 12, port);
		return;
	}
	memset(a, 0, sizeof(*a));
	a->family = BTT_AF_INET6;
	a->port = port;
	memcpy(a->ip, ip, 16);
}

int btt_io_addr_parse_ip(const char *ip, size_t len, uint16_t port,
			 struct btt_addr *out)
{
	char text[INET6_ADDRSTRLEN];
	uint8_t raw[16];

	memset(out, 0, sizeof(*out));
	/* uv_inet_pton needs a C string and would accept a "%zone" suffix. */
	if (len == 0 || len >= sizeof(text) || memchr(ip, 0, len) ||
	    memchr(ip, '%', len))
		return BTT_EMALFORMED;
	memcpy(text, ip, len);
	text[len] = 0;
	if (uv_inet_pton(AF_INET, text, raw) == 0) {
		btt_io_addr_set_ipv4(out, raw, port);
		return 0;
	}
	if (uv_inet_pton(AF_INET6, text, raw) == 0) {
		btt_io_addr_set_ipv6(out, raw, port);
		return 0;
	}
	return BTT_EMALFORMED;
}

/* Splits "host:port" or "[host]:port" into the host text and the port. */
static int split_host_port(const char *s, size_t len, struct btt_cur *host,
			   uint16_t *port)
{
	struct btt_cur c, rest;
	uint64_t v;

	btt_cur_init(&c, s, len);
	if (btt_cur_get_prefix(&c, "[")) {
		if (!btt_cur_get_until(&c, ']', host))
			return BTT_EMALFORMED;
		rest = c;
		if (!btt_cur_get_prefix(&rest, ":"))
			return BTT_EMALFORMED;
	} else {
		size_t i = len;

		while (i > 0 && s[i - 1] != ':')
			i--;
		/* An unbracketed IPv6 address would be ambiguous. */
		if (i == 0 || memchr(s, ':', i - 1))
			return BTT_EMALFORMED;
		btt_cur_init(host, s, i - 1);
		btt_cur_init(&rest, s + i, len - i);
	}
	if (!btt_cur_get_dec(&rest, 5, 65535, false, &v) || btt_cur_len(&rest))
		return BTT_EMALFORMED;
	*port = (uint16_t)v;
	return 0;
}

int btt_io_addr_parse(const char *s, size_t len, struct btt_addr *out)
{
	struct btt_cur host;
	uint16_t port;
	bool bracketed = len > 0 && s[0] == '[';
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = split_host_port(s, len, &host, &port)) < 0)
		return err;
	err = btt_io_addr_parse_ip((const char *)btt_cur_data(&host),
				   btt_cur_len(&host), port, out);
	if (err < 0)
		return err;
	/* Brackets are for IPv6 text only ("[1.2.3.4]:1" is not an address);
	 * a mapped IPv4 in brackets is IPv6 text and stays accepted. */
	if (bracketed &&
	    !memchr(btt_cur_data(&host), ':', btt_cur_len(&host))) {
		memset(out, 0, sizeof(*out));
		return BTT_EMALFORMED;
	}
	return 0;
}

char *btt_io_addr_ip_to_str(const struct btt_addr *a, char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	int r = -1;

	if (a->family == BTT_AF_INET)
		r = uv_inet_ntop(AF_INET, a->ip, text, sizeof(text));
	else if (a->family == BTT_AF_INET6)
		r = uv_inet_ntop(AF_INET6, a->ip, text, sizeof(text));
	if (r != 0)
		snprintf(text, sizeof(text), "-");
	if (size)
		snprintf(buf, size, "%s", text);
	return buf;
}

char *btt_io_addr_to_str(const struct btt_addr *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	btt_io_addr_ip_to_str(a, ip, sizeof(ip));
	if (!size)
		return buf;
	if (a->family == BTT_AF_INET)
		snprintf(buf, size, "%s:%u", ip, (unsigned)a->port);
	else if (a->family == BTT_AF_INET6)
		snprintf(buf, size, "[%s]:%u", ip, (unsigned)a->port);
	else
		snprintf(buf, size, "-");
	return buf;
}

int btt_io_addr_cmp(const struct btt_addr *a, const struct btt_addr *b)
{
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((r = memcmp(a->ip, b->ip, sizeof(a->ip))) != 0)
		return r < 0 ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

bool btt_io_addr_is_loopback(const struct btt_addr *a)
{
	static const uint8_t v6_loop[16] = {[15] = 1};

	if (a->family == BTT_AF_INET)
		return a->ip[0] == 127;
	if (a->family == BTT_AF_INET6)
		return memcmp(a->ip, v6_loop, 16) == 0;
	return false;
}

void btt_io_addr_loopback(enum btt_addr_family family, uint16_t port,
			  struct btt_addr *out)
{
	static const uint8_t v4_loop[4] = {127, 0, 0, 1};
	static const uint8_t v6_loop[16] = {[15] = 1};

	if (family == BTT_AF_INET6)
		btt_io_addr_set_ipv6(out, v6_loop, port);
	else
		btt_io_addr_set_ipv4(out, v4_loop, port);
}

int io_addr_to_sockaddr(const struct btt_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == BTT_AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(a->port);
		memcpy(&in->sin_addr, a->ip, 4);
		return 0;
	}
	if (a->family == BTT_AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(a->port);
		memcpy(&in6->sin6_addr, a->ip, 16);
		return 0;
	}
	return BTT_EINVALID;
}

int io_addr_from_sockaddr(const struct sockaddr *sa, struct btt_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		btt_io_addr_set_ipv4(out, (const uint8_t *)&in->sin_addr,
				     ntohs(in->sin_port));
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)sa;

		btt_io_addr_set_ipv6(out, (const uint8_t *)&in6->sin6_addr,
				     ntohs(in6->sin6_port));
		return 0;
	}
	return BTT_EUNSUPPORTED;
}

int io_set_buffer_sizes(uv_handle_t *h, int sndbuf, int rcvbuf)
{
	int err;

	if (sndbuf < 0 || rcvbuf < 0)
		return BTT_EINVALID;
	if (sndbuf && (err = uv_send_buffer_size(h, &sndbuf)) < 0)
		return err;
	if (rcvbuf && (err = uv_recv_buffer_size(h, &rcvbuf)) < 0)
		return err;
	return 0;
}
