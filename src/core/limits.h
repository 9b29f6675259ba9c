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

/* trackers: HTTP announce/scrape bodies and UDP datagrams (BEP 3, 15, 48).
 * A compact response of BTT_TRACKER_MAX_PEERS peers is 12 KiB; one with
 * dict peers (7 bencode values each) about 140 KiB, so the size and item
 * caps admit that with room while keeping a hostile body cheap. */
#define BTT_TRACKER_MAX_RESPONSE (256u << 10) /* HTTP body bytes */
#define BTT_TRACKER_MAX_ITEMS 16384u	      /* bencode values in a body */
#define BTT_TRACKER_MAX_DEPTH 8		      /* the format needs 3 */
#define BTT_TRACKER_MAX_PEERS 2000u    /* distinct peers kept from one reply */
#define BTT_TRACKER_MAX_MESSAGE 200    /* bytes of failure/warning text kept */
#define BTT_TRACKER_MAX_ID 128	       /* `tracker id` bytes echoed back */
#define BTT_TRACKER_MAX_URL 8192       /* a built announce or scrape URL */
#define BTT_TRACKER_MAX_SCRAPE 74      /* info-hashes in one scrape (BEP 15) */
#define BTT_TRACKER_MIN_INTERVAL 60    /* s: floor on interval/min interval */
#define BTT_TRACKER_MAX_INTERVAL 21600 /* s: cap on interval/min interval */

/* btt create */
#define BTT_CREATE_MIN_PIECE (16u << 10)
#define BTT_CREATE_MAX_PIECE (16u << 20)

/* fast resume files (read back from disk, so untrusted): a bitfield of at
 * most BTT_METAINFO_MAX_PIECES bits (1 MiB) and 16 bytes per file for at
 * most BTT_METAINFO_MAX_FILES files (16 MiB), with room for the keys; the
 * format needs 11 bencode values */
#define BTT_RESUME_MAX_SIZE (18u << 20)
#define BTT_RESUME_MAX_ITEMS 64u

/* peer wire protocol (BEP 3, 6, 52): the parser checks a length prefix
 * against these before it buffers a byte of the body, so a hostile 4 GiB
 * prefix costs nothing (docs/wire.md says why each value). A peer's PIECE
 * answers our own 16 KiB requests; REQUEST lengths we serve go up to
 * 128 KiB (rTorrent asks that much; libtorrent and Transmission 16 KiB).
 * BTT_WIRE_MAX_BITFIELD admits a bitfield sent before the piece count is
 * known (magnet); BTT_WIRE_MAX_MSG is the largest cap, checked on the
 * prefix alone. */
#define BTT_WIRE_MAX_BLOCK 16384	   /* PIECE payload we accept */
#define BTT_WIRE_MAX_REQUEST (128u << 10)  /* REQUEST length we serve */
#define BTT_WIRE_MAX_EXTENDED (256u << 10) /* BEP 10 message */
#define BTT_WIRE_MAX_UNKNOWN (256u << 10)  /* unknown id, skipped */
#define BTT_WIRE_MAX_HASHES 576		   /* BEP 52 HASHES: 512 + proof */
#define BTT_WIRE_MAX_BITFIELD (1u + BTT_METAINFO_MAX_PIECES / 8u)
#define BTT_WIRE_MAX_MSG BTT_WIRE_MAX_BITFIELD
#define BTT_WIRE_BUF_KEEP (32u << 10) /* gather buffer kept after use */

/* BEP 52 hash requests we answer (bt/hashes.h): hashes in the requested
 * run (BEP 52: "Length SHOULD NOT be greater than 512"; libtorrent asks
 * for 512 at a time), and bytes of tree nodes above the piece layers kept
 * per torrent. Those nodes are fewer than the pieces, so the cache is at
 * most the size of the piece layers, and a torrent within
 * BTT_METAINFO_MAX_SIZE never reaches the cap; it bounds the cache anyway.
 * The proof a request may ask for is bounded by the file's tree height
 * (at most 37 layers), so the answer fits BTT_WIRE_MAX_HASHES. */
