/* CPU references of the accelerator's operations and shared test helpers (ref_ops.h). */
#include "ref_ops.h"

#include <math.h>
#include <string.h>

static float relu_f(float v)
{
    return v > 0.0f ? v : 0.0f;
}

void ref_fc_fwd(uint32_t n, uint32_t c, uint32_t k, const float *x, const float *w, const float *bias, float *y,
                int relu)
{
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t o = 0; o < k; ++o) {
            float acc = bias ? bias[o] : 0.0f;
            for (uint32_t j = 0; j < c; ++j)
                acc += x[i * c + j] * w[o * c + j];
            y[i * k + o] = relu ? relu_f(acc) : acc;
        }
}

void ref_fc_bwd_data(uint32_t n, uint32_t c, uint32_t k, const float *dy, const float *w, const float *relu_mask_x,
                     float *dx)
{
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t j = 0; j < c; ++j) {
            float acc = 0.0f;
            if (!relu_mask_x || relu_mask_x[i * c + j] > 0.0f)
                for (uint32_t o = 0; o < k; ++o)
                    acc += dy[i * k + o] * w[o * c + j];
            dx[i * c + j] = acc;
        }
}

void ref_fc_bwd_weight(uint32_t n, uint32_t c, uint32_t k, const float *dy, const float *x, float *dw, float *db)
{
    for (uint32_t o = 0; o < k; ++o) {
        for (uint32_t j = 0; j < c; ++j) {
            float acc = 0.0f;
            for (uint32_t i = 0; i < n; ++i)
                acc += dy[i * k + o] * x[i * c + j];
            dw[o * c + j] = acc;
        }
        if (db) {
            float acc = 0.0f;
            for (uint32_t i = 0; i < n; ++i)
                acc += dy[i * k + o];
            db[o] = acc;
        }
    }
}

/* Input row/column of output (p, q) and kernel tap (r, s); negative or past the edge = padding. */
static int conv_in(uint32_t out, uint32_t tap, uint32_t stride, uint32_t pad, uint32_t size, uint32_t *in)
{
    int32_t v = (int32_t)(out * stride + tap) - (int32_t)pad;
    if (v < 0 || v >= (int32_t)size)
        return 0;
    *in = (uint32_t)v;
    return 1;
}

#define X_AT(s, n_, c_, h_, w_) ((((n_) * (s)->c + (c_)) * (s)->h + (h_)) * (s)->w + (w_))
#define W_AT(s, k_, c_, r_, s_) ((((k_) * (s)->c + (c_)) * (s)->r + (r_)) * (s)->s + (s_))

void ref_conv_fwd(const stvp_accel_conv_shape_t *s, const float *x, const float *w, const float *bias, float *y,
                  int relu)
{
    const uint32_t P = stvp_accel_conv_out_h(s), Q = stvp_accel_conv_out_w(s);
    for (uint32_t n = 0; n < s->n; ++n)
        for (uint32_t k = 0; k < s->k; ++k)
            for (uint32_t p = 0; p < P; ++p)
                for (uint32_t q = 0; q < Q; ++q) {
                    float acc = bias ? bias[k] : 0.0f;
                    for (uint32_t c = 0; c < s->c; ++c)
                        for (uint32_t r = 0; r < s->r; ++r) {
                            uint32_t hi;
                            if (!conv_in(p, r, s->stride_h, s->pad_h, s->h, &hi))
                                continue;
                            for (uint32_t t = 0; t < s->s; ++t) {
                                uint32_t wi;
                                if (conv_in(q, t, s->stride_w, s->pad_w, s->w, &wi))
                                    acc += w[W_AT(s, k, c, r, t)] * x[X_AT(s, n, c, hi, wi)];
                            }
                        }
                    y[((n * s->k + k) * P + p) * Q + q] = relu ? relu_f(acc) : acc;
                }
}

