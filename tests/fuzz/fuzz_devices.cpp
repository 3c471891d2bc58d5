// Fuzz harness: the accelerator and the DMA engine as firmware sees them: register accesses
// of any offset and width through their TLM target sockets (b_transport), descriptor chains
// and tensors in a 64 KiB DRAM behind a router, the accelerator's scratchpad, both irq lines.
// The devices are driven only through their sockets and registers (no model internals), so
// the harness does not depend on how the accelerator is built inside.
//
// Input: a program of operations, each starting with a byte b (kind = b & 7):
//   0 / 1  accel register write / read   then 1 byte offset (0..255), write: 4 bytes value (LE)
//   2 / 3  DMA register write / read     then 1 byte offset (& 0x3F),  write: 4 bytes value
//          width of a register access: (b >> 3) & 3 = 0: 4, 1: 1, 2: 2, 3: 8 bytes
//   4      put bytes: 2 bytes offset, 2 bytes length, the bytes; (b >> 3) & 1 = 0: DRAM, 1: scratchpad
//   5      wait (2 bytes v + 1) x 10 ns of simulated time
//   6      wait until neither device is busy
//   7      nothing
// After the program the harness waits until both devices are idle.
//
// One simulation per process (SystemC elaborates once): the first input builds the Rig, which
// lives until exit; every input runs in its stimulus thread between one sc_start() and the
// sc_pause() that ends it. Between inputs the rig goes back to its reset state through the
// same interface firmware has: wait until both devices are idle, CTRL = SOFT_RESET on each
// (clears STATUS, INT_STATUS, error and performance registers), INT_ENABLE, DESC_BASE,
// DESC_COUNT and DESC_HEAD written 0, DRAM and scratchpad zeroed by debug transport. What
// stays is what firmware cannot reset either: the simulated time and the models' cumulative
// statistics for the platform's report.
//
// Beyond "no crash, no sanitizer report, no exception, no hang", it aborts (a finding) when
// a register access is left without a response status, when an idle device reports DONE and
// ERROR together or ERROR with ERR_CODE 0, or when after the reset an identification register
// has changed or an irq line is still high.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "accel/accel.h"
#include "bus/router.h"
#include "dma/dma.h"
#include "memory/memory.h"
#include "stvp/hw/memmap.h"
#include "stvp/hw/regs.h"

using namespace sc_core;
using namespace stvp;

namespace {

constexpr uint32_t kDram = 0x80000000u, kDramSize = 64 * 1024;
constexpr uint32_t kSpadSize = 8 * 1024;

MemoryConfig dram_config() {
    MemoryConfig m;
    m.size = kDramSize;
    return m;
}

// Chain limits far below the defaults (accel 4096, DMA 65536): a descriptor that points at
// itself is the fuzzer's easiest input, and it then ran the whole default chain, one
// simulated descriptor (and one SystemC wait) at a time, for each such input. The limit's own
// check (ERR_CHAIN_LENGTH, DESC_COUNT) is reached either way.
constexpr uint32_t kMaxChain = 64;

AccelConfig accel_config() {
    AccelConfig c;
    c.spad_bytes = kSpadSize;
    c.max_chain = kMaxChain;
    return c;
}

DmaConfig dma_config() {
    DmaConfig c;
    c.max_chain = kMaxChain;
    return c;
}

class Rig : public sc_module {
public:
    Router router{"router"};
    Memory dram{"dram", dram_config()};
    Accel accel{"accel", accel_config()};
    Dma dma{"dma", dma_config()};
    sc_signal<bool> accel_irq{"accel_irq"}, dma_irq{"dma_irq"};
    tlm_utils::simple_initiator_socket<Rig> to_accel{"to_accel"}, to_dma{"to_dma"}, to_bus{"to_bus"};

    const uint8_t* in = nullptr;
    size_t left = 0;
    sc_event go;
    uint64_t inputs_run = 0;

