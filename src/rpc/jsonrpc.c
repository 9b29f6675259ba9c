/* JSON-RPC 2.0: parsing request bodies, the method table, and running
 * single and batch requests through it. No I/O: the HTTP server, the
 * tests and the fuzz target all come through here.
 *
 * Strictness: a request object has exactly the members jsonrpc ("2.0"),
 * method (a string), and optionally params (array or object) and id
 * (string, integer or null); anything else is an invalid request. A
 * request without id is a notification: it runs, and gets no response
 * unless it is not a valid request at all. A batch is a non-empty array
 * of at most BTT_RPC_MAX_BATCH requests; its response holds one entry per
 * call that has one, and nothing is sent when none has. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btt/err.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/json.h"
#include "rpc/rpc.h"

struct method {
	char name[BTT_RPC_MAX_METHOD + 1];
	btt_rpc_method_fn fn;
	void *arg;
};

struct btt_rpc_dispatch {
	size_t n;
	struct method m[BTT_RPC_MAX_METHODS];
};

json_t *btt_rpc_error_set(struct btt_rpc_error *err, int code, const char *fmt,
			  ...)
{
	va_list ap;

	err->code = code;
	err->btt = 0;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return NULL;
}

int btt_rpc_code_of(int btt)
{
	switch (btt) {
	case BTT_ENOTFOUND: return BTT_RPC_NOT_FOUND;
	case BTT_ETRUNCATED:
	case BTT_EMALFORMED:
	case BTT_ENONCANONICAL:
	case BTT_ETRAILING:
	case BTT_EUNSUPPORTED:
	case BTT_ETYPE:
	case BTT_EMISSING:
	case BTT_EDEPTH: return BTT_RPC_BAD_ENCODING;
	case BTT_ELIMIT: return BTT_RPC_LIMIT;
	case BTT_ESIGNATURE: return BTT_RPC_BAD_SIGNATURE;
	case BTT_EFUNDS: return BTT_RPC_FUNDS;
	case BTT_ECHAINID: return BTT_RPC_WRONG_CHAIN;
	case BTT_ENONCEUSED:
	case BTT_ENONCEGAP: return BTT_RPC_BAD_NONCE;
	case BTT_EFEE: return BTT_RPC_FEE;
	case BTT_ELOCKED: return BTT_RPC_LOCKED;
	case BTT_EDUPLICATE: return BTT_RPC_DUPLICATE;
	case BTT_EEXPIRED: return BTT_RPC_EXPIRED;
	case BTT_EOVERFLOW: return BTT_RPC_OVERFLOW;
	case BTT_EDENIED: return BTT_RPC_DENIED;
	case BTT_ESTATE: return BTT_RPC_STATE;
	case BTT_EINVALID: return BTT_RPC_INVALID_PARAMS;
	default: return BTT_RPC_SERVER_ERROR;
	}
}

json_t *btt_rpc_error_btt(struct btt_rpc_error *err, int btt, const char *what)
{
	btt_rpc_error_set(err, btt_rpc_code_of(btt), "%s: %s", what,
			  btt_strerror(btt));
	err->btt = btt;
	return NULL;
}

struct btt_rpc_dispatch *btt_rpc_dispatch_new(void)
{
	struct btt_rpc_dispatch *d = calloc(1, sizeof(*d));

	if (!d)
		abort();
	return d;
}

void btt_rpc_dispatch_free(struct btt_rpc_dispatch *d)
{
	free(d);
}

static struct method *find(struct btt_rpc_dispatch *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->m[i].name, name))
			return &d->m[i];
	return NULL;
}

int btt_rpc_dispatch_add(struct btt_rpc_dispatch *d, const char *name,
			 btt_rpc_method_fn fn, void *arg)
{
	size_t len = name ? strlen(name) : 0;

	if (!len || len > BTT_RPC_MAX_METHOD || !fn)
		return BTT_EINVALID;
	if (find(d, name))
		return BTT_EDUPLICATE;
	if (d->n == BTT_RPC_MAX_METHODS)
		return BTT_ELIMIT;
	memcpy(d->m[d->n].name, name, len + 1);
	d->m[d->n].fn = fn;
	d->m[d->n].arg = arg;
	d->n++;
	return 0;
}

static json_t *error_obj(json_t *id, int code, const char *msg, int btt)
{
	json_t *m = json_string(msg), *e, *r;

	/* a message that is not UTF-8 (it should never be) is replaced,
	 * so the response stays valid JSON */
	e = json_pack("{s:i,s:o}", "code", code, "message",
		      m ? m : json_string("(message not UTF-8)"));
	if (!e)
		abort();
	if (btt &&
	    json_object_set_new(e, "data",
				json_pack("{s:i,s:s}", "btt_code", btt,
					  "btt_error", btt_err_name(btt))) != 0)
		abort();
	r = json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id",
		      id ? id : json_null(), "error", e);
	if (!r)
		abort();
	return r;
}

