/* Private to the TCP files: the connection object and the pieces that
 * tcp.c (life cycle, reads), tcp_write.c (write queue) and tcp_listen.c
 * (accept) share.
 *
 * States: an accepted connection is ACCEPTED until btt_tcp_start; an
 * outgoing one is CONNECTING until its connect callback. OPEN reads and
 * writes. FAILED has reported its error and waits for its owner to close
 * it. FLUSHING (a close with flush) sends what is queued, then shuts the
 * write side down. CLOSED has both handles closing; the object is freed
 * when the second close callback runs. Only CONNECTING and OPEN call the
 * owner's ops. */
#ifndef BTT_IO_TCP_INT_H
#define BTT_IO_TCP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "io/io_int.h"
#include "io/tcp.h"

/* Copy segments of the write queue, and how many the loop keeps. */
#define IO_SEG_SIZE (64u << 10)
#define IO_SEG_CACHE_MAX 64
/* Segments handed to one uv_write (one writev). */
#define IO_WRITE_BATCH 16

enum tcp_state {
	TCP_ACCEPTED,
	TCP_CONNECTING,
	TCP_OPEN,
	TCP_FAILED,
	TCP_FLUSHING,
	TCP_CLOSED,
};

/* One piece of the write queue: a copy (mem holds IO_SEG_SIZE bytes and
 * data == mem) or a reference to the caller's bytes (mem NULL, released
 * through `release`). */
struct io_seg {
	struct io_seg *next;
	const uint8_t *data;
	size_t len;
	uint8_t *mem;
	btt_tcp_release_fn release;
	void *release_arg;
};

struct btt_tcp {
	struct io_obj obj; /* first: the abort hook casts back */
	struct btt_loop *loop;
	uv_tcp_t h;
	uv_timer_t timer; /* connect timeout, then flush timeout */
	uv_connect_t creq;
	uv_write_t wreq;
	uv_shutdown_t sreq;
	const struct btt_tcp_ops *ops;
	void *arg;
	struct btt_addr peer;
	struct io_seg *q_head; /* not yet handed to libuv */
	struct io_seg *q_tail;
	struct io_seg *inflight; /* the batch in wreq */
	size_t q_bytes;
	size_t high;
	size_t low;
	btt_tcp_close_fn close_cb;
	void *close_arg;
	int err;	 /* the error reported, in FAILED */
	int pending_err; /* for tcp_fail_later */
	int open_handles;
	enum tcp_state state;
	bool writing; /* wreq in flight */
	bool paused;  /* by the owner */
	bool reading; /* uv_read_start active */
	bool drain_armed;
	bool shutting;
};

/* Creates the connection for an incoming one on `server`. Returns 0 or a
 * negative error (the half-made connection is closed quietly). */
int tcp_accept(struct btt_loop *loop, uv_stream_t *server,
	       struct btt_tcp **out);

/* Reports err once through on_error (CONNECTING/OPEN), or ends a flushing
 * close; otherwise nothing. */
void tcp_fail(struct btt_tcp *c, int err);

/* The same from the next loop iteration, for failures found inside an
 * API call (whose caller must not see a callback before it returns). */
void tcp_fail_later(struct btt_tcp *c, int err);

/* Closes both handles now; the object goes in the last close callback. */
void tcp_hard_close(struct btt_tcp *c);

/* Shuts down the write side (FLUSHING, queue empty), then closes. */
void tcp_begin_shutdown(struct btt_tcp *c);

/* Frees queued segments (calling release functions) in the close path. */
void tcp_queue_release(struct btt_tcp *c);

#endif
