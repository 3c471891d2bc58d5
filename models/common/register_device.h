// Base class of every memory-mapped peripheral: a TLM-2.0 target socket in front of a
// RegisterBank. Loosely timed: an access adds `latency` to the initiator's annotated delay.
//
// Inside register callbacks, access_time() is the initiator's local time of the access
// (sc_time_stamp() + annotated delay). A device whose side effect must happen at true time
// calls sync() first, which waits out the annotated delay (allowed: b_transport runs in the
// initiator's thread).
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "register_bank.h"

namespace stvp {

class RegisterDevice : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<RegisterDevice> socket;

    template <std::size_t N>
    RegisterDevice(sc_core::sc_module_name name, const RegInfo (&table)[N],
                   sc_core::sc_time latency = sc_core::SC_ZERO_TIME)
        : RegisterDevice(name, table, N, latency) {}
    RegisterDevice(sc_core::sc_module_name name, const RegInfo* table, std::size_t n, sc_core::sc_time latency);

    RegisterBank& registers() { return regs_; }
    const RegisterBank& registers() const { return regs_; }

protected:
    sc_core::sc_time access_time() const;
    void sync();

    RegisterBank regs_;
    sc_core::sc_time latency_;

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& trans);

    sc_core::sc_time* delay_ = nullptr;  // valid during b_transport only
};

}  // namespace stvp
