/* btt's peer id (BEP 20, Azureus style): "-BQ" + four version characters +
 * "-" + 12 random characters, e.g. "-BQ0100-x7Kq_2mZ9aPc" for 0.1.0.
 *
 * "BQ" is used by no client in BEP 20's list, libtorrent's
 * identify_client, Transmission's clients.cc, rTorrent's client_list,
 * BiglyBT/Vuze's decoder table or webtorrent's bittorrent-peerid (see
 * docs/wire.md). The version characters are major, minor, patch and 0,
 * each 0-9 then A-Z for 10-35 (the way libtorrent and Transmission decode
 * them), clamped at Z. The random part uses a 64-character URL-safe
 * alphabet (RFC 3986 unreserved), so the id appears unescaped in tracker
 * query strings; 12 characters carry 72 random bits. */
#ifndef BTT_BT_PEER_ID_H
#define BTT_BT_PEER_ID_H

#include <stdbool.h>
#include <stdint.h>

#define BTT_PEER_ID_LEN 20
#define BTT_PEER_ID_CLIENT "BQ"
#define BTT_PEER_ID_PREFIX_LEN 8 /* "-BQvvvv-" */

/* Writes the 8-byte prefix for BTT_VERSION. */
void btt_peer_id_prefix(uint8_t out[BTT_PEER_ID_PREFIX_LEN]);

/* A fresh peer id: the prefix and 12 characters from btt_rand_bytes. */
void btt_peer_id_new(uint8_t out[BTT_PEER_ID_LEN]);

/* True when id starts with btt's client code ("-BQ", any version). */
bool btt_peer_id_is_btt(const uint8_t id[BTT_PEER_ID_LEN]);

#endif
