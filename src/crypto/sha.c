/* SHA-1 and SHA-256 through OpenSSL 3 EVP.
 *
 * The EVP_MD objects are fetched once per process (pthread_once) and kept
 * for its lifetime, so hashing never pays for a provider lookup. Any
 * failure inside OpenSSL here is an allocation failure or a broken
 * installation, never something input can cause, so it aborts. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "crypto/hash.h"

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha1;
static EVP_MD *md_sha256;

static void die(const char *what)
{
	fprintf(stderr, "btt: fatal: OpenSSL %s failed\n", what);
	abort();
}

static void md_fetch(void)
{
	md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!md_sha1 || !md_sha256)
		die("EVP_MD_fetch");
}

static const EVP_MD *md_get(int bits)
{
	if (pthread_once(&md_once, md_fetch) != 0)
		die("pthread_once");
	return bits == 1 ? md_sha1 : md_sha256;
}

static void digest(int bits, const void *p, size_t n, uint8_t *out)
{
	if (!EVP_Digest(p, n, out, NULL, md_get(bits), NULL))
		die("EVP_Digest");
}

static void *ctx_new(int bits)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex2(ctx, md_get(bits), NULL))
		die("EVP_DigestInit");
	return ctx;
}

static void ctx_update(void *ctx, const void *p, size_t n)
{
	if (n && !EVP_DigestUpdate(ctx, p, n))
		die("EVP_DigestUpdate");
}

static void ctx_final(void *ctx, uint8_t *out)
{
	if (!EVP_DigestFinal_ex(ctx, out, NULL))
		die("EVP_DigestFinal");
	EVP_MD_CTX_free(ctx);
}

void btt_sha1(const void *p, size_t n, uint8_t out[BTT_SHA1_LEN])
{
	digest(1, p, n, out);
}

void btt_sha1_init(struct btt_sha1 *h)
{
	h->evp = ctx_new(1);
}

void btt_sha1_update(struct btt_sha1 *h, const void *p, size_t n)
{
	ctx_update(h->evp, p, n);
}

void btt_sha1_final(struct btt_sha1 *h, uint8_t out[BTT_SHA1_LEN])
{
	ctx_final(h->evp, out);
	h->evp = NULL;
}

void btt_sha1_release(struct btt_sha1 *h)
{
	EVP_MD_CTX_free(h->evp);
	h->evp = NULL;
}

void btt_sha256(const void *p, size_t n, uint8_t out[BTT_SHA256_LEN])
{
	digest(256, p, n, out);
}

void btt_sha256_init(struct btt_sha256 *h)
{
	h->evp = ctx_new(256);
}

void btt_sha256_update(struct btt_sha256 *h, const void *p, size_t n)
{
	ctx_update(h->evp, p, n);
}

void btt_sha256_final(struct btt_sha256 *h, uint8_t out[BTT_SHA256_LEN])
{
	ctx_final(h->evp, out);
	h->evp = NULL;
}

void btt_sha256_release(struct btt_sha256 *h)
{
	EVP_MD_CTX_free(h->evp);
	h->evp = NULL;
}
