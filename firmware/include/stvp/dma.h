/*
 * System DMA driver (register map and programming sequence: stvp/hw/dma.def; descriptor
 * layout, flags and error codes: stvp/hw/dma_desc.h).
 *
 * Usage:
 *     static stvp_dma_desc d[2];                 // 32-byte aligned by its type; static storage
 *     stvp_dma_init(1);                          // PLIC handler, interrupt enables
 *     stvp_dma_desc_1d(&d[0], dst, src, 4096);
 *     stvp_dma_desc_2d(&d[1], dst2, 64, src2, 256, 16, 8);
 *     stvp_dma_chain(d, 2);                      // d[0] -> d[1] -> end
 *     stvp_dma_result_t r;
 *     if (stvp_dma_run(d, &r) != STVP_DMA_ERR_NONE) puts(stvp_dma_strerror(r.err_code));
 *
 * The wait sleeps in WFI until the DMA's PLIC interrupt says the chain ended (DONE or
 * ERROR); the handler acknowledges INT_STATUS. stvp_dma_wait_poll() polls STATUS instead,
 * as a fallback for code that cannot take interrupts (inside a trap handler, or with the
 * DMA's PLIC source given to another handler).
 *
 * Descriptors are read by the engine from memory: they must stay in place (and unchanged)
 * until the chain ends, so give them static storage. No dynamic allocation anywhere.
 */
#ifndef STVP_DMA_H
#define STVP_DMA_H

#include <stdint.h>

#include "stvp/hw/dma_desc.h"

/* What a finished (or failed) chain left in the engine's registers. */
typedef struct stvp_dma_result {
    uint32_t status;       /* STATUS: DMA_STATUS_DONE_MASK or DMA_STATUS_ERROR_MASK */
    uint32_t err_code;     /* ERR_CODE: STVP_DMA_ERR_* (0 = none) */
    uint32_t err_addr;     /* ERR_ADDR: faulting address (see dma_desc.h per code) */
    uint32_t err_desc;     /* ERR_DESC: address of the failing descriptor */
    uint32_t bytes_copied; /* BYTES_COPIED */
    uint32_t descs_done;   /* DESCS_DONE */
} stvp_dma_result_t;

/* stvp_dma_start() returns this when the engine is still busy with a previous chain (the
   START would be ignored and counted in CMD_IGNORED, so the driver does not write it). */
#define STVP_DMA_BUSY (-1)

/* ---- descriptor builders (they write the whole descriptor; next = 0, flags = 0) ---- */

/* A plain copy of `bytes` bytes (rows = 1). */
void stvp_dma_desc_1d(stvp_dma_desc *d, uintptr_t dst, uintptr_t src, uint32_t bytes);

/* `rows` rows of `row_bytes`; row r from src + r*src_stride to dst + r*dst_stride. */
void stvp_dma_desc_2d(stvp_dma_desc *d, uintptr_t dst, uint32_t dst_stride, uintptr_t src,
                      uint32_t src_stride, uint32_t row_bytes, uint32_t rows);

/* Ask for INT_STATUS.DESC (the handler counts it) when this descriptor completes. */
static inline void stvp_dma_desc_irq(stvp_dma_desc *d)
{
    d->flags |= STVP_DMA_FLAG_IRQ;
}

/* d->next = next (NULL ends the chain there). */
static inline void stvp_dma_link(stvp_dma_desc *d, const stvp_dma_desc *next)
{
    d->next = (uint32_t)(uintptr_t)next;
}

/* Links descs[0] -> descs[1] -> ... -> descs[n-1] -> end. */
void stvp_dma_chain(stvp_dma_desc *descs, unsigned n);

/* ---- engine ---- */

/* Soft-resets the engine, enables its DONE/ERROR/DESC interrupts, registers the driver's
   PLIC handler for STVP_IRQ_DMA with the given priority (1..7; it must be above the PLIC
   threshold, which the driver leaves alone), enables the source and mie.MEIE. mstatus.MIE
   is left as it is: the waits enable it while they sleep. */
void stvp_dma_init(unsigned plic_priority);

/* STATUS.BUSY. */
int stvp_dma_busy(void);

/* Writes DESC_HEAD and CTRL = START. Returns 0, or STVP_DMA_BUSY without touching the
   engine if a chain is still running. */
int stvp_dma_start(const stvp_dma_desc *head);

/* Sleeps in WFI until the chain started last has ended, fills *r (may be NULL) and returns
   its ERR_CODE (STVP_DMA_ERR_NONE on success). Enables mstatus.MIE while asleep and restores
   it before returning. Returns at once if no chain was started. */
uint32_t stvp_dma_wait(stvp_dma_result_t *r);

/* The same, by polling STATUS until BUSY = 0 (no interrupt needed; acknowledges INT_STATUS). */
uint32_t stvp_dma_wait_poll(stvp_dma_result_t *r);

/* stvp_dma_start() then stvp_dma_wait(). Returns STVP_DMA_BUSY if the start was refused. */
int stvp_dma_run(const stvp_dma_desc *head, stvp_dma_result_t *r);

/* Interrupts taken since init: chain ends (DONE or ERROR) and INT_STATUS.DESC events (a
   sticky bit: two descriptors completing before the handler runs count once). */
unsigned stvp_dma_irq_count(void);
unsigned stvp_dma_desc_irq_count(void);

/* CMD_IGNORED: STARTs/SOFT_RESETs the engine ignored because it was busy. */
uint32_t stvp_dma_cmd_ignored(void);

/* ---- error decoding ---- */

/* "bus error writing the destination", ... for STVP_DMA_ERR_*; "no error" for 0. */
const char *stvp_dma_strerror(uint32_t code);

/* What ERR_ADDR means for that code: "descriptor field row_bytes", "destination burst", ... */
const char *stvp_dma_err_addr_meaning(uint32_t code);

/* One line "DMA error 11 (bus error writing the destination) at 0x40000000 (destination
   burst), descriptor 0x80004000, 0 bytes copied" into buf (always terminated). Returns
   the length snprintf would have written. */
int stvp_dma_format_error(const stvp_dma_result_t *r, char *buf, unsigned size);

#endif
