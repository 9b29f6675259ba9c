/* The BEP 10 extension handshake: the bencoded dictionary carried by an
 * EXTENDED message with extended id 0.
 *
 * m maps an extension name to the id THE SENDER wants to receive that
 * extension's messages on: decode a peer's handshake to learn the ids to
 * send with, and advertise in ours the ids we decode incoming messages
 * by. Id 0 disables an extension. A peer may send further handshakes;
 * they are additive (btt_ext_hs_merge).
 *
 * Decoding takes untrusted bytes with small bencode limits
 * (BTT_EXT_HS_MAX_DEPTH, BTT_EXT_HS_MAX_ITEMS). Unknown keys are ignored,
 * and so are known keys of the wrong type or with unusable values (a p
 * outside 1..65535, a yourip that is neither 4 nor 16 bytes, an m value
 * outside 0..255, an m name longer than BTT_EXT_MAX_NAME): every item of
 * the handshake is optional, so a malformed one reads as absent. A
 * payload that is not one canonical bencoded dictionary, or an m with more
 * than BTT_EXT_MAX_M names, is rejected. A struct btt_ext_hs owns no
 * memory: it can be copied and dropped freely. */
#ifndef BTT_BT_EXT_H
#define BTT_BT_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/wbuf.h"

/* Which optional fields a handshake carries (btt_ext_hs.has). */
#define BTT_EXT_HAS_P 0x01u
#define BTT_EXT_HAS_V 0x02u
#define BTT_EXT_HAS_YOURIP 0x04u
#define BTT_EXT_HAS_IPV4 0x08u
#define BTT_EXT_HAS_IPV6 0x10u
#define BTT_EXT_HAS_REQQ 0x20u
#define BTT_EXT_HAS_METADATA_SIZE 0x40u
#define BTT_EXT_HAS_UPLOAD_ONLY 0x80u

struct btt_ext_name {
	uint8_t name[BTT_EXT_MAX_NAME]; /* untrusted bytes, not NUL-ended */
	uint8_t len;
	uint8_t id; /* 0: disabled */
};

/* Zeroed is an empty handshake. */
struct btt_ext_hs {
	struct btt_ext_name m[BTT_EXT_MAX_M];
	uint32_t nm;
	unsigned has;		  /* BTT_EXT_HAS_* */
	uint16_t p;		  /* the sender's TCP listen port, 1..65535 */
	uint8_t v[BTT_EXT_MAX_V]; /* client name, untrusted UTF-8, truncated */
	uint32_t v_len;
	uint8_t yourip[16]; /* how the sender sees us */
	uint8_t yourip_len; /* 4 or 16 when present */
	uint8_t ipv4[4];
	uint8_t ipv6[16];
	uint32_t reqq;		/* 1..BTT_EXT_MAX_REQQ (larger is clamped) */
	uint32_t metadata_size; /* 1..BTT_METAINFO_MAX_SIZE */
	bool upload_only;
};

/* Decodes the handshake payload p[0..n) (after the extended id) into out,
 * which is overwritten. Returns 0, BTT_ETYPE (not a dictionary), BTT_ELIMIT
 * (over the bencode limits or more than BTT_EXT_MAX_M names in m), another
 * bencode error (BTT_EMALFORMED, BTT_ENONCANONICAL, BTT_ETRUNCATED,
 * BTT_ETRAILING, BTT_EDEPTH) or -ENOMEM; on error out is empty. */
int btt_ext_hs_decode(struct btt_ext_hs *out, const uint8_t *p, size_t n);

/* Appends h as a canonical bencoded dictionary (only the fields in h->has,
 * and m when nm > 0). Returns btt_wbuf_err(w). */
int btt_ext_hs_encode(const struct btt_ext_hs *h, struct btt_wbuf *w);

/* Appends a whole EXTENDED message (extended id 0) carrying h. Returns
 * btt_wbuf_err(w). */
int btt_ext_hs_put_msg(struct btt_wbuf *w, const struct btt_ext_hs *h);

/* Adds name -> id to h's m, or changes the id of an existing name (id 0
 * advertises the extension as disabled). Returns 0, BTT_EINVALID (name
 * empty or longer than BTT_EXT_MAX_NAME) or BTT_ELIMIT (m is full). */
int btt_ext_hs_set(struct btt_ext_hs *h, const char *name, uint8_t id);

/* The id h's sender wants for extension `name`; 0 when h does not list
 * it or lists it as disabled. */
uint8_t btt_ext_hs_id(const struct btt_ext_hs *h, const char *name);

/* Applies a later handshake `upd` to the accumulated `acc` (BEP 10: "the
 * m dictionary is additive"): each name in upd.m replaces or adds its id,
 * a name with id 0 is removed, and every field upd carries overwrites
 * acc's. Returns 0, or BTT_ELIMIT when acc's m ran out of room (the names
 * that fit are applied). */
int btt_ext_hs_merge(struct btt_ext_hs *acc, const struct btt_ext_hs *upd);

#endif
