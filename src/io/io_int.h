/* Private to src/io: what the loop shares with the objects living on it.
 *
 * Every object a caller creates on a loop (timer, TCP connection or
 * listener, UDP socket, signal watcher, the HTTP multi handle) embeds a
 * struct io_obj and is tracked by the loop until its owner closes it. When
 * the loop is freed with objects still open, it calls each one's `abort`,
 * which closes it without calling any of the owner's callbacks; the memory
 * is then released in the libuv close callbacks that btt_loop_free runs.
 *
 * All reads on a loop (TCP and UDP) land in one loop-wide buffer: libuv
 * calls alloc, read and the read callback back to back for one stream at a
 * time, so the buffer is never in use by two reads at once, and thousands
 * of idle connections cost no read memory. */
#ifndef BTT_IO_INT_H
#define BTT_IO_INT_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "io/addr.h"
#include "io/loop.h"

/* The loop-wide read buffer; at least 64 KiB so no UDP datagram is ever
 * truncated, and large so one read() drains a fast socket. */
#define IO_READ_BUF_SIZE (256u << 10)

struct io_obj {
	struct io_obj *prev;
	struct io_obj *next;
	void (*abort)(struct io_obj *obj);
};

uv_loop_t *io_loop_uv(struct btt_loop *loop);

/* Links obj into the loop's list; `abort` closes it quietly. */
void io_obj_track(struct btt_loop *loop, struct io_obj *obj,
		  void (*abort)(struct io_obj *obj));

/* Unlinks obj (a no-op when it is not linked). */
void io_obj_untrack(struct io_obj *obj);

/* The loop-wide read buffer, IO_READ_BUF_SIZE bytes. */
uint8_t *io_loop_readbuf(struct btt_loop *loop);

/* The loop's HTTP multi handle slot (created by http.c on first use). */
struct io_http;
struct io_http **io_loop_http(struct btt_loop *loop);

/* The loop's cache of TCP write segments (tcp_write.c). */
struct io_seg;
struct io_seg **io_loop_seg_cache(struct btt_loop *loop, unsigned **out_n);
void io_seg_cache_release(struct btt_loop *loop);

/* Attached worker pools (pool_uv.c). refresh keeps the loop alive while a
 * pool has jobs pending; detach_all runs in btt_loop_free. */
struct io_pool_link;
struct io_pool_link **io_loop_pools(struct btt_loop *loop);
void io_pool_refresh(struct btt_loop *loop);
void io_pool_detach_all(struct btt_loop *loop);

/* Converts between struct btt_addr and a sockaddr. to_sockaddr returns 0
 * or BTT_EINVALID (family NONE); from_sockaddr returns 0 or
 * BTT_EUNSUPPORTED (not AF_INET/AF_INET6). */
int io_addr_to_sockaddr(const struct btt_addr *a, struct sockaddr_storage *ss);
int io_addr_from_sockaddr(const struct sockaddr *sa, struct btt_addr *out);

/* Sets SO_SNDBUF/SO_RCVBUF on a handle (a value of 0 leaves it as it is). */
int io_set_buffer_sizes(uv_handle_t *h, int sndbuf, int rcvbuf);

#endif
