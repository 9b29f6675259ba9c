/* TCP connections and listeners on the loop, with write backpressure.
 *
 * A connection (struct btt_tcp) is either made by btt_tcp_connect() or
 * handed to a listener's accept callback. Its owner supplies a table of
 * callbacks (struct btt_tcp_ops) and a user pointer. Every socket gets
 * TCP_NODELAY: btt's messages are framed by the caller and batched by
 * the write queue, so Nagle would only add latency.
 *
 * Read path: reading starts when an outgoing connection is established
 * (after on_connect) or when btt_tcp_start() is called on an accepted
 * one. The kernel copies received bytes into the loop's shared read
 * buffer (256 KiB), or into a buffer the owner lends through on_alloc,
 * and on_read sees them in place: one copy, kernel to that buffer. The
 * bytes are valid only during on_read; an owner that keeps them copies
 * them (the peer wire parser copies a block's payload into its piece
 * buffer, or lends that buffer through on_alloc to avoid the copy).
 * btt_tcp_read_pause()/_resume() stop and restart reading, for rate
 * limits and for backpressure towards the disk.
 *
 * Write path: btt_tcp_write() first tries a direct, non-blocking send of
 * the caller's bytes (no copy when the socket buffer has room); whatever
 * the kernel does not take is copied into the connection's queue of 64
 * KiB segments (small writes share a segment), which libuv sends with
 * writev, one batch at a time. btt_tcp_write_ref() queues a reference
 * instead of a copy and calls a release function once the bytes are
 * sent or dropped. Nothing limits the queue: callers apply backpressure
 * by checking btt_tcp_write_full() (queued bytes at or above the
 * high-water mark) and waiting for on_drain, which runs once the queue
 * has fallen to the low-water mark after having reached the high one.
 *
 * Errors: the first failure of a connection (refused, timed out, reset,
 * closed by the peer: BTT_EEOF, a failed write) is reported once, through
 * on_error, with a negative code (-errno or BTT_EEOF). After it the
 * connection does nothing but wait for its owner to close it; no other
 * callback runs.
 *
 * Closing: btt_tcp_close() stops all callbacks at once (only its own
 * close callback runs later). Loop thread only. */
#ifndef BTT_IO_TCP_H
#define BTT_IO_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/addr.h"

struct btt_loop;
struct btt_tcp;
struct btt_tcp_listener;

/* Default watermarks for the write queue, in bytes. */
#define BTT_TCP_HIGH_WATER (1u << 20)
#define BTT_TCP_LOW_WATER (256u << 10)

/* How long a flushing close waits for the peer to take queued bytes. */
#define BTT_TCP_FLUSH_TIMEOUT_MS 10000

struct btt_tcp_ops {
	/* An outgoing connection is established. May be NULL. */
	void (*on_connect)(struct btt_tcp *c, void *arg);
	/* Optional: lends a buffer to read into; return NULL (or set *len to
	 * 0) to use the loop's read buffer. The buffer must stay valid until
	 * on_read or on_error runs. */
	void *(*on_alloc)(struct btt_tcp *c, size_t *len, void *arg);
	/* Bytes arrived; `data` is valid during the call only. Required. */
	void (*on_read)(struct btt_tcp *c, const uint8_t *data, size_t len,
			void *arg);
	/* The write queue fell to the low-water mark. May be NULL. */
	void (*on_drain)(struct btt_tcp *c, void *arg);
	/* The connection failed (once). Required. */
	void (*on_error)(struct btt_tcp *c, int err, void *arg);
};

typedef void (*btt_tcp_accept_fn)(struct btt_tcp_listener *l, int status,
				  struct btt_tcp *conn, void *arg);
typedef void (*btt_tcp_close_fn)(void *arg);
typedef void (*btt_tcp_release_fn)(void *arg);

/* Listens on addr (port 0: the OS chooses; an IPv6 address listens on
 * IPv6 only). `backlog` <= 0 means the system default. For each
 * connection, cb runs with status 0 and a new connection that the
 * callback now owns: it calls btt_tcp_start() or closes it. A failed
 * accept runs cb with a negative status and conn NULL. Returns 0, or a
 * negative error (-EADDRINUSE, BTT_EINVALID, ...). */
