// Core-local interruptor (CLINT) for one hart: mtime, mtimecmp and msip with the SiFive
// layout (clint.def), as in the RISC-V privileged spec, 3.2.1 "Machine Timer Registers".
//
// mtime is not a counter that is ticked: it is a function of simulated time,
//   mtime(t) = offset + floor(t * timebase_hz),
// evaluated at the initiator's local time of each access (temporal decoupling). Writing mtime
// changes `offset`. The timer interrupt line is high while mtime >= mtimecmp; when it is low,
// an event is scheduled for exactly the time mtime reaches mtimecmp, so a sleeping hart wakes
// on time without any periodic process. Register writes wait for the access's local time
// (sync()), so the lines change exactly at the time of the store.
#pragma once

#include <cstdint>
#include <string>

#include <systemc>

#include "common/register_device.h"
#include "timer/clint_config.h"

namespace stvp {

// The clint.* keys' parameters (clint_config.h) and the SystemC side.
struct ClintConfig : ClintParams {
    // Time a register access adds to the initiator's annotated delay.
    sc_core::sc_time access_latency = sc_core::SC_ZERO_TIME;

    // Empty if usable, else the reason.
    std::string validate() const;
};

class Clint : public RegisterDevice {
public:
    sc_core::sc_out<bool> irq_timer;     // MTIP: mtime >= mtimecmp
    sc_core::sc_out<bool> irq_software;  // MSIP: bit 0 of the MSIP register

    // Throws std::invalid_argument if cfg.validate() fails.
    explicit Clint(sc_core::sc_module_name name, const ClintConfig& cfg = {});

    // mtime at simulated time t (t may be ahead of sc_time_stamp(), e.g. a CPU's local time).
    uint64_t mtime_at(const sc_core::sc_time& t) const;
    // mtime at sc_time_stamp(); for the CPU's `time` CSR add its local time and use mtime_at.
    uint64_t mtime_now() const { return mtime_at(sc_core::sc_time_stamp()); }
    uint64_t mtimecmp() const;

    // Earliest simulated time at which mtime equals or passes `value`, given the current
    // offset; false if that is beyond the representable time.
    bool time_of(uint64_t value, sc_core::sc_time& t) const;

private:
    SC_HAS_PROCESS(Clint);

    uint64_t ticks(const sc_core::sc_time& t) const;  // floor(t * timebase), without offset
    void update_timer();
    void update_software();
    bool write_mtimecmp(unsigned word, uint32_t v);
    bool write_mtime(unsigned word, uint32_t v);

    uint64_t hz_;            // timebase
    uint64_t units_per_s_;   // SystemC time-resolution units per second
    uint64_t offset_ = 0;    // mtime - ticks(t), modulo 2^64
    sc_core::sc_event timer_ev_, software_ev_;
};

}  // namespace stvp
