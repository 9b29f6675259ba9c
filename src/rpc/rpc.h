/* JSON-RPC 2.0 over HTTP on 127.0.0.1: a method table, the request
 * parser and dispatcher (no I/O), and the HTTP server that carries them
 * (libmicrohttpd on its own thread, handlers on the loop thread).
 *
 * Threads (DESIGN.md "Threads"): the server's HTTP thread reads requests,
 * checks the HTTP envelope (method, path, Host, Origin, Content-Type, body
 * size) and parses the body as JSON; it then posts the parsed request to
 * the loop with btt_loop_post() and suspends the connection. Method
 * handlers run on the loop thread, one request after another, so they may
 * touch loop-owned state without locks. The response JSON is handed back
 * to the HTTP thread, which resumes the connection and writes it.
 *
 * Untrusted input: bodies are capped (BTT_RPC_MAX_BODY) before they are
 * buffered, their nesting is counted (BTT_RPC_MAX_DEPTH) by a flat scan
 * before jansson parses them, duplicate keys are refused, and batches are
 * capped (BTT_RPC_MAX_BATCH). docs/node.md has the error code table. */
#ifndef BTT_RPC_RPC_H
#define BTT_RPC_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* JSON-RPC 2.0 standard error codes. */
#define BTT_RPC_PARSE_ERROR -32700
#define BTT_RPC_INVALID_REQUEST -32600
#define BTT_RPC_METHOD_NOT_FOUND -32601
#define BTT_RPC_INVALID_PARAMS -32602
#define BTT_RPC_INTERNAL_ERROR -32603

/* Server errors (-32000..-32099, implementation defined), mapped from btt
 * error codes by btt_rpc_error_btt(). */
#define BTT_RPC_SERVER_ERROR -32000  /* unmapped failure, shutting down */
#define BTT_RPC_NOT_FOUND -32001     /* BTT_ENOTFOUND */
#define BTT_RPC_BAD_ENCODING -32002  /* malformed / non-canonical bytes */
#define BTT_RPC_LIMIT -32003	     /* BTT_ELIMIT */
#define BTT_RPC_BAD_SIGNATURE -32004 /* BTT_ESIGNATURE */
#define BTT_RPC_WRONG_CHAIN -32005   /* BTT_ECHAINID */
#define BTT_RPC_BAD_NONCE -32006     /* BTT_ENONCEUSED, BTT_ENONCEGAP */
#define BTT_RPC_FUNDS -32007	     /* BTT_EFUNDS */
#define BTT_RPC_FEE -32008	     /* BTT_EFEE: schedule above max_fee */
#define BTT_RPC_DUPLICATE -32009     /* BTT_EDUPLICATE */
#define BTT_RPC_EXPIRED -32010	     /* BTT_EEXPIRED */
#define BTT_RPC_OVERFLOW -32011	     /* BTT_EOVERFLOW */
#define BTT_RPC_DENIED -32012	     /* BTT_EDENIED */
#define BTT_RPC_STATE -32013	     /* BTT_ESTATE */
#define BTT_RPC_BUSY -32014	     /* a queue is full (mempool) */
#define BTT_RPC_LOCKED -32015	     /* BTT_ELOCKED: vesting coins */

#define BTT_RPC_MAX_MESSAGE 200 /* bytes of an error message, NUL incl. */

/* An error a handler reports: the JSON-RPC code, a message, and the btt
 * error behind it (0 when none); the btt code goes out as error.data. */
struct btt_rpc_error {
	int code;
	int btt;
	char message[BTT_RPC_MAX_MESSAGE];
};

/* Sets err (message formatted like printf, truncated to fit). Returns
 * NULL, so a handler can `return btt_rpc_error_set(...)`. */
json_t *btt_rpc_error_set(struct btt_rpc_error *err, int code, const char *fmt,
			  ...) __attribute__((format(printf, 3, 4)));

/* Sets err from a btt error code with the default table (docs/node.md);
 * the message is `what` followed by ": " and btt_strerror(btt). Returns
 * NULL. */
json_t *btt_rpc_error_btt(struct btt_rpc_error *err, int btt, const char *what);

