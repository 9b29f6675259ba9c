/* UDP sockets on the loop, for UDP trackers (BEP 15) and the DHT.
 *
 * Receiving: every datagram is delivered to the receive callback with
 * its sender; the bytes live in the loop's shared read buffer (one copy,
 * kernel to buffer) and are valid during the call only. Datagrams cut
 * short by the buffer cannot happen (it holds 256 KiB); empty datagrams
 * are delivered with len 0; socket errors are logged and reading goes on.
 *
 * Sending: btt_udp_send() tries the socket at once; when the kernel
 * cannot take the datagram now it is copied into a small queue
 * (BTT_UDP_MAX_QUEUE datagrams) and sent when the socket is writable.
 * Errors the kernel reports later (e.g. an ICMP unreachable) are logged,
 * not returned: UDP senders retransmit on their own timers. Loop thread
 * only. */
#ifndef BTT_IO_UDP_H
#define BTT_IO_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "io/addr.h"

struct btt_loop;
struct btt_udp;

/* Datagrams waiting for the socket, at most. */
#define BTT_UDP_MAX_QUEUE 64
/* The largest payload sent (the IPv4 maximum). */
#define BTT_UDP_MAX_DATAGRAM 65507

typedef void (*btt_udp_recv_fn)(struct btt_udp *u, const struct btt_addr *from,
				const uint8_t *data, size_t len, void *arg);

/* Binds to addr (port 0: the OS chooses; an IPv6 address binds IPv6
 * only) and starts receiving. Returns 0 or a negative error. */
int btt_udp_bind(struct btt_loop *loop, const struct btt_addr *addr,
		 btt_udp_recv_fn cb, void *arg, struct btt_udp **out);

/* Closes the socket; queued datagrams are dropped and the callback never
 * runs again. NULL is a no-op. */
void btt_udp_free(struct btt_udp *u);

/* Sends one datagram to `to`. Returns 0 when sent or queued; -EMSGSIZE
 * over BTT_UDP_MAX_DATAGRAM; -ENOBUFS when the queue is full; BTT_EINVALID
 * for an address without a family; or the socket's error (-EINVAL for
 * the wrong family, -ENETUNREACH, ...). */
int btt_udp_send(struct btt_udp *u, const struct btt_addr *to, const void *data,
		 size_t len);

/* Datagrams waiting in the queue. */
size_t btt_udp_queued(const struct btt_udp *u);

/* The bound address (with the port the OS chose). */
void btt_udp_local_addr(const struct btt_udp *u, struct btt_addr *out);

/* Sets SO_SNDBUF / SO_RCVBUF (0 leaves one as it is). */
int btt_udp_set_buffer_sizes(struct btt_udp *u, int sndbuf, int rcvbuf);

/* Changes the callback's user pointer. */
void btt_udp_set_arg(struct btt_udp *u, void *arg);

#endif
