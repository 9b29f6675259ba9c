/* JSON-RPC 2.0 without the network: every standard error, app errors
 * mapped from btt codes, notifications, batches, and the body, depth,
 * batch and method-name limits at max-1, max and max+1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/limits.h"
#include "core/json.h"
#include "rpc/rpc.h"

static int calls;

static json_t *echo(void *arg, json_t *params, struct btt_rpc_error *err)
{
	(void)arg;
	(void)err;
	calls++;
	return params ? json_incref(params) : json_null();
}

static json_t *want_int(void *arg, json_t *params, struct btt_rpc_error *err)
{
	(void)arg;
	if (!json_is_array(params) ||
	    !json_is_integer(json_array_get(params, 0)))
		return btt_rpc_error_set(err, BTT_RPC_INVALID_PARAMS,
					 "want [integer]");
	return json_integer(json_integer_value(json_array_get(params, 0)) + 1);
}

static json_t *no_funds(void *arg, json_t *params, struct btt_rpc_error *err)
{
	(void)arg;
	(void)params;
	return btt_rpc_error_btt(err, BTT_EFUNDS, "transfer");
}

static json_t *silent_fail(void *arg, json_t *params, struct btt_rpc_error *err)
{
	(void)arg;
	(void)params;
	(void)err;
	return NULL;
}

static struct btt_rpc_dispatch *table(void)
{
	struct btt_rpc_dispatch *d = btt_rpc_dispatch_new();

	assert_int_equal(btt_rpc_dispatch_add(d, "echo", echo, NULL), 0);
	assert_int_equal(btt_rpc_dispatch_add(d, "inc", want_int, NULL), 0);
	assert_int_equal(btt_rpc_dispatch_add(d, "pay", no_funds, NULL), 0);
	assert_int_equal(btt_rpc_dispatch_add(d, "oops", silent_fail, NULL), 0);
	return d;
}

static json_t *call(struct btt_rpc_dispatch *d, const char *body)
{
	return btt_rpc_handle(d, (const uint8_t *)body, strlen(body));
}

/* The error code of a single response (0 when it is a result). */
static int code_of(json_t *r)
{
	json_t *e = json_object_get(r, "error");

	assert_true(json_is_object(r));
	assert_string_equal(json_string_value(json_object_get(r, "jsonrpc")),
			    "2.0");
	return e ? (int)json_integer_value(json_object_get(e, "code")) : 0;
}

static int code_once(struct btt_rpc_dispatch *d, const char *body)
{
	json_t *r = call(d, body);
	int c = code_of(r);

	json_decref(r);
	return c;
}

static void test_jsonrpc_single_result(void **state)
{
	struct btt_rpc_dispatch *d = table();
	json_t *r = call(d, "{\"jsonrpc\":\"2.0\",\"method\":\"inc\","
			    "\"params\":[41],\"id\":\"a\"}");

	(void)state;
	assert_int_equal(code_of(r), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "result")), 42);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "a");
	json_decref(r);
	btt_rpc_dispatch_free(d);
}

static void test_jsonrpc_parse_errors(void **state)
{
	struct btt_rpc_dispatch *d = table();
	const char *msg;
	json_t *r;

	(void)state;
	assert_int_equal(code_once(d, "{\"jsonrpc\":\"2.0\","), -32700);
	assert_int_equal(code_once(d, ""), -32700);
	assert_int_equal(code_once(d, "{\"a\":1} x"), -32700);
	assert_int_equal(code_once(d, "{\"jsonrpc\":\"2.0\",\"method\":"
				      "\"echo\",\"id\":1,\"id\":2}"),
			 -32700);
	r = call(d, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":"
		    "[\"\\u0000\"],\"id\":1}");
	assert_int_equal(code_of(r), -32700);
	assert_true(json_is_null(json_object_get(r, "id")));
	json_decref(r);
	assert_int_equal(code_once(d, "[\xff]"), -32700);
	/* jansson quotes the bad input in its message: it must not reach
	 * the response, which stays valid UTF-8 */
	r = call(d, "{\"jsonrpc\":\"2.0\",\"params\":[\"\\\xd1\x8f\"]}");
	assert_int_equal(code_of(r), -32700);
	msg = json_string_value(
		json_object_get(json_object_get(r, "error"), "message"));
	assert_non_null(msg);
	assert_null(strchr(msg, '\''));
	json_decref(r);
	btt_rpc_dispatch_free(d);
}

static void test_jsonrpc_invalid_requests(void **state)
{
	struct btt_rpc_dispatch *d = table();
	static const char *bad[] = {
		"\"text\"",
		"42",
		"{}",
		"{\"jsonrpc\":\"1.0\",\"method\":\"echo\",\"id\":1}",
		"{\"jsonrpc\":2,\"method\":\"echo\",\"id\":1}",
		"{\"jsonrpc\":\"2.0\",\"id\":1}",
		"{\"jsonrpc\":\"2.0\",\"method\":7,\"id\":1}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"\",\"id\":1}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":3,"
		"\"id\":1}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1.5}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":[1]}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1,\"x\":0}",
		"[]",
	};

	(void)state;
	calls = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(code_once(d, bad[i]), -32600);
	assert_int_equal(calls, 0);
	btt_rpc_dispatch_free(d);
}

