/*
 * UART driver (register map: stvp/hw/uart.def). Transmit-only; bytes go to the host's stdout.
 * stvp_uart_putc() waits for TXREADY, so no byte is dropped whatever uart.baud is.
 * stdout/stderr of picolibc's stdio write here (firmware/bsp/stdio.c).
 */
#ifndef STVP_UART_H
#define STVP_UART_H

#include <stddef.h>
#include <stdint.h>

#include "stvp/hw/regs.h"
#include "stvp/mmio.h"

void stvp_uart_putc(char c);
void stvp_uart_write(const char *buf, size_t len);
void stvp_uart_puts(const char *s); /* no newline added */
/* Prints value as 0x%08x without stdio (usable where stdio is not, such as a trap handler). */
void stvp_uart_put_hex32(uint32_t value);
/* Waits until everything written has left the line (STATUS.TXIDLE). */
void stvp_uart_flush(void);

static inline uint32_t stvp_uart_status(void)
{
    return stvp_read32(STVP_UART_BASE + UART_STATUS);
}

/* Interrupt enables: UART_IE_TXREADY_MASK | UART_IE_TXIDLE_MASK (level: the line is high while
   STATUS & IE is nonzero). */
static inline void stvp_uart_set_ie(uint32_t mask)
{
    stvp_write32(STVP_UART_BASE + UART_IE, mask);
}

static inline uint32_t stvp_uart_ip(void)
{
    return stvp_read32(STVP_UART_BASE + UART_IP);
}

#endif
