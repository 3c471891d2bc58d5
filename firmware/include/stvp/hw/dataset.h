/*
 * Layout of a data set the platform preloads into DRAM (stvp --set dataset.name=fashion-mnist):
 * the single source of truth for the platform's loader and the firmware that reads it.
 *
 * At dataset.address the platform writes this header, followed by the arrays it points to.
 * Images are fp32, already normalised by the platform (the CPU has no FPU, so converting 47M
 * pixels in soft-float would dominate a run): x = (pixel / 255 - mean) / std, with mean and std
 * recorded below. Labels are int32 class indices. All addresses are absolute and 64-byte aligned.
 */
#ifndef STVP_HW_DATASET_H
#define STVP_HW_DATASET_H

#include <stdint.h>

#define STVP_DATASET_MAGIC   0x53445453u /* "STDS" little-endian */
#define STVP_DATASET_VERSION 1u

typedef struct stvp_dataset_header {
    uint32_t magic;         /* STVP_DATASET_MAGIC */
    uint32_t version;       /* STVP_DATASET_VERSION */
    uint32_t train_count;   /* samples in the training split */
    uint32_t test_count;    /* samples in the test split */
    uint32_t rows;          /* image height */
    uint32_t cols;          /* image width */
    uint32_t channels;      /* 1 for Fashion-MNIST */
    uint32_t classes;       /* 10 for Fashion-MNIST */
    uint32_t train_images;  /* float32 [train_count][channels*rows*cols] */
    uint32_t train_labels;  /* int32 [train_count] */
    uint32_t test_images;   /* float32 [test_count][channels*rows*cols] */
    uint32_t test_labels;   /* int32 [test_count] */
    uint32_t mean_bits;     /* float32 bits of the mean subtracted from pixel/255 */
    uint32_t std_bits;      /* float32 bits of the std the result was divided by */
    uint32_t end;           /* first address after the data set */
    uint32_t reserved;      /* 0 */
} stvp_dataset_header_t;

#ifdef __cplusplus
static_assert(sizeof(stvp_dataset_header_t) == 64, "dataset header is 64 bytes");
#else
_Static_assert(sizeof(stvp_dataset_header_t) == 64, "dataset header is 64 bytes");
#endif

#endif