static void test_jsonrpc_method_and_handler_errors(void **state)
{
	struct btt_rpc_dispatch *d = table();
	json_t *r, *data;

	(void)state;
	assert_int_equal(code_once(d, "{\"jsonrpc\":\"2.0\",\"method\":"
				      "\"nope\",\"id\":1}"),
			 -32601);
	assert_int_equal(code_once(d, "{\"jsonrpc\":\"2.0\",\"method\":"
				      "\"inc\",\"params\":[\"x\"],\"id\":1}"),
			 -32602);
	assert_int_equal(code_once(d, "{\"jsonrpc\":\"2.0\",\"method\":"
				      "\"oops\",\"id\":1}"),
			 -32603);
	r = call(d, "{\"jsonrpc\":\"2.0\",\"method\":\"pay\",\"id\":null}");
	assert_int_equal(code_of(r), BTT_RPC_FUNDS);
	assert_true(json_is_null(json_object_get(r, "id")));
	data = json_object_get(json_object_get(r, "error"), "data");
	assert_int_equal(json_integer_value(json_object_get(data, "btt_code")),
			 BTT_EFUNDS);
	assert_string_equal(
		json_string_value(json_object_get(data, "btt_error")),
		"BTT_EFUNDS");
	json_decref(r);
	btt_rpc_dispatch_free(d);
}

static void test_jsonrpc_btt_code_table(void **state)
{
	(void)state;
	assert_int_equal(btt_rpc_code_of(BTT_ENOTFOUND), BTT_RPC_NOT_FOUND);
	assert_int_equal(btt_rpc_code_of(BTT_ETRAILING), BTT_RPC_BAD_ENCODING);
	assert_int_equal(btt_rpc_code_of(BTT_ESIGNATURE),
			 BTT_RPC_BAD_SIGNATURE);
	assert_int_equal(btt_rpc_code_of(BTT_ELIMIT), BTT_RPC_LIMIT);
	assert_int_equal(btt_rpc_code_of(BTT_EINVALID), BTT_RPC_INVALID_PARAMS);
	assert_int_equal(btt_rpc_code_of(-5), BTT_RPC_SERVER_ERROR);
}

static void test_jsonrpc_notifications(void **state)
{
	struct btt_rpc_dispatch *d = table();

	(void)state;
	calls = 0;
	assert_null(call(d, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}"));
	assert_int_equal(calls, 1);
	/* unknown method and handler errors: still no response */
	assert_null(call(d, "{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}"));
	assert_null(call(d, "{\"jsonrpc\":\"2.0\",\"method\":\"pay\"}"));
	assert_null(call(d, "[{\"jsonrpc\":\"2.0\",\"method\":\"echo\"},"
			    "{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}]"));
	assert_int_equal(calls, 3);
	btt_rpc_dispatch_free(d);
}

static void test_jsonrpc_batch(void **state)
{
	struct btt_rpc_dispatch *d = table();
	json_t *r;

	(void)state;
	r = call(d, "[{\"jsonrpc\":\"2.0\",\"method\":\"inc\",\"params\":[1],"
		    "\"id\":1},{\"jsonrpc\":\"2.0\",\"method\":\"echo\"},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":3},"
		    "5]");
	assert_true(json_is_array(r));
	assert_int_equal(json_array_size(r), 3);
	assert_int_equal(code_of(json_array_get(r, 0)), 0);
	assert_int_equal(code_of(json_array_get(r, 1)), -32601);
	assert_int_equal(
		json_integer_value(json_object_get(json_array_get(r, 1), "id")),
		3);
	assert_int_equal(code_of(json_array_get(r, 2)), -32600);
	json_decref(r);
	r = call(d, "[1,2,3]");
	assert_int_equal(json_array_size(r), 3);
	json_decref(r);
	btt_rpc_dispatch_free(d);
}

static char *batch_of(size_t n)
{
	static const char one[] =
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1},";
	char *b = malloc(n * (sizeof(one) - 1) + 3);

	assert_non_null(b);
	b[0] = '[';
	for (size_t i = 0; i < n; i++)
		memcpy(b + 1 + i * (sizeof(one) - 1), one, sizeof(one) - 1);
	b[n * (sizeof(one) - 1)] = ']';
	b[n * (sizeof(one) - 1) + 1] = 0;
	return b;
}

static void test_jsonrpc_batch_limit(void **state)
{
	struct btt_rpc_dispatch *d = table();
	char *b;
	json_t *r;

	(void)state;
	for (size_t n = BTT_RPC_MAX_BATCH - 1; n <= BTT_RPC_MAX_BATCH + 1;
	     n++) {
		b = batch_of(n);
		r = call(d, b);
		if (n <= BTT_RPC_MAX_BATCH) {
			assert_true(json_is_array(r));
			assert_int_equal(json_array_size(r), n);
		} else {
			assert_int_equal(code_of(r), -32600);
		}
		json_decref(r);
		free(b);
	}
	btt_rpc_dispatch_free(d);
}