#define BTT_HASHES_MAX_LENGTH 512
#define BTT_HASHES_MAX_CACHE (32u << 20)

/* BEP 6 allowed-fast sets and BEP 10 extension handshakes */
#define BTT_FAST_MAX_K 64	 /* pieces in one allowed-fast set */
#define BTT_EXT_HS_MAX_DEPTH 8	 /* bencode nesting in a handshake */
#define BTT_EXT_HS_MAX_ITEMS 512 /* bencode values in a handshake */
#define BTT_EXT_MAX_M 64	 /* names in the m dictionary */
#define BTT_EXT_MAX_NAME 64	 /* bytes in one extension name */
#define BTT_EXT_MAX_V 128	 /* bytes of the client name kept */
#define BTT_EXT_MAX_REQQ 65536	 /* reqq is clamped to this */

/* piece picker: peers (bitfields, haves) counted for one piece, seeds
 * apart. Connection limits keep it far lower; this cap bounds the
 * picker's availability buckets (7 * 4 bytes per level) whatever they say */
#define BTT_PICKER_MAX_AVAIL 65535u

/* peer connections (bt/peer.h, bt/torrent.h, bt/session.h). A peer may
 * queue BTT_PEER_MAX_IN_REQUESTS requests with us (we advertise it as
 * reqq, as libtorrent and Transmission do; more are rejected;
 * Transmission 3.00 fetches at most reqq blocks a second from a peer, so
 * 500 would cap it at 8 MB/s); we keep at most BTT_PEER_MAX_OUT_REQUESTS of
 * ours outstanding or cancelled-but-unanswered per peer, so a peer that
 * never answers cannot grow our tables. BTT_PEER_MAX_SCORE misbehaviour
 * points close a connection; an address that collects
 * BTT_TORRENT_BAN_SCORE over its connections (corrupt pieces count most)
 * is banned. Candidates are addresses from trackers and the command line a
 * torrent remembers; handshakes are incoming connections that have not
 * yet named a torrent. */
#define BTT_PEER_MAX_IN_REQUESTS 2000
#define BTT_PEER_MAX_OUT_REQUESTS 2048
#define BTT_PEER_MAX_SCORE 100
#define BTT_TORRENT_BAN_SCORE 100
#define BTT_TORRENT_MAX_CANDIDATES 4096u
#define BTT_SESSION_MAX_HANDSHAKES 256u

/* text codecs (addresses, keys, magnet hashes) */
#define BTT_BASE58_MAX_BYTES 128 /* binary in: 64-byte keys with room */
#define BTT_BASE58_MAX_TEXT 256	 /* text in; decoding is quadratic */

/* ledger transactions (peers, RPC clients, blocks) */
#define BTT_TX_MAX_PAYLOAD 16384 /* bytes after the u32 payload length */
#define BTT_TX_MAX_TRANSFERS 256 /* recipients in one multi-transfer */

/* ledger module records (state, tx payloads) and the genesis file, which is
 * operator-supplied JSON parsed as untrusted input */
#define BTT_VESTING_MAX_PERIODS 64    /* tranches of one periodic schedule */
#define BTT_MULTISIG_MAX_KEYS 5	      /* weighted keys of one account (TRON) */
#define BTT_MULTISIG_MAX_ACTION 16000 /* proposed action payload bytes */
#define BTT_GENESIS_MAX_SIZE (1u << 20) /* whole JSON file */
#define BTT_GENESIS_MAX_DEPTH 8		/* JSON nesting; the format needs 6 */
#define BTT_GENESIS_MAX_BUCKETS 32	/* allocation buckets */
#define BTT_GENESIS_MAX_VALIDATORS 64	/* genesis validator set */
#define BTT_GENESIS_MAX_NAME 32		/* bytes in a bucket name */

