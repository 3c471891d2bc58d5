/*
 * Plain C references of the accelerator's operations (semantics: stvp/hw/accel_desc.h), and
 * the helpers the accelerator test programs share (deterministic data, comparison, guard
 * bands). Used by accel_ops, accel_step and accel_errors (library stvp_accel_ref).
 *
 * The CPU has no FPU: float arithmetic here is libgcc's soft-float, slow but exact IEEE
 * binary32, so keep the shapes small. Sums run in the obvious loop order; the accelerator may
 * sum in another order, so compare with a tolerance (ref_max_error()).
 */
#ifndef SW_ACCEL_REF_OPS_H
#define SW_ACCEL_REF_OPS_H

#include <stdint.h>

#include "stvp/accel.h"

/* ---- operations (outputs overwritten; semantics of accel_desc.h) ---- */

void ref_fc_fwd(uint32_t n, uint32_t c, uint32_t k, const float *x, const float *w, const float *bias, float *y,
                int relu);
void ref_fc_bwd_data(uint32_t n, uint32_t c, uint32_t k, const float *dy, const float *w, const float *relu_mask_x,
                     float *dx);
void ref_fc_bwd_weight(uint32_t n, uint32_t c, uint32_t k, const float *dy, const float *x, float *dw, float *db);

void ref_conv_fwd(const stvp_accel_conv_shape_t *s, const float *x, const float *w, const float *bias, float *y,
                  int relu);
void ref_conv_bwd_data(const stvp_accel_conv_shape_t *s, const float *dy, const float *w, const float *relu_mask_x,
                       float *dx);
void ref_conv_bwd_weight(const stvp_accel_conv_shape_t *s, const float *dy, const float *x, float *dw, float *db);

void ref_maxpool_fwd(const stvp_accel_pool_shape_t *s, const float *x, float *y);
void ref_maxpool_bwd(const stvp_accel_pool_shape_t *s, const float *x, const float *dy, float *dx, int relu_mask);

void ref_softmax_xent(uint32_t n, uint32_t classes, const float *logits, const int32_t *labels, float *dlogits,
                      stvp_accel_xent_result *result);

void ref_sgd(uint32_t count, float *w, const float *g, float lr, float weight_decay);

/* ---- deterministic data ---- */

void ref_seed(uint32_t seed);
uint32_t ref_rand(void);                           /* xorshift32 */
void ref_fill(float *p, uint32_t count, float lo, float hi); /* uniform in [lo, hi), 2^-24 steps */

/* ---- comparison ---- */

/* max |got - want| / max(max |want|, 1e-6): the error relative to the tensor's scale, so that
   elements that cancel to near zero do not dominate. A NaN or infinity in got gives 1e30. */
float ref_max_error(const float *got, const float *want, uint32_t count);

/* The tolerance the programs use: fp32 sums of a few hundred terms in another order. */
#define REF_TOLERANCE 1e-4f

/* ---- guard bands around outputs ---- */

#define REF_GUARD_WORDS 16
#define REF_GUARD_PATTERN 0x7FC0DEADu /* a quiet NaN no op computes */

/* An output area: `words` usable words with REF_GUARD_WORDS guard words on each side. */
typedef struct ref_area {
    uint32_t *mem;  /* REF_GUARD_WORDS + words + REF_GUARD_WORDS */
    uint32_t words;
} ref_area_t;

/* Fills the whole area (guards and payload) with the pattern; returns the payload. */
float *ref_area_reset(const ref_area_t *a);
/* The guards are intact and payload words from `used` on too (nothing written past it). */
int ref_area_intact(const ref_area_t *a, uint32_t used);
/* Payload words [0, used) are all still the pattern (nothing written at all). */
int ref_area_untouched(const ref_area_t *a, uint32_t used);

#define REF_AREA(name, nwords)                                              \
    static uint32_t name##_mem_[REF_GUARD_WORDS + (nwords) + REF_GUARD_WORDS] \
        __attribute__((aligned(64)));                                       \
    static const ref_area_t name = {name##_mem_, (nwords)}

#endif
