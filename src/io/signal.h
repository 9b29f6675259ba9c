/* POSIX signals delivered on the loop thread (uv_signal), for the
 * graceful shutdown of `btt get`, `btt seed` and the daemon.
 *
 * While a watcher exists, its signal runs the callback on the loop thread
 * instead of its default action; freeing the last watcher of a signal
 * restores the default action. Watchers do not keep btt_loop_run going.
 * Loop thread only. */
#ifndef BTT_IO_SIGNAL_H
#define BTT_IO_SIGNAL_H

struct btt_loop;
struct btt_signal;

typedef void (*btt_signal_fn)(struct btt_signal *s, int signum, void *arg);

/* Watches one signal: cb runs on every delivery. Returns 0 or a negative
 * error (-EINVAL for a signal that cannot be caught). */
int btt_signal_new(struct btt_loop *loop, int signum, btt_signal_fn cb,
		   void *arg, struct btt_signal **out);

/* Watches SIGINT and SIGTERM for a graceful shutdown: the first of them
 * runs cb once and gives both signals back their default action, so a
 * second Ctrl-C or SIGTERM ends the process at once. */
int btt_signal_shutdown_new(struct btt_loop *loop, btt_signal_fn cb, void *arg,
			    struct btt_signal **out);

/* Stops watching (restoring default actions) and releases the watcher.
 * Safe from inside its callback. NULL is a no-op. */
void btt_signal_free(struct btt_signal *s);

#endif
