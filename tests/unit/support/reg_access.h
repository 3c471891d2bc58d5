// CPU-like register access for unit-test benches: a 32-bit b_transport through an initiator
// socket, taking the annotated delay like a loosely-timed CPU. With `ahead` the access is
// issued that far into the future (temporal decoupling) and the calling thread is not
// advanced; otherwise the returned delay is waited. Call from an SC_THREAD.
#pragma once

#include <cstdint>

#include <gtest/gtest.h>
#include <systemc>
#include <tlm>

namespace stvp::test {

template <class Socket>
tlm::tlm_response_status reg_access(Socket& socket, tlm::tlm_command cmd, uint32_t off, uint32_t& v,
                                    sc_core::sc_time ahead = sc_core::SC_ZERO_TIME,
                                    sc_core::sc_time* returned_delay = nullptr) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(off);
    t.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    t.set_data_length(4);
    t.set_streaming_width(4);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time d = ahead;
    socket->b_transport(t, d);
    if (returned_delay) *returned_delay = d;
    if (ahead == sc_core::SC_ZERO_TIME) sc_core::wait(d);
    return t.get_response_status();
}

template <class Socket>
uint32_t reg_read(Socket& socket, uint32_t off) {
    uint32_t v = 0xDEADBEEF;
    EXPECT_EQ(reg_access(socket, tlm::TLM_READ_COMMAND, off, v), tlm::TLM_OK_RESPONSE) << "read of offset " << off;
    return v;
}

template <class Socket>
void reg_write(Socket& socket, uint32_t off, uint32_t v) {
    EXPECT_EQ(reg_access(socket, tlm::TLM_WRITE_COMMAND, off, v), tlm::TLM_OK_RESPONSE) << "write of offset " << off;
}

}  // namespace stvp::test
