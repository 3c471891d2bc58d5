// System DMA engine: memory-to-memory 2-D strided copies driven by descriptor chains in
// memory, in the style of a simplified scatter-gather controller (AXI CDMA, PL330).
//
// Register map: firmware/include/stvp/hw/dma.def (with the programming sequence).
// Descriptor layout, flags and error codes: firmware/include/stvp/hw/dma_desc.h.
//
// Timing (loosely timed): a descriptor fetch is one 32-byte read; a row is cut into bursts
// of at most burst_bytes, each a read then a write through `master`. Each access costs the
// delay the bus and target annotate, and every fetch or burst of n bytes costs n / bandwidth
// on top, so one burst takes read latency + write latency + n / bandwidth. The engine syncs
// with the kernel whenever its local time exceeds `quantum` and after every descriptor, so
// registers and the interrupt change at true time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "common/register_device.h"
#include "dma/dma_config.h"
#include "stvp/hw/dma_desc.h"

namespace stvp {

// The engine's parameters (dma_config.h: the dma.* keys) and its SystemC-side parts.
struct DmaConfig : DmaParams {
    // Latency added to every register access.
    sc_core::sc_time reg_latency = sc_core::SC_ZERO_TIME;
    // Temporal decoupling: how far the engine's local time may run ahead of the kernel
    // between bursts before it waits. 0 = wait after every burst (most accurate).
    sc_core::sc_time quantum = sc_core::SC_ZERO_TIME;

    // Empty if the configuration is usable, else what is wrong.
    std::string validate() const;
};

// Cumulative since construction (a soft reset does not clear them), for the platform's stats.
struct DmaStats {
    uint64_t chains = 0;            // STARTs accepted
    uint64_t chains_failed = 0;     // chains that stopped on an error
    uint64_t descriptors = 0;       // descriptors completed
    uint64_t bytes = 0;             // bytes written
    uint64_t bursts = 0;            // read/write burst pairs
    uint64_t commands_ignored = 0;  // START/SOFT_RESET while busy
    sc_core::sc_time busy_time;     // simulated time with a chain running
};

// One descriptor's outcome, for transaction logs (see Dma::on_descriptor).
struct DmaDescriptorEvent {
    uint32_t address = 0;           // where the descriptor is
    bool fetched = false;           // false if it could not be read (then desc is all zero)
    stvp_dma_desc desc{};           // its fields as fetched
    uint32_t error = STVP_DMA_ERR_NONE;
    uint32_t error_address = 0;     // ERR_ADDR if error != 0
    sc_core::sc_time start, end;    // fetch start and completion (or failure)
};

class Dma : public RegisterDevice {
public:
    tlm_utils::simple_initiator_socket<Dma> master;  // to the system bus
    sc_core::sc_out<bool> irq;                       // (INT_STATUS & INT_ENABLE) != 0, level

    // Throws std::invalid_argument if cfg.validate() fails.
    Dma(sc_core::sc_module_name name, const DmaConfig& cfg = DmaConfig{});

    const DmaConfig& config() const { return cfg_; }
    const DmaStats& stats() const { return stats_; }
    // High while a chain runs, for VCD tracing (a chain that fails without taking time
    // leaves no pulse: use done_event()).
    const sc_core::sc_signal<bool>& busy() const { return busy_; }
    // Notified (immediately) when a chain ends, successfully or not, as STATUS.BUSY falls.
    const sc_core::sc_event& done_event() const { return done_ev_; }
    // Called when each descriptor completes or fails (and when the chain cannot start).
    void on_descriptor(std::function<void(const DmaDescriptorEvent&)> fn) { on_descriptor_ = std::move(fn); }

private:
    struct Fault {
        uint32_t code = STVP_DMA_ERR_NONE;
        uint32_t address = 0;
    };

    bool write_ctrl(uint32_t v);
    void start_chain();
    void soft_reset();
    sc_core::sc_time cpu_offset() const { return access_time() - sc_core::sc_time_stamp(); }
    uint32_t read_synced(uint32_t offset);

    void engine();
    void update_irq();
    Fault run_chain(uint32_t head, uint32_t& failing_desc);
    Fault check(const stvp_dma_desc& d, uint32_t addr) const;
    Fault copy(const stvp_dma_desc& d);
    bool bus(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len);
    sc_core::sc_time transfer_time(unsigned bytes) const;
    void sync_local();
    void report(const DmaDescriptorEvent& ev) {
        if (on_descriptor_) on_descriptor_(ev);
    }

    DmaConfig cfg_;
    DmaStats stats_;
    double bytes_per_s_;
    sc_core::sc_signal<bool> busy_;
    sc_core::sc_event start_ev_;
    sc_core::sc_event irq_ev_;
    sc_core::sc_event done_ev_;
    uint32_t head_ = 0;                   // DESC_HEAD latched at START
    sc_core::sc_time local_;              // engine's time ahead of sc_time_stamp()
    tlm::tlm_generic_payload trans_;
    std::vector<uint8_t> buf_;
    std::function<void(const DmaDescriptorEvent&)> on_descriptor_;
};

}  // namespace stvp
