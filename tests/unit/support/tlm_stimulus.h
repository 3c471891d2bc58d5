// Test helpers for driving one TLM-2.0 target from a stimulus thread (unit tests only).
//
// Usage in a TEST: build the device, a Stimulus and any Recorders, bind, set stim.body to a
// lambda that issues accesses (the lambda runs in an SC_THREAD, so it may wait()), then
// sc_core::sc_start(). Each TEST runs in its own process (see tests/CMakeLists.txt).
//
// Completion guard: a body that blocks (waits on an event that never comes, or sc_start() ran
// too short) would silently skip the checks after the wait, so a Stimulus whose body was set
// but did not return by the time the Stimulus is destroyed fails the test, naming itself. A
// test whose body is cut short on purpose (it polls until a monitor stops the simulation, or
// its own access stops it) says so with body_may_be_cut_short.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

namespace stvp::test {

// A loosely-timed initiator. `delay` is its local-time offset (annotated delay): accesses pass
// it to b_transport and the target adds its latency; sync() waits it out.
class Stimulus : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Stimulus> socket;
    std::function<void(Stimulus&)> body;
    bool body_may_be_cut_short = false;  // the completion guard leaves an unfinished body alone
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    // Ranges the target invalidated (start, end), in order.
    std::vector<std::pair<uint64_t, uint64_t>> invalidations;

    SC_HAS_PROCESS(Stimulus);
    explicit Stimulus(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
        socket.register_invalidate_direct_mem_ptr(this, &Stimulus::invalidate);
        SC_THREAD(run);
    }
    ~Stimulus() override {
        if (!body || finished_ || body_may_be_cut_short) return;
        ADD_FAILURE() << "Stimulus '" << name() << "': its body "
                      << (started_ ? "did not run to the end (blocked in a wait() at " + sc_core::sc_time_stamp().to_string() +
                                         ", or sc_start() stopped first), so the checks after that point did not run"
                                   : "never started (sc_core::sc_start() was not called)");
    }

    // Local time of the next access.
    sc_core::sc_time now() const { return sc_core::sc_time_stamp() + delay; }
    void sync() {
        wait(delay);
        delay = sc_core::SC_ZERO_TIME;
    }

    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                                    unsigned char* be = nullptr, unsigned be_len = 0, unsigned streaming = 0) {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char*>(data));
        gp.set_data_length(len);
        gp.set_streaming_width(streaming ? streaming : len);
        gp.set_byte_enable_ptr(be);
        gp.set_byte_enable_length(be_len);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        socket->b_transport(gp, delay);
        last_dmi_allowed = gp.is_dmi_allowed();
        return gp.get_response_status();
    }
    tlm::tlm_response_status write32(uint64_t addr, uint32_t v) {
        return access(tlm::TLM_WRITE_COMMAND, addr, &v, 4);
    }
    tlm::tlm_response_status read32(uint64_t addr, uint32_t& v) {
        return access(tlm::TLM_READ_COMMAND, addr, &v, 4);
    }
    // Read that returns the value (0xDEADBEEF if the access failed).
    uint32_t rd(uint64_t addr) {
        uint32_t v = 0;
        return read32(addr, v) == tlm::TLM_OK_RESPONSE ? v : 0xDEADBEEFu;
    }

    unsigned debug(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                   tlm::tlm_response_status* status = nullptr) {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char*>(data));
        gp.set_data_length(len);
        gp.set_streaming_width(len);
        unsigned n = socket->transport_dbg(gp);
        if (status) *status = gp.get_response_status();
        return n;
    }

    bool dmi(uint64_t addr, tlm::tlm_dmi& d, tlm::tlm_command cmd = tlm::TLM_READ_COMMAND) {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        d.init();
        return socket->get_direct_mem_ptr(gp, d);
    }

    bool last_dmi_allowed = false;

private:
    void run() {
        started_ = true;
        if (body) body(*this);
        finished_ = true;
    }
    bool started_ = false, finished_ = false;
    void invalidate(sc_dt::uint64 start, sc_dt::uint64 end) { invalidations.emplace_back(start, end); }
};

// Records every value change of a bool signal with its time (an SC_METHOD, as a CPU's
// interrupt input would see it). The initial evaluation is not recorded.
class Recorder : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> in;
    struct Edge {
        sc_core::sc_time time;
        bool value;
    };
    std::vector<Edge> edges;

    SC_HAS_PROCESS(Recorder);
    explicit Recorder(sc_core::sc_module_name name) : sc_core::sc_module(name), in("in") {
        SC_METHOD(sample);
        sensitive << in;
        dont_initialize();
    }

    // Time of the n-th rising edge, or SC_ZERO_TIME with found = false.
    sc_core::sc_time rise(unsigned n = 0, bool* found = nullptr) const {
        for (const auto& e : edges)
            if (e.value && n-- == 0) {
                if (found) *found = true;
                return e.time;
            }
        if (found) *found = false;
        return sc_core::SC_ZERO_TIME;
    }

private:
    void sample() { edges.push_back(Edge{sc_core::sc_time_stamp(), in.read()}); }
};

inline sc_core::sc_time ns(double v) { return sc_core::sc_time(v, sc_core::SC_NS); }
inline sc_core::sc_time us(double v) { return sc_core::sc_time(v, sc_core::SC_US); }

}  // namespace stvp::test
