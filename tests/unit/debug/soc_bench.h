// A small SoC for the tracing, transaction-log and hang-monitor tests: a stimulus standing in
// for the CPU (initiator 0, "cpu") and the DMA (initiator 1, "dma") on a router with DRAM
// (no latency, unlimited bandwidth), the DMA's registers and simctrl, at the platform's
// addresses; the DMA's interrupt on a top-level signal named like the SoC's (irq_dma).
#pragma once

#include <cstring>

#include <systemc>

#include "../support/tlm_stimulus.h"
#include "bus/router.h"
#include "dma/dma.h"
#include "memory/memory.h"
#include "simctrl/simctrl.h"
#include "soc_events.h"
#include "soc_parts.h"
#include "stvp/hw/memmap.h"
#include "stvp/hw/regs.h"

namespace stvp::test {

inline MemoryConfig ideal_dram() {
    MemoryConfig m;
    m.size = 1 << 20;
    m.read_latency = m.write_latency = sc_core::SC_ZERO_TIME;
    m.bandwidth = 0;
    return m;
}

struct SocBench {
    sc_core::sc_signal<bool> irq_dma{"irq_dma"};
    Router router{"router"};
    Memory dram{"dram", ideal_dram()};
    Dma dma{"dma"};  // 8 GB/s, 64-byte bursts
    SimCtrl simctrl{"simctrl"};
    Stimulus cpu{"stim"};
    SocParts parts;
    std::unique_ptr<SocEvents> events;

    SocBench() {
        router.initiator_socket.bind(dram.socket);
        router.initiator_socket.bind(dma.socket);
        router.initiator_socket.bind(simctrl.socket);
        router.add_region("dram", STVP_DRAM_BASE, 1 << 20, 0);
        router.add_region("dma", STVP_DMA_BASE, STVP_DMA_SIZE, 1);
        router.add_region("simctrl", STVP_SIMCTRL_BASE, STVP_SIMCTRL_SIZE, 2);
        cpu.socket.bind(router.target_socket);
        dma.master.bind(router.target_socket);
        dma.irq.bind(irq_dma);
        parts.router = &router;
        parts.dma = &dma;
        parts.simctrl = &simctrl;
        parts.initiators = {"cpu", "dma"};
        parts.devices = {{"dma", &dma}, {"simctrl", &simctrl}};
        parts.irq_lines = {{"dma", &irq_dma}};
        events = std::make_unique<SocEvents>(parts);
    }

    // A 1-D descriptor at `at` copying `bytes` from src to dst (written before the run).
    void descriptor(uint32_t at, uint32_t dst, uint32_t src, uint32_t bytes) {
        stvp_dma_desc d{};
        d.src = src;
        d.dst = dst;
        d.row_bytes = bytes;
        d.rows = 1;
        std::memcpy(dram.data() + (at - STVP_DRAM_BASE), &d, sizeof d);
    }
    // Waits until simulated time t (the stimulus's local time is kept at zero).
    static void until(Stimulus& s, double ns) {
        s.sync();
        const sc_core::sc_time t(ns, sc_core::SC_NS);
        if (t > sc_core::sc_time_stamp()) sc_core::wait(t - sc_core::sc_time_stamp());
    }
};

}  // namespace stvp::test
