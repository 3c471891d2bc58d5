/*
 * picolibc glue: stdin/stdout/stderr on the UART, and _exit() ending the simulation.
 * stdout is unbuffered: each character is one UART write, so output is never lost at a trap.
 */
#include <stdio.h>
#include <stdlib.h>

#include "stvp/simctrl.h"
#include "stvp/uart.h"

static int uart_put(char c, FILE *f)
{
    (void)f;
    stvp_uart_putc(c);
    return (unsigned char)c;
}

static int uart_get(FILE *f)
{
    (void)f;
    return EOF; /* the UART has no receiver */
}

static int uart_flush(FILE *f)
{
    (void)f;
    stvp_uart_flush();
    return 0;
}

static FILE uart_stream = FDEV_SETUP_STREAM(uart_put, uart_get, uart_flush, _FDEV_SETUP_RW);

FILE *const stdin = &uart_stream;
FILE *const stdout = &uart_stream;
FILE *const stderr = &uart_stream;

/* Called by exit() after the atexit handlers. */
_Noreturn void _exit(int code)
{
    stvp_uart_flush();
    stvp_sim_exit(code);
}
