/* Socket addresses as btt passes them around: a compact value type that
 * identifies a peer, tracker or DHT node by (IP, port).
 *
 * A struct btt_addr is 20 bytes with no padding. Every setter zeroes it
 * first, so unused bytes are always zero and the struct can be compared
 * with memcmp or used whole as a hash map key. An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is always stored as plain IPv4, so a peer reached over
 * a dual-stack socket and the same peer from a compact IPv4 list compare
 * equal. Pure functions: any thread. */
#ifndef BTT_IO_ADDR_H
#define BTT_IO_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum btt_addr_family {
	BTT_AF_NONE = 0,
	BTT_AF_INET = 4,
	BTT_AF_INET6 = 6,
};

struct btt_addr {
	uint8_t family;	  /* enum btt_addr_family */
	uint8_t reserved; /* always 0 */
	uint16_t port;	  /* host byte order */
	uint8_t ip[16];	  /* network order; IPv4 uses ip[0..3], rest 0 */
};

/* Enough for "[" + the longest IPv6 text + "]:65535" + NUL. */
#define BTT_ADDR_STRLEN 56

/* Sets an IPv4 address from 4 bytes in network order. */
void btt_io_addr_set_ipv4(struct btt_addr *a, const uint8_t ip[4],
			  uint16_t port);

/* Sets an IPv6 address from 16 bytes in network order; an IPv4-mapped
 * address becomes IPv4. */
void btt_io_addr_set_ipv6(struct btt_addr *a, const uint8_t ip[16],
			  uint16_t port);

/* Parses an IP literal ("127.0.0.1", "::1"; no brackets, no port) of
 * `len` bytes. Returns 0 or BTT_EMALFORMED (out is then zeroed). */
int btt_io_addr_parse_ip(const char *ip, size_t len, uint16_t port,
			 struct btt_addr *out);

/* Parses "a.b.c.d:port" or "[v6]:port" (port 0..65535) of `len` bytes.
 * Returns 0 or BTT_EMALFORMED (out is then zeroed). */
int btt_io_addr_parse(const char *s, size_t len, struct btt_addr *out);

/* Writes "1.2.3.4:6881", "[::1]:6881" or "-" (family NONE) into buf
 * (always NUL-terminated, truncated if size is short; BTT_ADDR_STRLEN
 * always fits). Returns buf. */
char *btt_io_addr_to_str(const struct btt_addr *a, char *buf, size_t size);

/* The same without the port and brackets: "1.2.3.4", "::1". */
char *btt_io_addr_ip_to_str(const struct btt_addr *a, char *buf, size_t size);

/* A total order: family, then IP bytes, then port. Returns <0, 0 or >0. */
int btt_io_addr_cmp(const struct btt_addr *a, const struct btt_addr *b);

static inline bool btt_io_addr_eq(const struct btt_addr *a,
				  const struct btt_addr *b)
{
	return btt_io_addr_cmp(a, b) == 0;
}

/* True for 127.0.0.0/8 and ::1. */
bool btt_io_addr_is_loopback(const struct btt_addr *a);

/* The loopback address of a family (127.0.0.1 or ::1) with a port; used
 * by tests and local listeners. */
void btt_io_addr_loopback(enum btt_addr_family family, uint16_t port,
			  struct btt_addr *out);

#endif
