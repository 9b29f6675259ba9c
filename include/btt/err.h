/* btt error codes: one int space shared by every module.
 *
 * 0 is success and every error is negative. System and libuv errors pass
 * through as -errno; btt's own codes live in -20000..-20999 and come from
 * the single list below. Codes are API: append, never renumber. */
#ifndef BTT_ERR_H
#define BTT_ERR_H

#define BTT_ERRORS(X)                                                \
	X(TRUNCATED, -20000, "input ended early")                    \
	X(MALFORMED, -20001, "malformed input")                      \
	X(NONCANONICAL, -20002, "non-canonical encoding")            \
	X(LIMIT, -20003, "a limit was exceeded")                     \
	X(TRAILING, -20004, "trailing bytes after the value")        \
	X(DEPTH, -20005, "nesting too deep")                         \
	X(TYPE, -20006, "value has the wrong type")                  \
	X(MISSING, -20007, "required field missing")                 \
	X(PATH, -20008, "unsafe file path")                          \
	X(HASH, -20009, "hash mismatch")                             \
	X(OVERFLOW, -20010, "arithmetic overflow")                   \
	X(NOSPACE, -20011, "output buffer limit reached")            \
	X(USAGE, -20012, "bad usage")                                \
	X(UNSUPPORTED, -20013, "not supported")                      \
	X(INVALID, -20014, "invalid argument")                       \
	X(NOTFOUND, -20015, "not found")                             \
	X(CHECKSUM, -20016, "checksum mismatch")                     \
	X(CANCELLED, -20017, "cancelled")                            \
	X(CRYPTO, -20018, "cryptographic library failure")           \
	X(INCOMPLETE, -20019, "data incomplete")                     \
	X(SIGNATURE, -20020, "invalid signature")                    \
	X(AUTH, -20021, "wrong passphrase or tampered data")         \
	X(DUPLICATE, -20022, "duplicate entry")                      \
	X(EXPIRED, -20023, "expired")                                \
	X(DENIED, -20024, "not permitted")                           \
	X(FUNDS, -20025, "insufficient funds")                       \
	X(STATE, -20026, "not allowed in the current state")         \
	X(EOF, -20027, "connection closed by the peer")              \
	X(HTTP, -20028, "HTTP transfer failed")                      \
	X(TRACKER, -20029, "tracker refused the request")            \
	X(STOREFULL, -20030, "ledger store full (map size reached)") \
	X(CORRUPT, -20031, "stored data is corrupt")                 \
	X(STORE, -20032, "ledger store failure")                     \
	X(NONCEUSED, -20033, "nonce already used")                   \
	X(NONCEGAP, -20034, "nonce skips ahead of the account")      \
	X(CHAINID, -20035, "wrong chain id")                         \
	X(FEE, -20036, "fee exceeds max_fee")                        \
	X(LOCKED, -20037, "coins are locked by vesting")             \
	X(GENESIS, -20038, "data directory of another genesis")      \
	X(BLOCK, -20039, "block does not extend the chain")

enum btt_err {
#define BTT_ERR_ENUM(name, code, msg) BTT_E##name = code,
	BTT_ERRORS(BTT_ERR_ENUM)
#undef BTT_ERR_ENUM
};

/* A human-readable message for any error code (btt's, -errno, or 0).
 * Returns a static string; never NULL. Any thread. */
const char *btt_strerror(int err);

/* The symbolic name ("BTT_ETRUNCATED", "ENOENT"), or "EUNKNOWN". */
const char *btt_err_name(int err);

#endif
