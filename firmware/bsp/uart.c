/* UART driver (stvp/uart.h). */
#include "stvp/uart.h"

void stvp_uart_putc(char c)
{
    /* A byte written while the transmitter is busy is dropped (uart.def): wait for room. */
    while (!(stvp_uart_status() & UART_STATUS_TXREADY_MASK)) {
    }
    stvp_write32(STVP_UART_BASE + UART_TXDATA, (uint8_t)c);
}

void stvp_uart_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; ++i)
        stvp_uart_putc(buf[i]);
}

void stvp_uart_puts(const char *s)
{
    while (*s)
        stvp_uart_putc(*s++);
}

void stvp_uart_put_hex32(uint32_t value)
{
    static const char digits[] = "0123456789abcdef";
    stvp_uart_putc('0');
    stvp_uart_putc('x');
    for (int shift = 28; shift >= 0; shift -= 4)
        stvp_uart_putc(digits[(value >> shift) & 0xFu]);
}

void stvp_uart_flush(void)
{
    while (!(stvp_uart_status() & UART_STATUS_TXIDLE_MASK)) {
    }
}