int btt_tcp_listen(struct btt_loop *loop, const struct btt_addr *addr,
		   int backlog, btt_tcp_accept_fn cb, void *arg,
		   struct btt_tcp_listener **out);

/* The bound address (with the port the OS chose). */
void btt_tcp_listener_addr(const struct btt_tcp_listener *l,
			   struct btt_addr *out);
uint16_t btt_tcp_listener_port(const struct btt_tcp_listener *l);

/* Stops listening and releases the listener. NULL is a no-op. */
void btt_tcp_listener_free(struct btt_tcp_listener *l);

/* Connects to addr. The result arrives as on_connect, or as on_error
 * with e.g. -ECONNREFUSED, or -ETIMEDOUT when timeout_ms (0: none)
 * passes first. Writes may be queued before the connection is
 * established. Returns 0, or a negative error without calling back. */
int btt_tcp_connect(struct btt_loop *loop, const struct btt_addr *addr,
		    uint32_t timeout_ms, const struct btt_tcp_ops *ops,
		    void *arg, struct btt_tcp **out);

/* Installs the callbacks of an accepted connection and starts reading
 * (unless paused). Returns 0, BTT_EINVALID (on_read or on_error missing,
 * or started already). ops must outlive the connection. */
int btt_tcp_start(struct btt_tcp *c, const struct btt_tcp_ops *ops, void *arg);

/* Changes the user pointer passed to the callbacks. */
void btt_tcp_set_arg(struct btt_tcp *c, void *arg);

/* Closes the connection; no callback of its ops runs after this. With
 * `flush`, bytes already queued are sent first (for at most
 * BTT_TCP_FLUSH_TIMEOUT_MS) and the write side is shut down. cb (may be
 * NULL) runs once everything is released. NULL is a no-op. Closing again
 * before that is a no-op, except that it turns a flushing close into an
 * immediate one. */
void btt_tcp_close(struct btt_tcp *c, bool flush, btt_tcp_close_fn cb,
		   void *cb_arg);

/* btt_tcp_close(c, false, NULL, NULL). */
void btt_tcp_free(struct btt_tcp *c);

/* Queues a copy of data (see the write path above). Returns 0; the error
 * already reported when the connection has failed; BTT_EINVALID when it
 * is closing or not started. */
int btt_tcp_write(struct btt_tcp *c, const void *data, size_t len);

/* Queues data without copying it: it must stay unchanged until
 * release(release_arg) runs, exactly once, when the bytes are sent or
 * the connection is closed (possibly before this returns). On failure
 * (as btt_tcp_write) release does not run. */
int btt_tcp_write_ref(struct btt_tcp *c, const void *data, size_t len,
		      btt_tcp_release_fn release, void *release_arg);

/* Bytes accepted by write but not yet handed to the kernel. */
size_t btt_tcp_write_queued(const struct btt_tcp *c);

/* True when btt_tcp_write_queued() is at or above the high-water mark:
 * the caller should stop producing until on_drain. */
bool btt_tcp_write_full(const struct btt_tcp *c);

/* Sets the watermarks (low <= high, high > 0). Returns 0 or
 * BTT_EINVALID. */
int btt_tcp_set_watermarks(struct btt_tcp *c, size_t high, size_t low);

/* Stops / restarts reading. Idempotent. */
void btt_tcp_read_pause(struct btt_tcp *c);
void btt_tcp_read_resume(struct btt_tcp *c);
bool btt_tcp_read_paused(const struct btt_tcp *c);

/* Sets SO_SNDBUF / SO_RCVBUF (0 leaves one as it is). Returns 0 or a
 * negative error. */
int btt_tcp_set_buffer_sizes(struct btt_tcp *c, int sndbuf, int rcvbuf);

/* The remote address. */
const struct btt_addr *btt_tcp_peer(const struct btt_tcp *c);

/* The local address, or a negative error. */
int btt_tcp_local_addr(const struct btt_tcp *c, struct btt_addr *out);

#endif
