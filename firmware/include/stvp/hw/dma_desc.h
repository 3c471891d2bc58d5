/*
 * System DMA descriptor: the in-memory layout the engine fetches, shared by the model (C++)
 * and the firmware (C11). Registers are in dma.def.
 *
 * A descriptor is 32 bytes of little-endian 32-bit words and must be 32-byte aligned (like
 * the scatter-gather descriptors of AXI CDMA, one aligned read fetches it). It copies `rows`
 * rows of `row_bytes` bytes: row r goes from src + r*src_stride to dst + r*dst_stride,
 * rows in order, each row front to back. Strides are unsigned; src_stride may be smaller
 * than row_bytes (rows re-read the same bytes), dst_stride may not (rows would overwrite
 * each other). A plain copy is rows = 1 (strides then ignored). Copies with overlapping
 * source and destination are done in that order; use a temporary buffer if that is not
 * what you want.
 *
 * The engine validates every field of a descriptor before moving any of its bytes; the
 * first failing check (in the order of the error codes below) names the field.
 */
#ifndef STVP_HW_DMA_DESC_H
#define STVP_HW_DMA_DESC_H

#ifdef __cplusplus
#include <cstddef>
#include <cstdint>
#define STVP_DMA_ALIGNAS(n) alignas(n)
#define STVP_DMA_STATIC_ASSERT(c, m) static_assert(c, m)
#define STVP_DMA_ALIGNOF(t) alignof(t)
#else
#include <stddef.h>
#include <stdint.h>
#define STVP_DMA_ALIGNAS(n) _Alignas(n)
#define STVP_DMA_STATIC_ASSERT(c, m) _Static_assert(c, m)
#define STVP_DMA_ALIGNOF(t) _Alignof(t)
#endif

typedef struct stvp_dma_desc {
    STVP_DMA_ALIGNAS(32) uint32_t src; /* source address of row 0 */
    uint32_t dst;                      /* destination address of row 0 */
    uint32_t row_bytes;                /* bytes per row, >= 1 */
    uint32_t rows;                     /* number of rows, >= 1 */
    uint32_t src_stride;               /* bytes from one source row to the next */
    uint32_t dst_stride;               /* bytes from one destination row to the next, >= row_bytes if rows > 1 */
    uint32_t next;                     /* address of the next descriptor (32-byte aligned), 0 = end of chain */
    uint32_t flags;                    /* STVP_DMA_FLAG_*; other bits reserved, must be 0 */
} stvp_dma_desc;

#define STVP_DMA_DESC_SIZE  32
#define STVP_DMA_DESC_ALIGN 32

STVP_DMA_STATIC_ASSERT(sizeof(stvp_dma_desc) == STVP_DMA_DESC_SIZE, "descriptor is 32 bytes");
STVP_DMA_STATIC_ASSERT(STVP_DMA_ALIGNOF(stvp_dma_desc) == STVP_DMA_DESC_ALIGN, "descriptor is 32-byte aligned");
STVP_DMA_STATIC_ASSERT(offsetof(stvp_dma_desc, src) == 0x00, "src at 0x00");
STVP_DMA_STATIC_ASSERT(offsetof(stvp_dma_desc, dst) == 0x04, "dst at 0x04");
STVP_DMA_STATIC_ASSERT(offsetof(stvp_dma_desc, row_bytes) == 0x08, "row_bytes at 0x08");
STVP_DMA_STATIC_ASSERT(offsetof(stvp_dma_desc, rows) == 0x0C, "rows at 0x0C");
STVP_DMA_STATIC_ASSERT(offsetof(stvp_dma_desc, src_stride) == 0x10, "src_stride at 0x10");
STVP_DMA_STATIC_ASSERT(offsetof(stvp_dma_desc, dst_stride) == 0x14, "dst_stride at 0x14");
STVP_DMA_STATIC_ASSERT(offsetof(stvp_dma_desc, next) == 0x18, "next at 0x18");
STVP_DMA_STATIC_ASSERT(offsetof(stvp_dma_desc, flags) == 0x1C, "flags at 0x1C");

/* Descriptor flags. */
#define STVP_DMA_FLAG_IRQ   0x00000001u /* set INT_STATUS.DESC when this descriptor completes */
#define STVP_DMA_FLAGS_VALID 0x00000001u /* every other bit is reserved */

/* ERR_CODE values. ERR_DESC is always the failing descriptor's address (for CHAIN_LENGTH:
   the descriptor that was not fetched). ERR_ADDR is the faulting address named in the
   comment; for a bad field it is the address of that field in the descriptor. */
enum stvp_dma_err {
    STVP_DMA_ERR_NONE = 0,
    STVP_DMA_ERR_DESC_ADDR = 1,    /* DESC_HEAD is 0 or not 32-byte aligned (ERR_ADDR = DESC_HEAD) */
    STVP_DMA_ERR_DESC_FETCH = 2,   /* bus error reading the descriptor (ERR_ADDR = descriptor) */
    STVP_DMA_ERR_ROW_BYTES = 3,    /* row_bytes is 0 (ERR_ADDR = &desc->row_bytes) */
    STVP_DMA_ERR_ROWS = 4,         /* rows is 0 (ERR_ADDR = &desc->rows) */
    STVP_DMA_ERR_DST_STRIDE = 5,   /* rows > 1 and dst_stride < row_bytes: rows overlap (ERR_ADDR = &desc->dst_stride) */
    STVP_DMA_ERR_SRC_RANGE = 6,    /* the source rows run past the end of the 32-bit address space (ERR_ADDR = &desc->src) */
    STVP_DMA_ERR_DST_RANGE = 7,    /* the destination rows run past the end of the 32-bit address space (ERR_ADDR = &desc->dst) */
    STVP_DMA_ERR_FLAGS = 8,        /* a reserved flag bit is set (ERR_ADDR = &desc->flags) */
    STVP_DMA_ERR_NEXT = 9,         /* next is not 32-byte aligned (ERR_ADDR = &desc->next) */
    STVP_DMA_ERR_SRC_BUS = 10,     /* bus error reading the source (ERR_ADDR = start of the failing burst) */
    STVP_DMA_ERR_DST_BUS = 11,     /* bus error writing the destination (ERR_ADDR = start of the failing burst) */
    STVP_DMA_ERR_CHAIN_LENGTH = 12 /* the chain is longer than the engine's limit, probably a loop
                                      (ERR_ADDR = ERR_DESC = the next descriptor, not fetched) */
};

#undef STVP_DMA_ALIGNAS
#undef STVP_DMA_STATIC_ASSERT
#undef STVP_DMA_ALIGNOF

#endif
