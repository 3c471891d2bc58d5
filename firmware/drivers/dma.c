/* System DMA driver (stvp/dma.h). */
#include "stvp/dma.h"

#include <stdio.h>

#include "stvp/bsp.h"

#include "irq_wait.h"

#define DMA_REG(off) (STVP_DMA_BASE + (off))

/* Written by the interrupt handler, read by the waits. */
static struct {
    volatile int running;        /* a chain was started and its end not seen yet */
    volatile unsigned end_irqs;  /* handler calls that saw DONE or ERROR */
    volatile unsigned desc_irqs; /* handler calls that saw DESC */
} dma_state;

void stvp_dma_desc_1d(stvp_dma_desc *d, uintptr_t dst, uintptr_t src, uint32_t bytes)
{
    stvp_dma_desc_2d(d, dst, 0, src, 0, bytes, 1);
}

void stvp_dma_desc_2d(stvp_dma_desc *d, uintptr_t dst, uint32_t dst_stride, uintptr_t src,
                      uint32_t src_stride, uint32_t row_bytes, uint32_t rows)
{
    d->src = (uint32_t)src;
    d->dst = (uint32_t)dst;
    d->row_bytes = row_bytes;
    d->rows = rows;
    d->src_stride = src_stride;
    d->dst_stride = dst_stride;
    d->next = 0;
    d->flags = 0;
}

void stvp_dma_chain(stvp_dma_desc *descs, unsigned n)
{
    for (unsigned i = 0; i < n; ++i)
        stvp_dma_link(&descs[i], i + 1 < n ? &descs[i + 1] : NULL);
}

/* Acknowledges what it sees (INT_STATUS is W1C and the line is INT_STATUS & INT_ENABLE, so
   the level source is quiet afterwards). A call that finds INT_STATUS = 0 is harmless: the
   PLIC may re-pend the source if the line had not fallen yet when it was completed. */
static void dma_isr(void *ctx)
{
    (void)ctx;
    uint32_t s = stvp_read32(DMA_REG(DMA_INT_STATUS));
    if (!s)
        return;
    stvp_write32(DMA_REG(DMA_INT_STATUS), s);
    if (s & DMA_INT_STATUS_DESC_MASK)
        ++dma_state.desc_irqs;
    if (s & (DMA_INT_STATUS_DONE_MASK | DMA_INT_STATUS_ERROR_MASK)) {
        ++dma_state.end_irqs;
        dma_state.running = 0;
    }
}

void stvp_dma_init(unsigned plic_priority)
{
    uint32_t saved = stvp_irq_save();
    /* A clean engine (ignored if a chain is running; a wait then sees it end). */
    stvp_write32(DMA_REG(DMA_CTRL), DMA_CTRL_SOFT_RESET_MASK);
    stvp_write32(DMA_REG(DMA_INT_ENABLE),
                 DMA_INT_ENABLE_DONE_MASK | DMA_INT_ENABLE_ERROR_MASK | DMA_INT_ENABLE_DESC_MASK);
    dma_state.running = stvp_dma_busy();
    dma_state.end_irqs = dma_state.desc_irqs = 0;
    stvp_plic_set_handler(STVP_IRQ_DMA, dma_isr, NULL);
    stvp_plic_set_priority(STVP_IRQ_DMA, plic_priority);
    stvp_plic_enable(STVP_IRQ_DMA);
    stvp_csr_set(mie, STVP_MIP_MEIP);
    stvp_irq_restore(saved);
}

int stvp_dma_busy(void)
{
    return (stvp_read32(DMA_REG(DMA_STATUS)) & DMA_STATUS_BUSY_MASK) != 0;
}

int stvp_dma_start(const stvp_dma_desc *head)
{
    uint32_t saved = stvp_irq_save();
    if (stvp_dma_busy()) {
        stvp_irq_restore(saved);
        return STVP_DMA_BUSY;
    }
    /* The descriptors are plain stores to DRAM, done before these device stores on this
       in-order hart (dma.def step 1); the fence documents the ordering for a weaker one. */
    __asm__ __volatile__("fence w, o" ::: "memory");
    dma_state.running = 1;
    stvp_write32(DMA_REG(DMA_DESC_HEAD), (uint32_t)(uintptr_t)head);
    stvp_write32(DMA_REG(DMA_CTRL), DMA_CTRL_START_MASK);
    stvp_irq_restore(saved);
    return 0;
}

static uint32_t read_result(stvp_dma_result_t *r)
{
    stvp_dma_result_t local;
    if (!r)
        r = &local;
    r->status = stvp_read32(DMA_REG(DMA_STATUS));
    r->err_code = stvp_read32(DMA_REG(DMA_ERR_CODE));
    r->err_addr = stvp_read32(DMA_REG(DMA_ERR_ADDR));
    r->err_desc = stvp_read32(DMA_REG(DMA_ERR_DESC));
    r->bytes_copied = stvp_read32(DMA_REG(DMA_BYTES_COPIED));
    r->descs_done = stvp_read32(DMA_REG(DMA_DESCS_DONE));
    return r->err_code;
}

