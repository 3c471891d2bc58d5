// Drives the installed SimCtrl model over TLM: reads an argument, reports a training result,
// ends the run with an exit code. Prints what it saw.
#include <cstdio>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "memory/memory.h"  // installed too (linked: stvp::memory)
#include "simctrl/simctrl.h"

struct Driver : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Driver> socket{"socket"};
    uint32_t arg0 = 0;
    SC_HAS_PROCESS(Driver);
    explicit Driver(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, uint32_t& v) {
        tlm::tlm_generic_payload p;
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        p.set_command(cmd);
        p.set_address(addr);
        p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
        p.set_data_length(4);
        p.set_streaming_width(4);
        p.set_byte_enable_ptr(nullptr);
        socket->b_transport(p, d);
        return p.get_response_status();
    }
    void run() {
        access(tlm::TLM_READ_COMMAND, SIMCTRL_ARG, arg0);
        uint32_t v = 3;
        access(tlm::TLM_WRITE_COMMAND, SIMCTRL_RESULT_LO, v);
        v = stvp::result_key::EPOCHS;
        access(tlm::TLM_WRITE_COMMAND, SIMCTRL_RESULT_PUT, v);
        v = arg0 + 1;
        access(tlm::TLM_WRITE_COMMAND, SIMCTRL_EXIT, v);
    }
};

int sc_main(int, char**) {
    stvp::SimCtrlConfig cfg;
    cfg.args = {41};
    stvp::SimCtrl ctl("simctrl", cfg);
    Driver drv("driver");
    drv.socket.bind(ctl.socket);
    int code = -1;
    ctl.on_exit([&](int c) {
        code = c;
        sc_core::sc_stop();
    });
    sc_core::sc_start();
    std::printf("arg0 %u, results %zu, exit %d\n", drv.arg0, ctl.training().run().size(), code);
    return code == 42 && drv.arg0 == 41 && ctl.training().run().size() == 1 ? 0 : 1;
}
