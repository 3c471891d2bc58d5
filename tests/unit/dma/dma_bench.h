// Test bench for the DMA engine: the Dma, a small memory target, and a CPU-like stimulus
// thread that programs the DMA through its register socket. One bench per test process.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "../support/reg_access.h"
#include <tlm_utils/simple_target_socket.h>

#include "dma/dma.h"

namespace stvp::test {

using namespace sc_core;

// Memory [base, base + size) with a fixed latency per access; anything else (even partly
// outside) answers TLM_ADDRESS_ERROR_RESPONSE and touches nothing. Logs every write.
class TestMemory : public sc_module {
public:
    struct Write {
        uint64_t addr;
        unsigned len;
        sc_time when;
    };

    tlm_utils::simple_target_socket<TestMemory> socket;
    uint64_t base;
    std::vector<uint8_t> data;
    sc_time latency;
    std::vector<Write> writes;
    unsigned errors = 0;

    TestMemory(sc_module_name n, uint64_t base_, uint64_t size, sc_time lat)
        : sc_module(n), socket("socket"), base(base_), data(size), latency(lat) {
        socket.register_b_transport(this, &TestMemory::b_transport);
    }

    bool mapped(uint64_t a, uint64_t len) const { return a >= base && a + len <= base + data.size(); }
    uint8_t* at(uint64_t a) { return &data.at(a - base); }

    void put(uint64_t a, const void* p, std::size_t len) { std::memcpy(at(a), p, len); }
    void put_desc(uint64_t a, const stvp_dma_desc& d) { put(a, &d, sizeof d); }
    void fill_pattern(uint64_t a, std::size_t len, uint8_t seed) {
        for (std::size_t i = 0; i < len; ++i) *at(a + i) = uint8_t(seed + i * 7);
    }
    void fill(uint64_t a, std::size_t len, uint8_t v) { std::memset(at(a), v, len); }

private:
    void b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
        const uint64_t a = t.get_address();
        const unsigned len = t.get_data_length();
        delay += latency;
        if (!mapped(a, len) || t.get_byte_enable_ptr() || t.get_streaming_width() != len) {
            ++errors;
            t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        if (t.is_read()) {
            std::memcpy(t.get_data_ptr(), at(a), len);
        } else if (t.is_write()) {
            std::memcpy(at(a), t.get_data_ptr(), len);
            writes.push_back({a, len, sc_time_stamp() + delay});
        }
        t.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

constexpr uint64_t kMemBase = 0x80000000;
constexpr uint64_t kMemSize = 0x10000;
inline const sc_time kMemLatency(10, SC_NS);

// The DMA, a memory on its master socket, the irq wire, and a stimulus thread.
class Bench : public sc_module {
public:
    Dma dma;
    TestMemory mem;
    sc_signal<bool> irq{"irq_line"};
    tlm_utils::simple_initiator_socket<Bench> cpu{"cpu"};
    std::function<void(Bench&)> program;
    bool program_finished = false;

    explicit Bench(sc_module_name n, const DmaConfig& cfg = DmaConfig{}, sc_time mem_latency = kMemLatency)
        : sc_module(n),
          dma("dma", cfg),
          mem("mem", kMemBase, kMemSize, mem_latency) {
        dma.master.bind(mem.socket);
        dma.irq.bind(irq);
        cpu.bind(dma.socket);
        SC_HAS_PROCESS(Bench);
        SC_THREAD(stimulus);
    }

    // CPU-like register access: the access takes its annotated delay (waited unless
    // `ahead` is given: then the access is issued `ahead` into the future, as a
    // temporally-decoupled CPU does, and the caller's thread is not advanced).
    tlm::tlm_response_status access(tlm::tlm_command cmd, uint32_t off, uint32_t& v, sc_time ahead = SC_ZERO_TIME,
                                    sc_time* returned_delay = nullptr) {
        return test::reg_access(cpu, cmd, off, v, ahead, returned_delay);
    }
    uint32_t rd(uint32_t off) { return test::reg_read(cpu, off); }
    void wr(uint32_t off, uint32_t v) { test::reg_write(cpu, off, v); }
    void start(uint32_t head) {
        wr(DMA_DESC_HEAD, head);
        wr(DMA_CTRL, DMA_CTRL_START_MASK);
    }
    // Waits until STATUS.BUSY is clear (looking at the register without a bus access) and
    // returns the time it cleared.
    sc_time wait_idle() {
        while (dma.registers().value(DMA_STATUS) & DMA_STATUS_BUSY_MASK) wait(dma.done_event());
        return sc_time_stamp();
    }

    // Runs `program` in the stimulus thread; returns after the simulation starved.
    void run(std::function<void(Bench&)> p) {
        program = std::move(p);
        sc_start();
        EXPECT_TRUE(program_finished) << "stimulus did not finish (deadlock?)";
    }

private:
    void stimulus() {
        if (program) program(*this);
        program_finished = true;
    }
};

inline stvp_dma_desc desc(uint32_t src, uint32_t dst, uint32_t row_bytes, uint32_t rows = 1,
                          uint32_t src_stride = 0, uint32_t dst_stride = 0, uint32_t next = 0, uint32_t flags = 0) {
    stvp_dma_desc d{};
    d.src = src;
    d.dst = dst;
    d.row_bytes = row_bytes;
    d.rows = rows;
    d.src_stride = src_stride;
    d.dst_stride = dst_stride;
    d.next = next;
    d.flags = flags;
    return d;
}

// Time the engine needs for one descriptor of `rows` rows of `row_bytes` with memory latency
// `lat`: the 32-byte fetch, then per burst a read and a write latency plus bytes / bandwidth.
inline sc_time expected_desc_time(uint32_t row_bytes, uint32_t rows, const DmaConfig& cfg, sc_time lat) {
    auto xfer = [&](uint32_t n) { return sc_time(double(n) / (cfg.bandwidth_gbps * 1e9), SC_SEC); };
    sc_time t = lat + xfer(STVP_DMA_DESC_SIZE);
    for (uint32_t r = 0; r < rows; ++r)
        for (uint32_t off = 0; off < row_bytes; off += cfg.burst_bytes) {
            uint32_t n = std::min(cfg.burst_bytes, row_bytes - off);
            t += 2 * lat + xfer(n);
        }
    return t;
}

}  // namespace stvp::test
