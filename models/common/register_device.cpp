#include "register_device.h"

namespace stvp {

RegisterDevice::RegisterDevice(sc_core::sc_module_name name, const RegInfo* table, std::size_t n,
                               sc_core::sc_time latency)
    : sc_core::sc_module(name), socket("socket"), regs_(basename(), table, n), latency_(latency) {
    socket.register_b_transport(this, &RegisterDevice::b_transport);
    socket.register_transport_dbg(this, &RegisterDevice::transport_dbg);
}

sc_core::sc_time RegisterDevice::access_time() const {
    return sc_core::sc_time_stamp() + (delay_ ? *delay_ : sc_core::SC_ZERO_TIME);
}

void RegisterDevice::sync() {
    if (delay_ && *delay_ != sc_core::SC_ZERO_TIME) {
        wait(*delay_);
        *delay_ = sc_core::SC_ZERO_TIME;
    }
}

void RegisterDevice::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    // Registers take whole, aligned 32-bit accesses only (RegisterBank checks size and
    // alignment). Byte enables and streaming are refused with their own error responses; a
    // streaming width of 0 is taken as "not set", i.e. no streaming, as the Memory model does.
    if (trans.get_byte_enable_ptr()) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (trans.get_streaming_width() != 0 && trans.get_streaming_width() < trans.get_data_length()) {
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    delay_ = &delay;
    auto status = regs_.access(trans.get_command(), trans.get_address(), trans.get_data_ptr(),
                               trans.get_data_length());
    delay_ = nullptr;
    delay += latency_;
    trans.set_dmi_allowed(false);
    trans.set_response_status(status);
}

unsigned int RegisterDevice::transport_dbg(tlm::tlm_generic_payload& trans) {
    auto status = regs_.access(trans.get_command(), trans.get_address(), trans.get_data_ptr(),
                               trans.get_data_length(), /*debug=*/true);
    trans.set_response_status(status);
    return status == tlm::TLM_OK_RESPONSE ? trans.get_data_length() : 0;
}

}  // namespace stvp