uint32_t stvp_dma_wait(stvp_dma_result_t *r)
{
    stvp_drv_sleep_while(&dma_state.running);
    return read_result(r);
}

uint32_t stvp_dma_wait_poll(stvp_dma_result_t *r)
{
    while (stvp_dma_busy()) {
    }
    uint32_t saved = stvp_irq_save();
    uint32_t s = stvp_read32(DMA_REG(DMA_INT_STATUS));
    stvp_write32(DMA_REG(DMA_INT_STATUS), s);
    dma_state.running = 0;
    stvp_irq_restore(saved);
    return read_result(r);
}

int stvp_dma_run(const stvp_dma_desc *head, stvp_dma_result_t *r)
{
    if (stvp_dma_start(head) != 0)
        return STVP_DMA_BUSY;
    return (int)stvp_dma_wait(r);
}

unsigned stvp_dma_irq_count(void)
{
    return dma_state.end_irqs;
}

unsigned stvp_dma_desc_irq_count(void)
{
    return dma_state.desc_irqs;
}

uint32_t stvp_dma_cmd_ignored(void)
{
    return stvp_read32(DMA_REG(DMA_CMD_IGNORED));
}

const char *stvp_dma_strerror(uint32_t code)
{
    /* dma_desc.h, enum stvp_dma_err. */
    switch (code) {
    case STVP_DMA_ERR_NONE: return "no error";
    case STVP_DMA_ERR_DESC_ADDR: return "DESC_HEAD is 0 or not 32-byte aligned";
    case STVP_DMA_ERR_DESC_FETCH: return "bus error fetching a descriptor";
    case STVP_DMA_ERR_ROW_BYTES: return "row_bytes is 0";
    case STVP_DMA_ERR_ROWS: return "rows is 0";
    case STVP_DMA_ERR_DST_STRIDE: return "dst_stride < row_bytes (rows would overlap)";
    case STVP_DMA_ERR_SRC_RANGE: return "source runs past the 32-bit address space";
    case STVP_DMA_ERR_DST_RANGE: return "destination runs past the 32-bit address space";
    case STVP_DMA_ERR_FLAGS: return "reserved flag bits set";
    case STVP_DMA_ERR_NEXT: return "next is not 32-byte aligned";
    case STVP_DMA_ERR_SRC_BUS: return "bus error reading the source";
    case STVP_DMA_ERR_DST_BUS: return "bus error writing the destination";
    case STVP_DMA_ERR_CHAIN_LENGTH: return "chain longer than the engine's limit (a loop?)";
    default: return "unknown error code";
    }
}

const char *stvp_dma_err_addr_meaning(uint32_t code)
{
    switch (code) {
    case STVP_DMA_ERR_DESC_ADDR: return "DESC_HEAD";
    case STVP_DMA_ERR_DESC_FETCH: return "descriptor";
    case STVP_DMA_ERR_ROW_BYTES: return "descriptor field row_bytes";
    case STVP_DMA_ERR_ROWS: return "descriptor field rows";
    case STVP_DMA_ERR_DST_STRIDE: return "descriptor field dst_stride";
    case STVP_DMA_ERR_SRC_RANGE: return "descriptor field src";
    case STVP_DMA_ERR_DST_RANGE: return "descriptor field dst";
    case STVP_DMA_ERR_FLAGS: return "descriptor field flags";
    case STVP_DMA_ERR_NEXT: return "descriptor field next";
    case STVP_DMA_ERR_SRC_BUS: return "source burst";
    case STVP_DMA_ERR_DST_BUS: return "destination burst";
    case STVP_DMA_ERR_CHAIN_LENGTH: return "next descriptor, not fetched";
    default: return "address";
    }
}

int stvp_dma_format_error(const stvp_dma_result_t *r, char *buf, unsigned size)
{
    if (r->err_code == STVP_DMA_ERR_NONE)
        return snprintf(buf, size, "DMA ok, %lu descriptors, %lu bytes copied",
                        (unsigned long)r->descs_done, (unsigned long)r->bytes_copied);
    return snprintf(buf, size,
                    "DMA error %lu (%s) at 0x%08lx (%s), descriptor 0x%08lx, %lu bytes copied",
                    (unsigned long)r->err_code, stvp_dma_strerror(r->err_code),
                    (unsigned long)r->err_addr, stvp_dma_err_addr_meaning(r->err_code),
                    (unsigned long)r->err_desc, (unsigned long)r->bytes_copied);
}