    explicit Rig(sc_module_name n) : sc_module(n) {
        router.initiator_socket.bind(dram.socket);
        router.add_region("dram", kDram, kDramSize, 0);
        router.initiator_socket.bind(accel.spad.socket);
        router.add_region("spad", STVP_SPAD_BASE, kSpadSize, 1);
        accel.master.bind(router.target_socket);
        dma.master.bind(router.target_socket);
        to_bus.bind(router.target_socket);
        to_accel.bind(accel.socket);
        to_dma.bind(dma.socket);
        accel.irq.bind(accel_irq);
        dma.irq.bind(dma_irq);
        SC_HAS_PROCESS(Rig);
        SC_THREAD(stimulus);
    }

private:
    template <class Socket>
    uint64_t access(Socket& s, tlm::tlm_command cmd, uint32_t off, unsigned width, uint64_t v = 0) {
        tlm::tlm_generic_payload t;
        uint8_t buf[8];
        std::memcpy(buf, &v, sizeof buf);
        t.set_command(cmd);
        t.set_address(off);
        t.set_data_ptr(buf);
        t.set_data_length(width);
        t.set_streaming_width(width);
        t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time d = SC_ZERO_TIME;
        s->b_transport(t, d);
        if (t.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE) std::abort();
        wait(d);
        if (!t.is_response_ok()) return ~uint64_t(0);
        uint64_t r = 0;
        std::memcpy(&r, buf, width);
        return r;
    }
    uint32_t rd_accel(uint32_t off) { return uint32_t(access(to_accel, tlm::TLM_READ_COMMAND, off, 4)); }
    uint32_t rd_dma(uint32_t off) { return uint32_t(access(to_dma, tlm::TLM_READ_COMMAND, off, 4)); }
    void wr_accel(uint32_t off, uint32_t v) { access(to_accel, tlm::TLM_WRITE_COMMAND, off, 4, v); }
    void wr_dma(uint32_t off, uint32_t v) { access(to_dma, tlm::TLM_WRITE_COMMAND, off, 4, v); }

    void put(uint32_t addr, uint8_t* p, unsigned n) {
        tlm::tlm_generic_payload t;
        t.set_command(tlm::TLM_WRITE_COMMAND);
        t.set_address(addr);
        t.set_data_ptr(p);
        t.set_data_length(n);
        t.set_streaming_width(n);
        if (to_bus->transport_dbg(t) != n) std::abort();  // the rig's own memory map
    }

    bool take(size_t n) {
        if (left < n) return false;
        left -= n;
        in += n;
        return true;
    }
    uint32_t le(const uint8_t* p, size_t n) {
        uint32_t v = 0;
        for (size_t i = 0; i < n; ++i) v |= uint32_t(p[i]) << (8 * i);
        return v;
    }

    // Both STATUS registers read until BUSY is clear, waiting longer each time.
    void wait_idle() {
        sc_time step(100, SC_NS);
        while ((rd_accel(ACCEL_STATUS) & ACCEL_STATUS_BUSY_MASK) || (rd_dma(DMA_STATUS) & DMA_STATUS_BUSY_MASK)) {
            wait(step);
            if (step < sc_time(1, SC_MS)) step = step * 2;
        }
    }

    void check_idle_status() {
        const uint32_t a = rd_accel(ACCEL_STATUS), d = rd_dma(DMA_STATUS);
        const bool a_done = a & ACCEL_STATUS_DONE_MASK, a_err = a & ACCEL_STATUS_ERROR_MASK;
        const bool d_done = d & DMA_STATUS_DONE_MASK, d_err = d & DMA_STATUS_ERROR_MASK;
        if ((a_done && a_err) || (d_done && d_err)) std::abort();
        if (a_err && rd_accel(ACCEL_ERR_CODE) == 0) std::abort();
        if (d_err && rd_dma(DMA_ERR_CODE) == 0) std::abort();
    }

