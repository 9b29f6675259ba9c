/* Signals on the loop: the callback runs on the loop thread after a
 * raise(), the default action is back once the watcher is freed, and the
 * shutdown watcher lets a second signal end the process (in a child). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "btt/err.h"
#include "io/signal.h"
#include "io_test.h"

struct caught {
	struct btt_loop *loop;
	int count;
	int signum;
};

static void caught_cb(struct btt_signal *s, int signum, void *arg)
{
	struct caught *c = arg;

	(void)s;
	c->count++;
	c->signum = signum;
	btt_loop_stop(c->loop);
}

static bool handler_is_default(int signum)
{
	struct sigaction sa;

	assert_int_equal(sigaction(signum, NULL, &sa), 0);
	return sa.sa_handler == SIG_DFL;
}

static void test_signal_callback_then_default_restored(void **state)
{
	struct btt_loop *loop;
	struct btt_signal *s;
	struct caught c = {0};

	(void)state;
	assert_true(handler_is_default(SIGUSR1));
	assert_int_equal(btt_loop_new(&loop), 0);
	c.loop = loop;
	assert_int_equal(btt_signal_new(loop, SIGUSR1, caught_cb, &c, &s), 0);
	assert_false(handler_is_default(SIGUSR1));
	assert_int_equal(raise(SIGUSR1), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_int_equal(c.count, 1);
	assert_int_equal(c.signum, SIGUSR1);
	/* Every delivery runs the callback. */
	assert_int_equal(raise(SIGUSR1), 0);
	assert_true(io_run_bounded(loop, IO_TEST_GUARD_MS));
	assert_int_equal(c.count, 2);
	btt_signal_free(s);
	btt_signal_free(NULL);
	assert_true(handler_is_default(SIGUSR1));
	btt_loop_free(loop);
}

static void test_signal_uncatchable_rejected(void **state)
{
	struct btt_loop *loop;
	struct btt_signal *s;
	struct caught c = {0};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_true(btt_signal_new(loop, SIGKILL, caught_cb, &c, &s) < 0);
	assert_int_equal(btt_signal_new(loop, SIGUSR1, NULL, &c, &s),
			 BTT_EINVALID);
	btt_loop_free(loop);
	assert_true(handler_is_default(SIGKILL));
	assert_true(handler_is_default(SIGUSR1));
}

/* The child's first SIGINT runs the callback, which reports to the
 * parent through a pipe and raises SIGINT again: that one must kill. */
struct child {
	int fd;
	int count;
};

static void child_cb(struct btt_signal *s, int signum, void *arg)
{
	struct child *c = arg;
	char b = (char)signum;

	(void)s;
	c->count++;
	if (write(c->fd, &b, 1) != 1)
		_exit(3);
	raise(SIGINT);
}

static void child_main(int fd)
{
	struct btt_loop *loop;
	struct btt_signal *s;
	struct btt_timer *t;
	struct child c = {fd, 0};

	if (btt_loop_new(&loop) < 0 ||
	    btt_signal_shutdown_new(loop, child_cb, &c, &s) < 0 ||
	    btt_timer_new(loop, NULL, NULL, &t) < 0)
		_exit(2);
	btt_timer_start(t, IO_TEST_GUARD_MS, 0); /* keeps the loop waiting */
	raise(SIGINT);
	btt_loop_run(loop);
	_exit(c.count == 0 ? 4 : 5); /* survived the second signal */
}

static void test_signal_shutdown_second_signal_kills(void **state)
{
	int fds[2], status;
	pid_t pid;
	char b = 0;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child_main(fds[1]);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &b, 1), 1);
	assert_int_equal(b, SIGINT);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGINT);
}

static void test_signal_loop_free_restores_default(void **state)
{
	struct btt_loop *loop;
	struct btt_signal *s;
	struct caught c = {0};

	(void)state;
	assert_int_equal(btt_loop_new(&loop), 0);
	assert_int_equal(btt_signal_shutdown_new(loop, caught_cb, &c, &s), 0);
	assert_false(handler_is_default(SIGINT));
	assert_false(handler_is_default(SIGTERM));
	btt_loop_free(loop);
	assert_true(handler_is_default(SIGINT));
	assert_true(handler_is_default(SIGTERM));
	assert_int_equal(c.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_callback_then_default_restored),
		cmocka_unit_test(test_signal_uncatchable_rejected),
		cmocka_unit_test(test_signal_shutdown_second_signal_kills),
		cmocka_unit_test(test_signal_loop_free_restores_default),
	};

	alarm(IO_TEST_ALARM_S);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
