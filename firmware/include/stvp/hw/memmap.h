/*
 * stvp default memory map and interrupt numbers: the single source of truth.
 *
 * Included by the platform (C++) to build the default configuration, by the firmware (C)
 * for device base addresses, and by the C preprocessor to generate the firmware's linker
 * script. Plain integer literals only (no suffixes), so the linker script can use them.
 * The YAML configuration may move regions; firmware built from this header then needs the
 * same map (the platform checks that the ELF's segments land in mapped memory).
 */
#ifndef STVP_HW_MEMMAP_H
#define STVP_HW_MEMMAP_H

/* Core-local interruptor: mtime, mtimecmp, msip (SiFive-compatible layout). */
#define STVP_CLINT_BASE   0x02000000
#define STVP_CLINT_SIZE   0x00010000
/* PLIC-style interrupt controller: priorities, pending, enables, threshold, claim/complete. */
#define STVP_PLIC_BASE    0x0C000000
#define STVP_PLIC_SIZE    0x00400000
/* UART: transmit to the host's stdout. */
#define STVP_UART_BASE    0x10000000
#define STVP_UART_SIZE    0x00001000
/* Simulation control: exit code, markers, trace control. */
#define STVP_SIMCTRL_BASE 0x10001000
#define STVP_SIMCTRL_SIZE 0x00001000
/* System DMA engine. */
#define STVP_DMA_BASE     0x10010000
#define STVP_DMA_SIZE     0x00001000
/* Sparse training accelerator: registers and scratchpads. */
#define STVP_ACCEL_BASE   0x11000000
#define STVP_ACCEL_SIZE   0x00010000
#define STVP_SPAD_BASE    0x12000000
#define STVP_SPAD_SIZE    0x01000000
/* Main memory. */
#define STVP_DRAM_BASE    0x80000000
#define STVP_DRAM_SIZE    0x20000000
/* Firmware image at the start of DRAM; data files are preloaded from here upwards by default. */
#define STVP_DRAM_DATA_BASE 0x90000000

/* X-macro over the regions: X(UPPER, lower). Lets C++ iterate the map without a copy. */
#define STVP_MEMMAP_REGIONS(X) \
    X(CLINT, clint)            \
    X(PLIC, plic)              \
    X(UART, uart)              \
    X(SIMCTRL, simctrl)        \
    X(DMA, dma)                \
    X(ACCEL, accel)            \
    X(SPAD, spad)              \
    X(DRAM, dram)

/* Interrupt-controller source numbers (0 means "no interrupt" in a PLIC). */
#define STVP_IRQ_UART  1
#define STVP_IRQ_DMA   2
#define STVP_IRQ_ACCEL 3
#define STVP_PLIC_NUM_SOURCES 32 /* sources 1..31 usable */

/* X-macro over the interrupt sources: X(UPPER, lower). */
#define STVP_IRQ_SOURCES(X) \
    X(UART, uart)           \
    X(DMA, dma)             \
    X(ACCEL, accel)

#endif
