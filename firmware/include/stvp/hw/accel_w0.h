/*
 * The accelerator's W0 generator (INIT_WEIGHTS, and DROPBACK's implicit initial weights):
 * DropBack's counter-based hash of (seed, layer, index), never stored. One source for the
 * model (models/accel/sparse/init_weights.cpp) and the firmware (sw/train computes W0 on the
 * CPU when the device has no INIT_WEIGHTS op), so both produce the same bits.
 *
 * splitmix64 finalisers are pure 64-bit integer math, bit-identical on every host; the only
 * floating-point steps are one conversion of a 24-bit integer (exact), 2u - 1 (exact) and one
 * multiply by the bound. The Kaiming bound sqrt(6 / fan_in) is one correctly rounded double
 * square root (the CPU's soft-float and the host's libm agree), rounded once to binary32.
 */
#ifndef STVP_HW_ACCEL_W0_H
#define STVP_HW_ACCEL_W0_H

#include <math.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* splitmix64 finaliser (Steele, Lea, Flood 2014): a bijection with full avalanche. */
static inline uint64_t stvp_w0_mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The key of one layer's weights. */
static inline uint64_t stvp_w0_key(uint64_t seed, uint32_t layer)
{
    return stvp_w0_mix64(stvp_w0_mix64(seed) ^ layer);
}

/* 64 random bits of weight `index` under `key`. */
static inline uint64_t stvp_w0_bits(uint64_t key, uint64_t index)
{
    return stvp_w0_mix64(key ^ index);
}

/* Uniform in [0, 1) with 24-bit resolution (exact as a float). */
static inline float stvp_w0_unit(uint64_t key, uint64_t index)
{
    return (float)(uint32_t)(stvp_w0_bits(key, index) >> 40) * (1.0f / 16777216.0f);
}

/* Kaiming-uniform bound sqrt(6 / fan_in) (He et al. 2015, ReLU gain sqrt(2)); fan_in 0 counts as 1. */
static inline float stvp_w0_kaiming_bound(uint64_t fan_in)
{
    return (float)sqrt(6.0 / (double)(fan_in ? fan_in : 1u));
}

/* W0 = (2u - 1) * bound: U(-bound, bound). */
static inline float stvp_w0_value(uint64_t key, uint64_t index, float bound)
{
    return (2.0f * stvp_w0_unit(key, index) - 1.0f) * bound;
}

/* out[i] = W0[first + i] of (seed, layer), i < count. */
static inline void stvp_w0_fill(float *out, uint64_t seed, uint32_t layer, uint64_t first, uint64_t count, float bound)
{
    const uint64_t key = stvp_w0_key(seed, layer);
    for (uint64_t i = 0; i < count; ++i)
        out[i] = stvp_w0_value(key, first + i, bound);
}

#ifdef __cplusplus
}
#endif

#endif
