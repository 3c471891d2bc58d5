/* PLIC driver and external-interrupt dispatch (stvp/plic.h). */
#include "stvp/bsp.h"

static struct {
    stvp_irq_handler_t fn;
    void *ctx;
} source_handlers[STVP_PLIC_NUM_SOURCES];

void stvp_plic_enable(unsigned source)
{
    uint32_t saved = stvp_irq_save();
    uint32_t en = stvp_read32(STVP_PLIC_BASE + PLIC_ENABLE);
    stvp_write32(STVP_PLIC_BASE + PLIC_ENABLE, en | (1u << source));
    stvp_irq_restore(saved);
}

void stvp_plic_disable(unsigned source)
{
    uint32_t saved = stvp_irq_save();
    uint32_t en = stvp_read32(STVP_PLIC_BASE + PLIC_ENABLE);
    stvp_write32(STVP_PLIC_BASE + PLIC_ENABLE, en & ~(1u << source));
    stvp_irq_restore(saved);
}

void stvp_plic_set_handler(unsigned source, stvp_irq_handler_t fn, void *ctx)
{
    if (source == 0 || source >= STVP_PLIC_NUM_SOURCES)
        return;
    uint32_t saved = stvp_irq_save();
    source_handlers[source].fn = fn;
    source_handlers[source].ctx = ctx;
    stvp_irq_restore(saved);
}

unsigned stvp_plic_dispatch(void)
{
    unsigned served = 0;
    for (;;) {
        uint32_t id = stvp_plic_claim();
        if (id == 0)
            return served;
        if (id >= STVP_PLIC_NUM_SOURCES || !source_handlers[id].fn) {
            stvp_uart_puts("\n*** stvp: no handler for PLIC source ");
            stvp_uart_put_hex32(id);
            stvp_uart_putc('\n');
            stvp_uart_flush();
            stvp_sim_exit(STVP_EXIT_UNHANDLED_INTERRUPT);
        }
        source_handlers[id].fn(source_handlers[id].ctx);
        stvp_plic_complete(id);
        ++served;
    }
}