/* ledger state records (written by execution of untrusted transactions,
 * read back from disk) and state proofs (from RPC peers, to light
 * clients). The largest record today is a multisig proposal (about
 * 16 KiB). A proof is 3 + 32 + 32 * depth bytes plus 64 for another
 * key's leaf; the longest possible is that at depth 255. */
#define BTT_STATE_MAX_KEY 64		/* bytes of a module record key */
#define BTT_STATE_MAX_VALUE (64u << 10) /* bytes of a module record */
#define BTT_SMT_MAX_PROOF (3 + 32 + 255 * 32 + 64) /* 8259 bytes */

/* ledger blocks (from proposers and peers, read back from the block store).
 * The reference design's 1 MiB would hold about 6,000 transfers; blocks
 * may carry 10,000 transfers (about 1.7 MB), so the cap is 4 MiB. A
 * receipt's events are a few fixed fields (a proposal id). */
#define BTT_BLOCK_MAX_LEN (4u << 20) /* whole block encoding */
#define BTT_BLOCK_MAX_TXS 16384	     /* transactions in one block */
#define BTT_RECEIPT_MAX_EVENTS 256   /* bytes of a receipt's events */
#define BTT_STAKING_MAX_REGISTRY 256 /* registered validators */

/* JSON-RPC server (clients on loopback are still untrusted: a web page
 * can make a browser post to it). A body holds a batch of up to
 * BTT_RPC_MAX_BATCH calls; 256 hex transfers are about 100 KiB, the
 * largest transaction in hex 33 KiB. The depth cap is checked by a flat
 * scan before jansson's recursive parser sees the text; the methods need
 * 3 levels. Responses (a block with its transactions) are capped too. */
#define BTT_RPC_MAX_BODY (1u << 20)	 /* request body bytes */
#define BTT_RPC_MAX_DEPTH 16		 /* JSON nesting */
#define BTT_RPC_MAX_BATCH 256		 /* calls in one batch */
#define BTT_RPC_MAX_METHOD 64		 /* bytes of a method name */
#define BTT_RPC_MAX_CONNECTIONS 128	 /* open HTTP connections */
#define BTT_RPC_MAX_RESPONSE (16u << 20) /* response body bytes */
#define BTT_RPC_CONN_TIMEOUT 30		 /* s an idle connection lives */
#define BTT_RPC_MAX_HISTORY 1000	 /* entries of one history call */

/* mempool (transactions from RPC clients, later from peers): what a
 * sender can make the node hold. 65,536 transfers are about 11 MiB; the
 * byte cap admits that many with room for larger transactions. An account
 * may queue at most BTT_MEMPOOL_MAX_PER_ACCOUNT transactions, all within
 * that many nonces of its chain nonce. */
#define BTT_MEMPOOL_MAX_TXS 65536
#define BTT_MEMPOOL_MAX_BYTES (64u << 20)
#define BTT_MEMPOOL_MAX_PER_ACCOUNT 256

/* HTTP client (trackers, web seeds): the body cap is the caller's, per
 * request; redirects are followed only this many times */
#define BTT_HTTP_MAX_REDIRECTS 5

/* wallet: key files are read from disk but parsed as untrusted bytes; the
 * KDF caps stop a planted file from demanding hours or gigabytes */
#define BTT_KEYSTORE_MAX_FILE 4096	     /* one key file */
#define BTT_KEYSTORE_MAX_OPSLIMIT 16	     /* Argon2id passes */
#define BTT_KEYSTORE_MAX_MEMLIMIT (1u << 30) /* Argon2id memory, bytes */
#define BTT_WALLET_MAX_PASSPHRASE 1024	     /* bytes, terminal or env */
#define BTT_WALLET_MAX_KEY_TEXT 4096	     /* `wallet import` stdin */

#endif