/* The JSON-RPC code the default table gives a btt error code. */
int btt_rpc_code_of(int btt);

/* A method handler. Runs on the loop thread. `params` is NULL (absent),
 * an array or an object; borrowed. Returns a new reference to the result
 * (never NULL on success: use json_null()), or NULL with err set. */
typedef json_t *(*btt_rpc_method_fn)(void *arg, json_t *params,
				     struct btt_rpc_error *err);

/* The method table and dispatcher. */
struct btt_rpc_dispatch;

#define BTT_RPC_MAX_METHODS 64

struct btt_rpc_dispatch *btt_rpc_dispatch_new(void);
void btt_rpc_dispatch_free(struct btt_rpc_dispatch *d);

/* Registers `name` (1..BTT_RPC_MAX_METHOD bytes). Returns 0,
 * BTT_EDUPLICATE, BTT_ELIMIT (table full) or BTT_EINVALID (name). Not
 * once a server is serving the table. */
int btt_rpc_dispatch_add(struct btt_rpc_dispatch *d, const char *name,
			 btt_rpc_method_fn fn, void *arg);

/* Parses a request body. On success *out is the parsed JSON (a new
 * reference) and 0 is returned. On failure *out is the complete error
 * response to send (id null) and the JSON-RPC code is returned:
 * BTT_RPC_PARSE_ERROR (not JSON, nesting deeper than BTT_RPC_MAX_DEPTH,
 * duplicate keys) or BTT_RPC_INVALID_REQUEST (body larger than
 * BTT_RPC_MAX_BODY). Any thread. */
int btt_rpc_parse(const uint8_t *body, size_t len, json_t **out);

/* Runs a parsed request (single or batch) through the table. Returns the
 * response to send (a new reference), or NULL when nothing is to be sent
 * (only notifications). Loop thread (it runs the handlers). */
json_t *btt_rpc_dispatch_run(struct btt_rpc_dispatch *d, json_t *req);

/* Parse and run in one call (tests, fuzzing). Returns the response or
 * NULL, as _run. */
json_t *btt_rpc_handle(struct btt_rpc_dispatch *d, const uint8_t *body,
		       size_t len);

/* The HTTP server. */
struct btt_loop;
struct btt_rpc_server;

/* Starts serving d on 127.0.0.1:port (0: the OS chooses) on a new
 * thread; handlers run on `loop`, which must be run by the calling
 * thread. d stays the caller's and must outlive the server. Returns 0,
 * -EADDRINUSE, or BTT_ESTATE when the HTTP library cannot start. */
int btt_rpc_server_new(struct btt_loop *loop, struct btt_rpc_dispatch *d,
		       uint16_t port, struct btt_rpc_server **out);

/* The port the server listens on. */
uint16_t btt_rpc_server_port(const struct btt_rpc_server *s);

/* Requests answered so far with a JSON-RPC response (or 204), and
 * requests refused at the HTTP level (bad Host, Origin, method, path,
 * type, size). Any thread. */
uint64_t btt_rpc_server_served(struct btt_rpc_server *s);
uint64_t btt_rpc_server_refused(struct btt_rpc_server *s);

/* A blocking call for command-line tools: posts {method, params} to url
 * (http only) and waits at most timeout_ms. params is borrowed (NULL:
 * []). Returns 0 with *out the result (a new reference); 1 when the
 * server answered with an error (err has its code, message and btt
 * code); or a negative transport error with err->message set:
 * -ECONNREFUSED, -ETIMEDOUT, BTT_ELIMIT (response over
 * BTT_RPC_MAX_RESPONSE), BTT_EHTTP (other failures, a status other than
 * 200), BTT_EMALFORMED (not a JSON-RPC response). */
int btt_rpc_call(const char *url, const char *method, json_t *params,
		 uint32_t timeout_ms, json_t **out, struct btt_rpc_error *err);

/* Stops the server: requests not yet run get a BTT_RPC_SERVER_ERROR
 * response, the HTTP thread is joined. Loop thread; before
 * btt_loop_free(). NULL is a no-op. */
void btt_rpc_server_free(struct btt_rpc_server *s);

#endif