/* A request whose params nest so that the whole body is `depth` deep. */
static char *nested(size_t depth)
{
	static const char head[] =
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1,\"params\":";
	size_t inner = depth - 1, n = sizeof(head) - 1 + 2 * inner + 2;
	char *b = malloc(n + 1);

	assert_non_null(b);
	memcpy(b, head, sizeof(head) - 1);
	memset(b + sizeof(head) - 1, '[', inner);
	memset(b + sizeof(head) - 1 + inner, ']', inner);
	b[n - 2] = '}';
	b[n - 1] = 0;
	return b;
}

static void test_jsonrpc_depth_limit(void **state)
{
	struct btt_rpc_dispatch *d = table();
	char *b;

	(void)state;
	for (size_t depth = BTT_RPC_MAX_DEPTH - 1;
	     depth <= BTT_RPC_MAX_DEPTH + 1; depth++) {
		b = nested(depth);
		assert_int_equal(btt_json_depth((uint8_t *)b, strlen(b),
						BTT_RPC_MAX_DEPTH),
				 depth);
		assert_int_equal(code_once(d, b),
				 depth <= BTT_RPC_MAX_DEPTH ? 0 : -32700);
		free(b);
	}
	/* brackets inside strings, escaped quotes included, do not count */
	assert_int_equal(
		btt_json_depth((const uint8_t *)"[\"[[\\\"[\"]", 10, 16), 1);
	btt_rpc_dispatch_free(d);
}

static void test_jsonrpc_body_limit(void **state)
{
	struct btt_rpc_dispatch *d = table();
	static const char req[] =
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}";
	uint8_t *b = malloc(BTT_RPC_MAX_BODY + 1);
	json_t *r;

	(void)state;
	assert_non_null(b);
	memset(b, ' ', BTT_RPC_MAX_BODY + 1);
	memcpy(b, req, sizeof(req) - 1);
	for (size_t n = BTT_RPC_MAX_BODY - 1; n <= BTT_RPC_MAX_BODY + 1; n++) {
		r = btt_rpc_handle(d, b, n);
		assert_int_equal(code_of(r),
				 n <= BTT_RPC_MAX_BODY ? 0 : -32600);
		json_decref(r);
	}
	free(b);
	btt_rpc_dispatch_free(d);
}

static void test_jsonrpc_method_names(void **state)
{
	struct btt_rpc_dispatch *d = btt_rpc_dispatch_new();
	char name[BTT_RPC_MAX_METHOD + 2], body[256];

	(void)state;
	memset(name, 'm', sizeof(name));
	name[BTT_RPC_MAX_METHOD + 1] = 0;
	assert_int_equal(btt_rpc_dispatch_add(d, name, echo, NULL),
			 BTT_EINVALID);
	name[BTT_RPC_MAX_METHOD] = 0;
	assert_int_equal(btt_rpc_dispatch_add(d, name, echo, NULL), 0);
	name[BTT_RPC_MAX_METHOD - 1] = 0;
	assert_int_equal(btt_rpc_dispatch_add(d, name, echo, NULL), 0);
	assert_int_equal(btt_rpc_dispatch_add(d, name, echo, NULL),
			 BTT_EDUPLICATE);
	assert_int_equal(btt_rpc_dispatch_add(d, "", echo, NULL), BTT_EINVALID);
	assert_int_equal(btt_rpc_dispatch_add(d, "x", NULL, NULL),
			 BTT_EINVALID);
	name[BTT_RPC_MAX_METHOD - 1] = 'm';
	snprintf(body, sizeof(body),
		 "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"id\":1}", name);
	assert_int_equal(code_once(d, body), 0);
	name[BTT_RPC_MAX_METHOD] = 'm';
	snprintf(body, sizeof(body),
		 "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"id\":1}", name);
	assert_int_equal(code_once(d, body), -32600);
	btt_rpc_dispatch_free(d);
}

static void test_jsonrpc_table_limit(void **state)
{
	struct btt_rpc_dispatch *d = btt_rpc_dispatch_new();
	char name[16];

	(void)state;
	for (int i = 0; i < BTT_RPC_MAX_METHODS; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		assert_int_equal(btt_rpc_dispatch_add(d, name, echo, NULL), 0);
	}
	assert_int_equal(btt_rpc_dispatch_add(d, "last", echo, NULL),
			 BTT_ELIMIT);
	btt_rpc_dispatch_free(d);
	btt_rpc_dispatch_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonrpc_single_result),
		cmocka_unit_test(test_jsonrpc_parse_errors),
		cmocka_unit_test(test_jsonrpc_invalid_requests),
		cmocka_unit_test(test_jsonrpc_method_and_handler_errors),
		cmocka_unit_test(test_jsonrpc_btt_code_table),
		cmocka_unit_test(test_jsonrpc_notifications),
		cmocka_unit_test(test_jsonrpc_batch),
		cmocka_unit_test(test_jsonrpc_batch_limit),
		cmocka_unit_test(test_jsonrpc_depth_limit),
		cmocka_unit_test(test_jsonrpc_body_limit),
		cmocka_unit_test(test_jsonrpc_method_names),
		cmocka_unit_test(test_jsonrpc_table_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