void ref_conv_bwd_data(const stvp_accel_conv_shape_t *s, const float *dy, const float *w, const float *relu_mask_x,
                       float *dx)
{
    const uint32_t P = stvp_accel_conv_out_h(s), Q = stvp_accel_conv_out_w(s);
    memset(dx, 0, sizeof(float) * s->n * s->c * s->h * s->w);
    /* Scatter each output gradient back through the kernel (the transpose of the forward). */
    for (uint32_t n = 0; n < s->n; ++n)
        for (uint32_t k = 0; k < s->k; ++k)
            for (uint32_t p = 0; p < P; ++p)
                for (uint32_t q = 0; q < Q; ++q) {
                    const float g = dy[((n * s->k + k) * P + p) * Q + q];
                    for (uint32_t c = 0; c < s->c; ++c)
                        for (uint32_t r = 0; r < s->r; ++r) {
                            uint32_t hi;
                            if (!conv_in(p, r, s->stride_h, s->pad_h, s->h, &hi))
                                continue;
                            for (uint32_t t = 0; t < s->s; ++t) {
                                uint32_t wi;
                                if (conv_in(q, t, s->stride_w, s->pad_w, s->w, &wi))
                                    dx[X_AT(s, n, c, hi, wi)] += w[W_AT(s, k, c, r, t)] * g;
                            }
                        }
                }
    if (relu_mask_x)
        for (uint32_t i = 0; i < s->n * s->c * s->h * s->w; ++i)
            if (!(relu_mask_x[i] > 0.0f))
                dx[i] = 0.0f;
}

void ref_conv_bwd_weight(const stvp_accel_conv_shape_t *s, const float *dy, const float *x, float *dw, float *db)
{
    const uint32_t P = stvp_accel_conv_out_h(s), Q = stvp_accel_conv_out_w(s);
    for (uint32_t k = 0; k < s->k; ++k) {
        for (uint32_t c = 0; c < s->c; ++c)
            for (uint32_t r = 0; r < s->r; ++r)
                for (uint32_t t = 0; t < s->s; ++t) {
                    float acc = 0.0f;
                    for (uint32_t n = 0; n < s->n; ++n)
                        for (uint32_t p = 0; p < P; ++p) {
                            uint32_t hi;
                            if (!conv_in(p, r, s->stride_h, s->pad_h, s->h, &hi))
                                continue;
                            for (uint32_t q = 0; q < Q; ++q) {
                                uint32_t wi;
                                if (conv_in(q, t, s->stride_w, s->pad_w, s->w, &wi))
                                    acc += dy[((n * s->k + k) * P + p) * Q + q] * x[X_AT(s, n, c, hi, wi)];
                            }
                        }
                    dw[W_AT(s, k, c, r, t)] = acc;
                }
        if (db) {
            float acc = 0.0f;
            for (uint32_t n = 0; n < s->n; ++n)
                for (uint32_t i = 0; i < P * Q; ++i)
                    acc += dy[(n * s->k + k) * P * Q + i];
            db[k] = acc;
        }
    }
}

/* Flat input index of the first maximum (row-major window order) of window (p, q). */
static uint32_t pool_argmax(const stvp_accel_pool_shape_t *s, const float *x, uint32_t plane, uint32_t p, uint32_t q)
{
    uint32_t best = plane + (p * s->stride_h) * s->w + q * s->stride_w;
    for (uint32_t r = 0; r < s->r; ++r)
        for (uint32_t t = 0; t < s->s; ++t) {
            uint32_t i = plane + (p * s->stride_h + r) * s->w + q * s->stride_w + t;
            if (x[i] > x[best])
                best = i;
        }
    return best;
}

void ref_maxpool_fwd(const stvp_accel_pool_shape_t *s, const float *x, float *y)
{
    const uint32_t P = stvp_accel_pool_out_h(s), Q = stvp_accel_pool_out_w(s);
    for (uint32_t nc = 0; nc < s->n * s->c; ++nc)
        for (uint32_t p = 0; p < P; ++p)
            for (uint32_t q = 0; q < Q; ++q)
                y[(nc * P + p) * Q + q] = x[pool_argmax(s, x, nc * s->h * s->w, p, q)];
}

