/* hash.h — SHA-256 (FIPS 180-4), for the content hash of model files.
 *
 * Streaming: init, feed bytes in any pieces, finish. Small and dependency
 * free; speed matters little (a model's weights are hashed once per save or
 * load), so it favours a plain, checkable implementation over unrolling. */
#ifndef LAB_HASH_H
#define LAB_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t len; /* bytes fed */
    uint8_t buf[64];
    size_t nbuf;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* The 32-byte digest into out; c is spent afterwards. */
void sha256_final(sha256_ctx *c, uint8_t out[32]);
/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t digest[32], char hex[65]);

#endif
