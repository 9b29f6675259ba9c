/* Every cap on untrusted input lives here (STYLE.md). Each limit is tested
 * at max-1, max and max+1 by the unit tests of the module that enforces it.
 *
 * Sizes are chosen to admit every real torrent seen in the wild with a wide
 * margin while keeping the worst case a hostile file can force small: a
 * decoded bencode node is 16 bytes, so a torrent at the size cap costs at
 * most BTT_BENCODE_MAX_ITEMS * 16 bytes of index. */
#ifndef BTT_CORE_LIMITS_H
#define BTT_CORE_LIMITS_H

/* bencode (any source) */
#define BTT_BENCODE_MAX_DEPTH 128	 /* nested lists/dicts */
#define BTT_BENCODE_MAX_ITEMS (4u << 20) /* values in one document */
#define BTT_BENCODE_MAX_INT_DIGITS 19	 /* fits int64 */
#define BTT_BENCODE_MAX_LEN_DIGITS 10	 /* string length prefix */

/* .torrent files and metadata */
#define BTT_METAINFO_MAX_SIZE                                               \
	(30u << 20)			/* whole .torrent, like ut_metadata \
					 */
#define BTT_METAINFO_MAX_FILES 1000000u /* files incl. pad files */
#define BTT_METAINFO_MAX_PATH_DEPTH 64	/* components in one path */
#define BTT_METAINFO_MAX_NAME_LEN 255	/* bytes in one component */
#define BTT_METAINFO_MAX_PATH_LEN 4096	/* bytes in a joined path */
#define BTT_METAINFO_MAX_TRACKERS 512	/* announce URLs over all tiers */
#define BTT_METAINFO_MAX_WEBSEEDS 256
#define BTT_METAINFO_MAX_URL_LEN 4096
#define BTT_METAINFO_MIN_PIECE (16u << 10) /* BEP 52 minimum; v1 takes any */
#define BTT_METAINFO_MAX_PIECE (256u << 20)
#define BTT_METAINFO_MAX_PIECES (8u << 20)	   /* pieces in one torrent */
#define BTT_METAINFO_MAX_TOTAL ((uint64_t)1 << 50) /* 1 PiB of content */
#define BTT_METAINFO_MAX_COMMENT 65536

/* magnet links */
#define BTT_MAGNET_MAX_LEN 65536
#define BTT_MAGNET_MAX_PARAMS 256
#define BTT_MAGNET_MAX_PEERS 64
#define BTT_MAGNET_MAX_SELECT 4096 /* so= ranges */

/* btt create */
#define BTT_CREATE_MIN_PIECE (16u << 10)
#define BTT_CREATE_MAX_PIECE (16u << 20)

/* text codecs (addresses, keys, magnet hashes) */
#define BTT_BASE58_MAX_BYTES 128 /* binary in: 64-byte keys with room */
#define BTT_BASE58_MAX_TEXT 256	 /* text in; decoding is quadratic */

/* ledger transactions (peers, RPC clients, blocks) */
#define BTT_TX_MAX_PAYLOAD 16384 /* bytes after the u32 payload length */
#define BTT_TX_MAX_TRANSFERS 256 /* recipients in one multi-transfer */

/* wallet: key files are read from disk but parsed as untrusted bytes; the
 * KDF caps stop a planted file from demanding hours or gigabytes */
#define BTT_KEYSTORE_MAX_FILE 4096	     /* one key file */
#define BTT_KEYSTORE_MAX_OPSLIMIT 16	     /* Argon2id passes */
#define BTT_KEYSTORE_MAX_MEMLIMIT (1u << 30) /* Argon2id memory, bytes */
#define BTT_WALLET_MAX_PASSPHRASE 1024	     /* bytes, terminal or env */
#define BTT_WALLET_MAX_KEY_TEXT 4096	     /* `wallet import` stdin */

#endif
