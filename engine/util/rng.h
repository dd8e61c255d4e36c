/* rng.h — the one random number generator of lab: xoshiro256** seeded
 * through splitmix64.
 *
 * Every random choice in lab takes a seed, so the same notebook, data and
 * seed give the same numbers on every machine. The generator is small (32
 * bytes of state, no allocation), fast, and its streams are fixed by its
 * published algorithm rather than by a C library's rand(). It is not for
 * cryptography. */
#ifndef LAB_RNG_H
#define LAB_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng;

/* Seed r from one 64-bit seed (any value, 0 included): the four words of
 * state are successive outputs of splitmix64, so they are never all zero. */
void rng_seed(rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t rng_next(rng *r);

/* A double uniform in [0, 1), with 53 random bits. */
double rng_uniform(rng *r);

/* An integer uniform in [0, n), without modulo bias (Lemire's multiply and
 * reject). n == 0 returns 0. */
uint64_t rng_below(rng *r, uint64_t n);

/* Shuffle idx[0..n) in place (Fisher-Yates): every order equally likely. */
void rng_shuffle(rng *r, size_t *idx, size_t n);

#endif
