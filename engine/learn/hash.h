/* hash.h — SHA-256 (FIPS 180-4): the content hash of model files and the
 * fingerprints of data files, through OpenSSL's libcrypto (hash.c says why).
 *
 * Streaming: init, feed bytes in any pieces, finish. */
#ifndef LAB_HASH_H
#define LAB_HASH_H

#include <stddef.h>
#include <stdint.h>

/* the SHA256_* calls are deprecated in OpenSSL 3, not removed */
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/sha.h>

typedef struct sha256_ctx {
    SHA256_CTX c;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* The 32-byte digest into out; c is spent afterwards. */
void sha256_final(sha256_ctx *c, uint8_t out[32]);
/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t digest[32], char hex[65]);

#endif
