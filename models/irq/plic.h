// PLIC-style platform interrupt controller with one context (hart 0, machine mode), after the
// RISC-V PLIC specification 1.0.0; registers and semantics in plic.def.
//
// Gateways are level-triggered: source i is pending while its line is high and it is not in
// service (claimed and not yet completed). irq_external (MEIP) is high while some enabled
// pending source has a priority above the threshold. Claim returns the best such source
// (highest priority, lowest id on ties), clears its pending bit and marks it in service;
// writing its id to CLAIM completes it, after which it is pending again if its line is
// still high. Completing a source that is not in service is ignored.
#pragma once

#include <cstdint>

#include <systemc>

#include "common/register_device.h"

namespace stvp {

struct PlicConfig {
    // Time a register access adds to the initiator's annotated delay.
    sc_core::sc_time access_latency = sc_core::SC_ZERO_TIME;
};

class Plic : public RegisterDevice {
public:
    static constexpr unsigned kSources = STVP_PLIC_NUM_SOURCES;  // source 0 is "no interrupt"

    // Interrupt lines, level-triggered. Lines left unbound are tied low at elaboration, so
    // the SoC binds only the sources it uses.
    sc_core::sc_vector<sc_core::sc_in<bool>> sources;
    sc_core::sc_out<bool> irq_external;  // to the hart's MEIP

    explicit Plic(sc_core::sc_module_name name, const PlicConfig& cfg = {});

    uint32_t pending() const;     // bit i: source i pending
    uint32_t in_service() const { return in_service_; }
    // Id the next claim would return (0 if none), without claiming.
    unsigned best() const;

    uint64_t claims() const { return claims_; }

private:
    SC_HAS_PROCESS(Plic);

    void before_end_of_elaboration() override;
    void update();  // recomputes PENDING and irq_external
    void request_update();  // at the current access's local time
    uint32_t claim();
    void complete(uint32_t id);

    uint32_t in_service_ = 0;  // claimed, not completed
    uint64_t claims_ = 0;
    sc_core::sc_event update_ev_;
    sc_core::sc_time apply_at_;
    sc_core::sc_vector<sc_core::sc_signal<bool>> ties_;  // drive unbound sources low
};

}  // namespace stvp
