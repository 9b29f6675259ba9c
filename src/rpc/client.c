/* A blocking JSON-RPC client for command-line tools (`btt chain`, `btt
 * wallet`), one call per HTTP POST through a libcurl easy handle. The
 * event loop's own HTTP client (io/http.h) is asynchronous and GET only;
 * a command that asks one question and exits is simpler blocking.
 *
 * The response body is capped at BTT_RPC_MAX_RESPONSE and parsed with the
 * same strictness as requests (depth scan first). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "btt/err.h"
#include "core/limits.h"
#include "core/wbuf.h"
#include "rpc/rpc.h"

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct btt_wbuf *w = arg;

	btt_wbuf_put(w, p, size * n);
	return btt_wbuf_err(w) ? 0 : size * n;
}

/* Posts body to url; the response body lands in w. */
static int post(const char *url, const char *body, size_t len,
		uint32_t timeout_ms, struct btt_wbuf *w,
		struct btt_rpc_error *err)
{
	static bool inited;
	struct curl_slist *h = NULL;
	CURL *c;
	CURLcode rc;
	long status = 0;
	int e = 0;

	if (!inited && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		inited = true;
	if (!(c = curl_easy_init()))
		return btt_rpc_error_set(err, 0, "cannot start libcurl"),
		       BTT_EHTTP;
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		e = rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT
		    : rc == CURLE_COULDNT_CONNECT  ? -ECONNREFUSED
		    : rc == CURLE_WRITE_ERROR	   ? BTT_ELIMIT
						   : BTT_EHTTP;
		btt_rpc_error_set(err, 0, "%s: %s", url,
				  curl_easy_strerror(rc));
	} else if (status != 200) {
		e = BTT_EHTTP;
		btt_rpc_error_set(err, 0, "%s: HTTP status %ld", url, status);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return e;
}

/* Splits a response object into result or error. */
static int unpack(json_t *resp, json_t **out, struct btt_rpc_error *err)
{
	json_t *e = json_object_get(resp, "error"), *r;

	if (json_is_object(e)) {
		const char *m =
			json_string_value(json_object_get(e, "message"));
		btt_rpc_error_set(
			err,
			(int)json_integer_value(json_object_get(e, "code")),
			"%s", m ? m : "error without a message");
		err->btt = (int)json_integer_value(json_object_get(
			json_object_get(e, "data"), "btt_code"));
		return 1;
	}
	r = json_object_get(resp, "result");
	if (!r) {
		btt_rpc_error_set(err, 0, "response without a result");
		return BTT_EMALFORMED;
	}
	*out = json_incref(r);
	return 0;
}

int btt_rpc_call(const char *url, const char *method, json_t *params,
		 uint32_t timeout_ms, json_t **out, struct btt_rpc_error *err)
{
	json_t *req, *resp;
	struct btt_wbuf w;
	char *body;
	int e;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	req = json_pack("{s:s,s:s,s:o,s:i}", "jsonrpc", "2.0", "method", method,
			"params", params ? json_incref(params) : json_array(),
			"id", 1);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!body)
		abort();
	btt_wbuf_init(&w, BTT_RPC_MAX_RESPONSE);
	e = post(url, body, strlen(body), timeout_ms, &w, err);
	free(body);
	if (e == 0) {
		e = btt_rpc_parse(w.buf, w.len, &resp);
		if (e) {
			btt_rpc_error_set(err, 0, "%s: not a JSON-RPC response",
					  url);
			e = BTT_EMALFORMED;
		} else {
			e = unpack(resp, out, err);
		}
		json_decref(resp);
	}
	btt_wbuf_release(&w);
	return e;
}
