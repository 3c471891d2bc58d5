/*
 * Memory-mapped register access. Every device register of stvp is 32 bits wide and must be
 * accessed with an aligned 32-bit load or store (firmware/include/stvp/hw/README.md); these
 * helpers are the only way the drivers touch a device.
 */
#ifndef STVP_MMIO_H
#define STVP_MMIO_H

#include <stdint.h>

static inline uint32_t stvp_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}

static inline void stvp_write32(uintptr_t addr, uint32_t value)
{
    *(volatile uint32_t *)addr = value;
}

#endif