    void run_program() {
        while (left > 0) {
            const uint8_t b = *in;
            take(1);
            static constexpr unsigned kWidth[] = {4, 1, 2, 8};
            const unsigned width = kWidth[(b >> 3) & 3];
            switch (b & 7) {
            case 0:
            case 2: {
                if (left < 5) return;
                const uint32_t off = (b & 7) == 0 ? in[0] : in[0] & 0x3F;
                const uint32_t v = le(in + 1, 4);
                take(5);
                if ((b & 7) == 0)
                    access(to_accel, tlm::TLM_WRITE_COMMAND, off, width, uint64_t(v) * 0x100000001ull);
                else
                    access(to_dma, tlm::TLM_WRITE_COMMAND, off, width, uint64_t(v) * 0x100000001ull);
                break;
            }
            case 1:
            case 3: {
                if (left < 1) return;
                const uint32_t off = (b & 7) == 1 ? in[0] : in[0] & 0x3F;
                take(1);
                if ((b & 7) == 1)
                    access(to_accel, tlm::TLM_READ_COMMAND, off, width);
                else
                    access(to_dma, tlm::TLM_READ_COMMAND, off, width);
                break;
            }
            case 4: {
                if (left < 4) return;
                const bool spad = (b >> 3) & 1;
                const uint32_t size = spad ? kSpadSize : kDramSize;
                const uint32_t off = le(in, 2) % size;
                uint32_t n = le(in + 2, 2);
                take(4);
                n = std::min<uint32_t>({n, uint32_t(left), size - off});
                std::vector<uint8_t> bytes(in, in + n);
                take(n);
                if (n) put((spad ? STVP_SPAD_BASE : kDram) + off, bytes.data(), n);
                break;
            }
            case 5:
                if (left < 2) return;
                wait(sc_time(10.0 * (le(in, 2) + 1), SC_NS));
                take(2);
                break;
            case 6:
                wait_idle();
                break;
            default:
                break;
            }
        }
    }

    void reset() {
        wr_accel(ACCEL_CTRL, ACCEL_CTRL_SOFT_RESET_MASK);
        wr_accel(ACCEL_INT_ENABLE, 0);
        wr_accel(ACCEL_DESC_BASE, 0);
        wr_accel(ACCEL_DESC_COUNT, 0);
        wr_dma(DMA_CTRL, DMA_CTRL_SOFT_RESET_MASK);
        wr_dma(DMA_INT_ENABLE, 0);
        wr_dma(DMA_DESC_HEAD, 0);
        static std::vector<uint8_t> zeros(kDramSize);  // only read; DRAM is the larger of the two
        put(kDram, zeros.data(), kDramSize);
        put(STVP_SPAD_BASE, zeros.data(), kSpadSize);
        wait(SC_ZERO_TIME);  // the irq signals take the new levels
        if (accel_irq.read() || dma_irq.read()) std::abort();
        if (rd_accel(ACCEL_ID) != uint32_t(ACCEL_ID_RESET) || rd_dma(DMA_ID) != uint32_t(DMA_ID_RESET)) std::abort();
        if (rd_accel(ACCEL_STATUS) != 0 || rd_dma(DMA_STATUS) != 0) std::abort();
    }

    void stimulus() {
        for (;;) {  // the first input runs at the simulation's start, each next one on `go`
            run_program();
            wait_idle();
            check_idle_status();
            reset();
            ++inputs_run;
            sc_pause();
            wait(go);
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Rig* rig = nullptr;
    const bool first = !rig;
    if (first) {
        sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
        sc_report_handler::set_actions(SC_WARNING, SC_DO_NOTHING);  // refused chains: expected, and slow to print
        rig = new Rig("rig");  // lives until exit: SystemC elaborates once per process
        // What a campaign ran, in accelerator descriptors (issue 13 counts descriptors), from the
        // model's cumulative statistics. Printed at exit (libFuzzer's -runs and -max_total_time end
        // with exit(); an interrupt does not run it).
        std::atexit([] {
            const AccelStats& s = rig->accel.stats();
            std::fprintf(stderr,
                         "fuzz_devices: %" PRIu64 " inputs, accelerator: %" PRIu64 " chains started, %" PRIu64
                         " failed, %" PRIu64 " descriptors completed\n",
                         rig->inputs_run, s.chains, s.chains_failed, s.descriptors);
        });
    }
    rig->in = data;
    rig->left = size;
    const uint64_t before = rig->inputs_run;
    if (!first) rig->go.notify(SC_ZERO_TIME);
    sc_start();
    if (rig->inputs_run != before + 1) std::abort();  // the input did not run to its end
    return 0;
}