int btt_rpc_parse(const uint8_t *body, size_t len, json_t **out)
{
	json_error_t jerr;
	char msg[BTT_RPC_MAX_MESSAGE], text[JSON_ERROR_TEXT_LENGTH], *near;

	*out = NULL;
	if (len > BTT_RPC_MAX_BODY) {
		snprintf(msg, sizeof(msg), "request body larger than %u bytes",
			 BTT_RPC_MAX_BODY);
		*out = error_obj(NULL, BTT_RPC_INVALID_REQUEST, msg, 0);
		return BTT_RPC_INVALID_REQUEST;
	}
	if (btt_json_depth(body, len, BTT_RPC_MAX_DEPTH) > BTT_RPC_MAX_DEPTH) {
		snprintf(msg, sizeof(msg), "JSON nested deeper than %d levels",
			 BTT_RPC_MAX_DEPTH);
		*out = error_obj(NULL, BTT_RPC_PARSE_ERROR, msg, 0);
		return BTT_RPC_PARSE_ERROR;
	}
	*out = json_loadb((const char *)body, len,
			  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (*out)
		return 0;
	/* jansson's text may quote the input after " near ": keep what is
	 * before, escaped (ASCII only) all the same */
	if ((near = strstr(jerr.text, " near ")) != NULL)
		*near = 0;
	btt_log_escape(jerr.text, strlen(jerr.text), text, sizeof(text));
	snprintf(msg, sizeof(msg), "parse error at byte %d: %s", jerr.position,
		 text);
	*out = error_obj(NULL, BTT_RPC_PARSE_ERROR, msg, 0);
	return BTT_RPC_PARSE_ERROR;
}

/* Checks the members of a request object. Returns 0, or fills msg and
 * returns BTT_RPC_INVALID_REQUEST. *out_id is the id to answer with
 * (NULL: null), *out_notify whether there is none. */
static int check_request(json_t *req, json_t **out_id, bool *out_notify,
			 const char **msg)
{
	json_t *id = json_object_get(req, "id"), *v;

	*out_id = NULL;
	*out_notify = id == NULL;
	if (id && !json_is_string(id) && !json_is_integer(id) &&
	    !json_is_null(id)) {
		*out_notify = false;
		*msg = "id must be a string, an integer or null";
		return BTT_RPC_INVALID_REQUEST;
	}
	*out_id = id;
	v = json_object_get(req, "jsonrpc");
	if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0) {
		*msg = "jsonrpc must be \"2.0\"";
		return BTT_RPC_INVALID_REQUEST;
	}
	v = json_object_get(req, "method");
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > BTT_RPC_MAX_METHOD) {
		*msg = "method must be a non-empty string of at most 64 bytes";
		return BTT_RPC_INVALID_REQUEST;
	}
	v = json_object_get(req, "params");
	if (v && !json_is_array(v) && !json_is_object(v)) {
		*msg = "params must be an array or an object";
		return BTT_RPC_INVALID_REQUEST;
	}
	if (json_object_size(req) != 2u + (id != NULL) + (v != NULL)) {
		*msg = "unknown member in the request object";
		return BTT_RPC_INVALID_REQUEST;
	}
	return 0;
}

static json_t *run_one(struct btt_rpc_dispatch *d, json_t *req)
{
	struct btt_rpc_error err = {0};
	const char *msg = "a request must be an object";
	json_t *id = NULL, *result, *r;
	struct method *m;
	bool notify = false;

	if (!json_is_object(req) || check_request(req, &id, &notify, &msg))
		return error_obj(id, BTT_RPC_INVALID_REQUEST, msg, 0);
	m = find(d, json_string_value(json_object_get(req, "method")));
	if (!m) {
		if (notify)
			return NULL;
		return error_obj(id, BTT_RPC_METHOD_NOT_FOUND,
				 "method not found", 0);
	}
	result = m->fn(m->arg, json_object_get(req, "params"), &err);
	if (notify) {
		json_decref(result);
		return NULL;
	}
	if (!result) {
		if (!err.code)
			btt_rpc_error_set(&err, BTT_RPC_INTERNAL_ERROR,
					  "internal error");
		return error_obj(id, err.code, err.message, err.btt);
	}
	r = json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id, "result",
		      result);
	if (!r)
		abort();
	return r;
}

json_t *btt_rpc_dispatch_run(struct btt_rpc_dispatch *d, json_t *req)
{
	char msg[BTT_RPC_MAX_MESSAGE];
	json_t *out, *one, *item;
	size_t i;

	if (!json_is_array(req))
		return run_one(d, req);
	if (json_array_size(req) == 0)
		return error_obj(NULL, BTT_RPC_INVALID_REQUEST, "empty batch",
				 0);
	if (json_array_size(req) > BTT_RPC_MAX_BATCH) {
		snprintf(msg, sizeof(msg), "batch of more than %d calls",
			 BTT_RPC_MAX_BATCH);
		return error_obj(NULL, BTT_RPC_INVALID_REQUEST, msg, 0);
	}
	out = json_array();
	if (!out)
		abort();
	json_array_foreach(req, i, item)
	{
		one = run_one(d, item);
		if (one && json_array_append_new(out, one) != 0)
			abort();
	}
	if (json_array_size(out) == 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *btt_rpc_handle(struct btt_rpc_dispatch *d, const uint8_t *body,
		       size_t len)
{
	json_t *req, *resp;

	if (btt_rpc_parse(body, len, &req) != 0)
		return req;
	resp = btt_rpc_dispatch_run(d, req);
	json_decref(req);
	return resp;
}
