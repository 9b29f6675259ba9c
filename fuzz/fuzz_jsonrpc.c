// modules: rpc io core
/* JSON-RPC request handling: any body goes through the parser and the
 * dispatcher (single and batch calls, notifications) against a small
 * method table; whatever comes back must be a response object or a
 * non-empty array of them, and serialise within the response cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/json.h"
#include "rpc/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *echo(void *arg, json_t *params, struct btt_rpc_error *err)
{
	(void)arg;
	(void)err;
	return params ? json_incref(params) : json_null();
}

static json_t *fail(void *arg, json_t *params, struct btt_rpc_error *err)
{
	(void)arg;
	(void)params;
	return btt_rpc_error_btt(err, -20025, "fail");
}

static struct btt_rpc_dispatch *table(void)
{
	static struct btt_rpc_dispatch *d;

	if (!d) {
		d = btt_rpc_dispatch_new();
		if (btt_rpc_dispatch_add(d, "echo", echo, NULL) ||
		    btt_rpc_dispatch_add(d, "fail", fail, NULL))
			abort();
	}
	return d;
}

static void check_one(json_t *r)
{
	json_t *e;

	if (!json_is_object(r) || !json_object_get(r, "id"))
		abort();
	if (strcmp(json_string_value(json_object_get(r, "jsonrpc")), "2.0"))
		abort();
	e = json_object_get(r, "error");
	if (!e == !json_object_get(r, "result"))
		abort();
	if (e && !json_is_integer(json_object_get(e, "code")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *r = btt_rpc_handle(table(), data, size), *item;
	size_t i;

	if (btt_json_depth(data, size, BTT_RPC_MAX_DEPTH) > size)
		abort();
	if (!r)
		return 0;
	if (json_is_array(r)) {
		if (json_array_size(r) == 0 ||
		    json_array_size(r) > BTT_RPC_MAX_BATCH)
			abort();
		json_array_foreach(r, i, item) check_one(item);
	} else {
		check_one(r);
	}
	if (json_dumpb(r, NULL, 0, JSON_COMPACT) == 0)
		abort();
	json_decref(r);
	return 0;
}