void ref_maxpool_bwd(const stvp_accel_pool_shape_t *s, const float *x, const float *dy, float *dx, int relu_mask)
{
    const uint32_t P = stvp_accel_pool_out_h(s), Q = stvp_accel_pool_out_w(s);
    memset(dx, 0, sizeof(float) * s->n * s->c * s->h * s->w);
    for (uint32_t nc = 0; nc < s->n * s->c; ++nc)
        for (uint32_t p = 0; p < P; ++p)
            for (uint32_t q = 0; q < Q; ++q) {
                uint32_t i = pool_argmax(s, x, nc * s->h * s->w, p, q);
                if (!relu_mask || x[i] > 0.0f)
                    dx[i] += dy[(nc * P + p) * Q + q];
            }
}

void ref_softmax_xent(uint32_t n, uint32_t classes, const float *logits, const int32_t *labels, float *dlogits,
                      stvp_accel_xent_result *result)
{
    float loss = 0.0f;
    uint32_t correct = 0;
    for (uint32_t i = 0; i < n; ++i) {
        const float *l = logits + i * classes;
        uint32_t arg = 0;
        for (uint32_t j = 1; j < classes; ++j)
            if (l[j] > l[arg])
                arg = j;
        correct += arg == (uint32_t)labels[i];
        const float m = l[arg];
        float sum = 0.0f;
        for (uint32_t j = 0; j < classes; ++j)
            sum += expf(l[j] - m);
        /* -log softmax[label] = log(sum) - (l[label] - m) */
        loss += logf(sum) - (l[labels[i]] - m);
        for (uint32_t j = 0; j < classes; ++j) {
            float pj = expf(l[j] - m) / sum;
            dlogits[i * classes + j] = (pj - (j == (uint32_t)labels[i] ? 1.0f : 0.0f)) / (float)n;
        }
    }
    result->loss = loss / (float)n;
    result->correct = correct;
}

void ref_sgd(uint32_t count, float *w, const float *g, float lr, float weight_decay)
{
    for (uint32_t i = 0; i < count; ++i)
        w[i] -= lr * (g[i] + weight_decay * w[i]);
}

static uint32_t rng_state = 1;

void ref_seed(uint32_t seed)
{
    rng_state = seed ? seed : 1;
}

uint32_t ref_rand(void)
{
    /* xorshift32 (Marsaglia 2003) */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

void ref_fill(float *p, uint32_t count, float lo, float hi)
{
    for (uint32_t i = 0; i < count; ++i)
        p[i] = lo + (hi - lo) * ((float)(ref_rand() >> 8) * (1.0f / 16777216.0f));
}

float ref_max_error(const float *got, const float *want, uint32_t count)
{
    float scale = 1e-6f, err = 0.0f;
    for (uint32_t i = 0; i < count; ++i) {
        if (!isfinite(got[i]))
            return 1e30f;
        scale = fmaxf(scale, fabsf(want[i]));
        err = fmaxf(err, fabsf(got[i] - want[i]));
    }
    return err / scale;
}

float *ref_area_reset(const ref_area_t *a)
{
    for (uint32_t i = 0; i < a->words + 2 * REF_GUARD_WORDS; ++i)
        a->mem[i] = REF_GUARD_PATTERN;
    return (float *)(a->mem + REF_GUARD_WORDS);
}

static int all_pattern(const uint32_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; ++i)
        if (p[i] != REF_GUARD_PATTERN)
            return 0;
    return 1;
}

int ref_area_intact(const ref_area_t *a, uint32_t used)
{
    return all_pattern(a->mem, REF_GUARD_WORDS) &&
           all_pattern(a->mem + REF_GUARD_WORDS + used, a->words - used + REF_GUARD_WORDS);
}

int ref_area_untouched(const ref_area_t *a, uint32_t used)
{
    return all_pattern(a->mem + REF_GUARD_WORDS, used);
}
