// Accelerator control: register reset values and access rules, identification from the
// configuration, doorbell timing, control writes while busy, soft reset, W1C interrupts,
// performance counters and energy, VCD signals, configuration checks.
#include <cmath>
#include <stdexcept>
#include <vector>

#include "accel/core/timing.h"
#include "../support/tlm_stimulus.h"
#include "accel_bench.h"

namespace stvp::test {
namespace {

using accel::Phase;

// A forward FC layer of `s` with its tensors on the heap, as descriptor `index`.
stvp_accel_desc fc_layer(Bench& b, const accel::FcShape& s, uint32_t layer, uint32_t flags = 0) {
    stvp_accel_desc d = make_desc(STVP_ACCEL_OP_FC_FWD, flags, layer);
    d.n = s.batch, d.c = s.in_features, d.k = s.out_features;
    d.src0 = b.alloc(4 * s.x_elements());
    d.src1 = b.alloc(4 * s.w_elements());
    d.dst0 = b.alloc(4 * s.y_elements());
    b.put_floats(d.src0, random_floats(s.x_elements(), layer + 100));
    b.put_floats(d.src1, random_floats(s.w_elements(), layer + 200));
    return d;
}

uint64_t fc_cycles(const accel::FcShape& s, Phase p = Phase::Forward, accel::NestOptions o = {}) {
    accel::TimingModel tm(AccelConfig{}.array);
    return tm.fc(s, p, o).cycles;
}

TEST(AccelRegisters, ResetValuesIdentificationAndAccessRules) {
    AccelConfig cfg;
    cfg.reg_latency = 3 * kNs;
    cfg.array.rows = 8;
    cfg.array.cols = 32;
    cfg.array.double_buffering = false;
    cfg.max_chain = 100;
    cfg.spad_bytes = 64 * 1024;
    Bench b("bench", cfg);
    b.run([](Bench& b) {
        EXPECT_EQ(b.rd(ACCEL_ID), 0x41434331u);
        EXPECT_EQ(b.rd(ACCEL_VERSION), 0x00010000u);
        EXPECT_EQ(sc_time_stamp(), 6 * kNs) << "each register access costs reg_latency";
        EXPECT_EQ(b.rd(ACCEL_CAPS), uint32_t(ACCEL_CAPS_FP32_MASK | ACCEL_CAPS_SCRATCHPAD_MASK | ACCEL_CAPS_SPARSE_MASK));
        EXPECT_EQ(b.rd(ACCEL_OPS), 0xFFFEu);
        EXPECT_EQ(b.rd(ACCEL_FORMATS), 7u);
        EXPECT_EQ(b.rd(ACCEL_ARRAY), 8u | (32u << 16));
        EXPECT_EQ(b.rd(ACCEL_MACS_PER_PE), 1u);
        EXPECT_EQ(b.rd(ACCEL_RF_BYTES), 1024u);
        EXPECT_EQ(b.rd(ACCEL_GB_BYTES), 128u * 1024);
        EXPECT_EQ(b.rd(ACCEL_SPAD_BYTES), 64u * 1024);
        EXPECT_EQ(b.rd(ACCEL_CLOCK_KHZ), 500000u);
        EXPECT_EQ(b.rd(ACCEL_MAX_CHAIN), 100u);
        for (uint32_t off = ACCEL_CTRL; off <= ACCEL_ENERGY_PJ_HI; off += 4) {
            if (b.accel.registers().name_at(off).empty()) continue;
            EXPECT_EQ(b.rd(off), 0u) << b.accel.registers().name_at(off);
        }
        uint32_t v = 1;
        for (uint32_t off : {uint32_t(ACCEL_ID), uint32_t(ACCEL_CAPS), uint32_t(ACCEL_STATUS), uint32_t(ACCEL_ERR_CODE),
                             uint32_t(ACCEL_CYCLES_LO), uint32_t(ACCEL_ENERGY_PJ_HI), uint32_t(ACCEL_CMD_REJECTED)})
            EXPECT_EQ(b.access(tlm::TLM_WRITE_COMMAND, off, v), tlm::TLM_COMMAND_ERROR_RESPONSE) << off;
        EXPECT_EQ(b.access(tlm::TLM_READ_COMMAND, 0x30, v), tlm::TLM_ADDRESS_ERROR_RESPONSE) << "hole in the map";
        EXPECT_EQ(b.access(tlm::TLM_READ_COMMAND, 0x1000, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        EXPECT_EQ(b.access(tlm::TLM_READ_COMMAND, ACCEL_STATUS + 2, v), tlm::TLM_BURST_ERROR_RESPONSE);
        b.wr(ACCEL_INT_ENABLE, 0xFFFFFFFF);
        EXPECT_EQ(b.rd(ACCEL_INT_ENABLE), 15u) << "only DONE, ERROR, DESC and NONFINITE exist";
        b.wr(ACCEL_DESC_BASE, 0x80001000);
        b.wr(ACCEL_DESC_COUNT, 3);
        EXPECT_EQ(b.rd(ACCEL_DESC_BASE), 0x80001000u);
        EXPECT_EQ(b.rd(ACCEL_DESC_COUNT), 3u);
        b.wr(ACCEL_CTRL, 0xFFFFFFFC);  // reserved bits only: no command
        EXPECT_EQ(b.rd(ACCEL_STATUS), 0u);
        EXPECT_EQ(b.rd(ACCEL_CTRL), 0u) << "write-only";
        wait(kNs);
        EXPECT_FALSE(b.irq.read());
    });
    EXPECT_EQ(b.accel.stats().chains, 0u);
}

// A CPU running ahead of the kernel rings the doorbell at its local time; the write returns
// at once and the processor starts at that time. Status reads are answered at true time.
TEST(AccelTiming, DoorbellAndPollingAtCpuLocalTime) {
    Bench b("bench");
    const accel::FcShape s{4, 64, 32};
    b.put_desc(0, fc_layer(b, s, 1));
    const sc_time t = double(overhead_cycles() + fc_cycles(s)) * kCycle;
    b.run([&](Bench& b) {
        b.wr(ACCEL_DESC_BASE, kDescBase);
        b.wr(ACCEL_DESC_COUNT, 1);
        const sc_time t0 = sc_time_stamp();
        uint32_t v = ACCEL_CTRL_START_MASK;
        sc_time d;
        EXPECT_EQ(b.access(tlm::TLM_WRITE_COMMAND, ACCEL_CTRL, v, 200 * kNs, &d), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(sc_time_stamp(), t0) << "the doorbell does not block the CPU";
        EXPECT_EQ(d, 200 * kNs);
        v = 0;
        b.access(tlm::TLM_READ_COMMAND, ACCEL_STATUS, v, 200 * kNs + t - kNs);
        EXPECT_EQ(sc_time_stamp(), t0 + 200 * kNs + t - kNs) << "a status read syncs to the CPU's time";
        EXPECT_EQ(v, uint32_t(ACCEL_STATUS_BUSY_MASK));
        b.access(tlm::TLM_READ_COMMAND, ACCEL_STATUS, v, 2 * kNs);
        EXPECT_EQ(v, uint32_t(ACCEL_STATUS_DONE_MASK));
        EXPECT_EQ(sc_time_stamp(), t0 + 200 * kNs + t + kNs);
    });
    ASSERT_EQ(b.records.size(), 1u);
    EXPECT_EQ(b.records[0].start, 200 * kNs);
    EXPECT_EQ(b.records[0].end, 200 * kNs + t);
    EXPECT_EQ(b.accel.stats().busy_time, t);
}

// Policy: writes to CTRL, DESC_BASE and DESC_COUNT while busy are ignored (no error
// response), counted in CMD_REJECTED, and never half-applied; the chain runs on unchanged.
TEST(AccelControl, ControlWritesWhileBusyAreRejectedAndCounted) {
    Bench b("bench");
    const accel::FcShape s{16, 256, 128};
    b.put_desc(0, fc_layer(b, s, 1));
    b.put_desc(1, fc_layer(b, accel::FcShape{2, 8, 8}, 2));
    const sc_time t1 = double(overhead_cycles() + fc_cycles(s)) * kCycle;
    const sc_time t2 = double(overhead_cycles() + fc_cycles(accel::FcShape{2, 8, 8})) * kCycle;
    b.run([&](Bench& b) {
        b.start(1);
        wait(100 * kNs);
        b.wr(ACCEL_DESC_BASE, kDescBase + STVP_ACCEL_DESC_SIZE);
        b.wr(ACCEL_DESC_COUNT, 5);
        b.wr(ACCEL_CTRL, ACCEL_CTRL_START_MASK);
        b.wr(ACCEL_CTRL, ACCEL_CTRL_SOFT_RESET_MASK);
        b.wr(ACCEL_CTRL, ACCEL_CTRL_SOFT_RESET_MASK | ACCEL_CTRL_START_MASK);
        EXPECT_EQ(b.rd(ACCEL_CMD_REJECTED), 5u);
        EXPECT_EQ(b.rd(ACCEL_DESC_BASE), kDescBase) << "not applied";
        EXPECT_EQ(b.rd(ACCEL_DESC_COUNT), 1u) << "not applied";
        EXPECT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_BUSY_MASK));
        b.wr(ACCEL_INT_ENABLE, ACCEL_INT_ENABLE_DONE_MASK);  // allowed while busy
        EXPECT_EQ(b.rd(ACCEL_INT_ENABLE), uint32_t(ACCEL_INT_ENABLE_DONE_MASK));
        EXPECT_EQ(b.wait_idle(), t1);
        wait(b.irq.posedge_event() | b.accel.done_event());
        EXPECT_TRUE(b.irq.read());
        EXPECT_EQ(b.rd(ACCEL_DESCS_DONE), 1u);
        // Idle: the same writes are accepted now.
        b.wr(ACCEL_INT_STATUS, ACCEL_INT_STATUS_DONE_MASK);
        b.wr(ACCEL_DESC_BASE, kDescBase + STVP_ACCEL_DESC_SIZE);
        b.wr(ACCEL_CTRL, ACCEL_CTRL_START_MASK);
        const sc_time t0 = sc_time_stamp();
        EXPECT_EQ(b.wait_idle() - t0, t2);
        EXPECT_EQ(b.rd(ACCEL_CMD_REJECTED), 5u);
        EXPECT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_DONE_MASK));
    });
    EXPECT_EQ(b.accel.stats().commands_rejected, 5u);
    EXPECT_EQ(b.accel.stats().chains, 2u);
    EXPECT_EQ(b.accel.stats().descriptors, 2u);
}

// A CPU ahead of the kernel that writes START after the chain has ended in its own time is
// not rejected: the busy check is made at the CPU's time.
TEST(AccelControl, StartAfterChainEndsInCpuTimeIsAccepted) {
    Bench b("bench");
    const accel::FcShape s{4, 32, 32};
    b.put_desc(0, fc_layer(b, s, 1));
    const sc_time t = double(overhead_cycles() + fc_cycles(s)) * kCycle;
    b.run([&](Bench& b) {
        b.start(1);
        const sc_time t0 = sc_time_stamp();
        uint32_t v = ACCEL_CTRL_START_MASK;
        sc_time d;
        EXPECT_EQ(b.access(tlm::TLM_WRITE_COMMAND, ACCEL_CTRL, v, t + kNs, &d), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(sc_time_stamp(), t0 + t + kNs) << "the CPU waited for its own time";
        EXPECT_EQ(b.rd(ACCEL_CMD_REJECTED), 0u);
        EXPECT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_BUSY_MASK)) << "the second chain runs";
        EXPECT_EQ(b.wait_idle(), t0 + t + kNs + t);
    });
    EXPECT_EQ(b.accel.stats().chains, 2u);
}

// Soft reset while idle clears the state and the counters, keeps the configuration, lowers
// the line at the write; SOFT_RESET | START is a clean start.
TEST(AccelControl, SoftResetWhileIdle) {
    Bench b("bench");
    stvp_accel_desc bad = make_desc(STVP_ACCEL_OP_FC_FWD);  // shape 0: error
    b.put_desc(0, bad);
    const accel::FcShape s{2, 16, 8};
    b.put_desc(1, fc_layer(b, s, 1));
    b.run([&](Bench& b) {
        b.wr(ACCEL_INT_ENABLE, ACCEL_INT_ENABLE_ERROR_MASK | ACCEL_INT_ENABLE_DONE_MASK);
        b.start(2);
        wait(b.irq.posedge_event());
        EXPECT_EQ(b.rd(ACCEL_ERR_CODE), uint32_t(STVP_ACCEL_ERR_SHAPE));
        EXPECT_NE(b.rd(ACCEL_CYCLES_LO), 0u) << "the failed descriptor's fetch and decode are counted";
        wait(5 * kNs);
        const sc_time t = sc_time_stamp();
        b.wr(ACCEL_CTRL, ACCEL_CTRL_SOFT_RESET_MASK);
        wait(b.irq.negedge_event());
        EXPECT_EQ(sc_time_stamp(), t);
        for (uint32_t off : {uint32_t(ACCEL_STATUS), uint32_t(ACCEL_INT_STATUS), uint32_t(ACCEL_CUR_DESC),
                             uint32_t(ACCEL_DESCS_DONE), uint32_t(ACCEL_ERR_CODE), uint32_t(ACCEL_ERR_DESC),
                             uint32_t(ACCEL_ERR_FIELD), uint32_t(ACCEL_ERR_VALUE), uint32_t(ACCEL_CMD_REJECTED),
                             uint32_t(ACCEL_OPS_DONE), uint32_t(ACCEL_CYCLES_LO), uint32_t(ACCEL_CYCLES_HI),
                             uint32_t(ACCEL_ENERGY_PJ_LO)})
            EXPECT_EQ(b.rd(off), 0u) << b.accel.registers().name_at(off);
        EXPECT_EQ(b.rd(ACCEL_INT_ENABLE), uint32_t(ACCEL_INT_ENABLE_ERROR_MASK | ACCEL_INT_ENABLE_DONE_MASK));
        EXPECT_EQ(b.rd(ACCEL_DESC_BASE), kDescBase);
        EXPECT_EQ(b.rd(ACCEL_DESC_COUNT), 2u);
        EXPECT_EQ(b.rd(ACCEL_ID), 0x41434331u);
        EXPECT_EQ(b.rd(ACCEL_ARRAY), 16u | (16u << 16)) << "identification survives";
        // Reset and start in one write, on a fixed chain.
        b.wr(ACCEL_DESC_BASE, kDescBase + STVP_ACCEL_DESC_SIZE);
        b.wr(ACCEL_DESC_COUNT, 1);
        const sc_time t0 = sc_time_stamp();
        b.wr(ACCEL_CTRL, ACCEL_CTRL_SOFT_RESET_MASK | ACCEL_CTRL_START_MASK);
        EXPECT_EQ(b.wait_idle() - t0, double(overhead_cycles() + fc_cycles(s)) * kCycle);
        EXPECT_EQ(b.rd(ACCEL_STATUS), uint32_t(ACCEL_STATUS_DONE_MASK));
        EXPECT_EQ(b.rd(ACCEL_OPS_DONE), 1u);
        EXPECT_EQ(b.rd(ACCEL_CYCLES_LO), overhead_cycles() + fc_cycles(s)) << "counting restarted at the reset";
    });
    EXPECT_EQ(b.accel.stats().chains_failed, 1u) << "stats are cumulative across soft resets";
    EXPECT_EQ(b.accel.stats().chains, 2u);
}

// INT_STATUS is W1C; the line follows INT_STATUS & INT_ENABLE, rising at the end of the
// chain; STVP_ACCEL_FLAG_IRQ raises INT_STATUS.DESC at the end of its descriptor.
TEST(AccelInterrupts, DoneAndPerDescriptorInterruptsW1C) {
    Bench b("bench");
    const accel::FcShape s1{2, 32, 16}, s2{4, 16, 16};
    b.put_desc(0, fc_layer(b, s1, 1, STVP_ACCEL_FLAG_IRQ));
    b.put_desc(1, fc_layer(b, s2, 2));
    const sc_time t1 = double(overhead_cycles() + fc_cycles(s1)) * kCycle;
    const sc_time t2 = double(overhead_cycles() + fc_cycles(s2)) * kCycle;
    test::Recorder rec("rec");
    rec.in.bind(b.irq);
    b.run([&](Bench& b) {
        b.wr(ACCEL_INT_ENABLE, ACCEL_INT_ENABLE_DESC_MASK);
        const sc_time t0 = sc_time_stamp();
        b.start(2);
        wait(b.irq.posedge_event());
        EXPECT_EQ(sc_time_stamp() - t0, t1) << "DESC at the end of descriptor 0";
        EXPECT_EQ(b.rd(ACCEL_INT_STATUS), uint32_t(ACCEL_INT_STATUS_DESC_MASK));
        EXPECT_EQ(b.rd(ACCEL_DESCS_DONE), 1u);
        b.wr(ACCEL_INT_STATUS, ACCEL_INT_STATUS_DESC_MASK);
        wait(b.irq.negedge_event());
        b.wait_idle();
        EXPECT_EQ(sc_time_stamp() - t0, t1 + t2);
        wait(kNs);
        EXPECT_FALSE(b.irq.read()) << "DONE is not enabled";
        EXPECT_EQ(b.rd(ACCEL_INT_STATUS), uint32_t(ACCEL_INT_STATUS_DONE_MASK));
        const sc_time te = sc_time_stamp();
        b.wr(ACCEL_INT_ENABLE, ACCEL_INT_ENABLE_DONE_MASK);  // enabling a pending cause raises the line
        wait(b.irq.posedge_event());
        EXPECT_EQ(sc_time_stamp(), te);
        b.wr(ACCEL_INT_STATUS, 0);  // writing 0 clears nothing
        EXPECT_TRUE(b.irq.read());
        b.wr(ACCEL_INT_STATUS, ACCEL_INT_STATUS_DONE_MASK);
        wait(b.irq.negedge_event());
        EXPECT_EQ(b.rd(ACCEL_INT_STATUS), 0u);
    });
    ASSERT_EQ(rec.edges.size(), 4u);
}

// CYCLES, MACS, DRAM/GB bytes and ENERGY equal the sums of the records, which equal the
// timing model's costs priced by the energy table; the stats group them per (layer, phase).
TEST(AccelCounters, CountersEnergyAndStats) {
    Bench b("bench");
    const accel::FcShape f{8, 64, 32};
    stvp_accel_desc d0 = fc_layer(b, f, 1, STVP_ACCEL_FLAG_RELU);
    stvp_accel_desc d1 = make_desc(STVP_ACCEL_OP_FC_BWD_DATA, 0, 1);
    d1.n = 8, d1.c = 64, d1.k = 32, d1.src0 = d0.dst0, d1.src1 = d0.src1, d1.dst0 = b.alloc(4 * 8 * 64);
    stvp_accel_desc d2 = make_desc(STVP_ACCEL_OP_SGD, 0, 2);
    d2.n = 512, d2.src0 = d0.src0, d2.dst0 = b.alloc(4 * 512), d2.alpha = 0.1f;
    b.put_desc(0, d0);
    b.put_desc(1, d1);
    b.put_desc(2, d2);
    const AccelConfig cfg;
    accel::TimingModel tm(cfg.array);
    accel::NestOptions relu;
    relu.relu = true;
    const accel::OpCost c[3] = {tm.fc(f, Phase::Forward, relu), tm.fc(f, Phase::InputGrad), tm.sgd(accel::SgdShape{512})};
    uint64_t cycles = 0, macs = 0, skipped = 0, dram = 0, gb = 0;
    double pj = 0;
    accel::ActionCounts all;
    for (const auto& k : c) {
        cycles += overhead_cycles() + k.cycles;
        macs += k.macs;
        skipped += k.macs_skipped;
        dram += k.counts.dram_read_bytes + k.counts.dram_write_bytes;
        gb += k.counts.gb_read_bytes + k.counts.gb_write_bytes;
        accel::ActionCounts counts = k.counts;
        counts.descriptor_fetch = 2;
        pj += accel::energy_of(counts, cfg.energy).total_pj();
        all += counts;
    }
    b.run([&](Bench& b) {
        EXPECT_EQ(b.run_chain(3), double(cycles) * kCycle);
        EXPECT_EQ(b.rd(ACCEL_CYCLES_LO), uint32_t(cycles));
        EXPECT_EQ(b.rd(ACCEL_CYCLES_HI), 0u);
        EXPECT_EQ(b.rd(ACCEL_MACS_LO), uint32_t(macs));
        EXPECT_EQ(b.rd(ACCEL_MACS_SKIPPED_LO), uint32_t(skipped));
        EXPECT_EQ(b.rd(ACCEL_DRAM_BYTES_LO), uint32_t(dram));
        EXPECT_EQ(b.rd(ACCEL_GB_BYTES_LO), uint32_t(gb));
        EXPECT_EQ(b.rd(ACCEL_ENERGY_PJ_LO), uint32_t(uint64_t(pj)));
        EXPECT_EQ(b.rd(ACCEL_ENERGY_PJ_HI), uint32_t(uint64_t(pj) >> 32));
        EXPECT_EQ(b.rd(ACCEL_OPS_DONE), 3u);
        // _HI returns the half latched by the last _LO read, even after the counter moved on.
        const uint32_t lo = b.rd(ACCEL_CYCLES_LO);
        b.run_chain(1);
        EXPECT_EQ(b.rd(ACCEL_CYCLES_HI), 0u);
        EXPECT_GT(b.rd(ACCEL_CYCLES_LO), lo);
        EXPECT_EQ(b.rd(ACCEL_OPS_DONE), 4u) << "OPS_DONE counts over chains";
        EXPECT_EQ(b.rd(ACCEL_DESCS_DONE), 1u) << "DESCS_DONE is per chain";
    });
    EXPECT_EQ(macs, 2u * 8 * 64 * 32);
    const AccelStats& st = b.accel.stats();
    EXPECT_EQ(st.descriptors, 4u);
    EXPECT_EQ(st.total.ops, 4u);
    ASSERT_EQ(st.per_layer_phase.size(), 3u);
    const AccelOpTotals& fwd = st.per_layer_phase.at({1, STVP_ACCEL_PHASE_FWD});
    EXPECT_EQ(fwd.ops, 2u);
    EXPECT_EQ(fwd.cycles, 2 * c[0].cycles);
    EXPECT_EQ(fwd.overhead_cycles, 2 * overhead_cycles());
    EXPECT_EQ(fwd.macs, 2 * c[0].macs);
    const AccelOpTotals& upd = st.per_layer_phase.at({2, STVP_ACCEL_PHASE_UPDATE});
    EXPECT_EQ(upd.ops, 1u);
    EXPECT_EQ(upd.cycles, c[2].cycles);
    EXPECT_EQ(upd.counts.vector_op, 512u * accel::kSgdOpsPerElement);
    EXPECT_EQ(st.per_layer_phase.at({1, STVP_ACCEL_PHASE_BWD_DATA}).macs, c[1].macs);
    // The accountant has the same energy under "layer<L>.<phase>".
    EXPECT_EQ(b.accel.energy().per_op().count("layer1.fwd"), 1u);
    EXPECT_EQ(b.accel.energy().per_op().at("layer1.fwd").calls, 2u);
    EXPECT_DOUBLE_EQ(b.accel.energy().per_op().at("layer2.update").energy.total_pj(), upd.energy.total_pj());
    EXPECT_GT(fwd.energy.pe_pj, 0.0);
    EXPECT_GT(fwd.energy.control_pj, 0.0);
    EXPECT_EQ(b.records.size(), 4u);
    EXPECT_EQ(b.records[2].seq, 2u);
}

// The VCD signals: busy for the chain, opcode/phase for exactly each op's span, layer of
// the last op, PE utilisation in (0, 1].
// The layer field is the firmware's (any 32-bit value): layers below AccelStats::kLayers get
// their own stats row and energy label, all the others share one, so the stats stay bounded.
TEST(AccelCounters, LayersBeyondTheLimitShareOneStatsRow) {
    Bench b("bench");
    const uint32_t src = b.alloc(4 * 64), dst = b.alloc(4 * 64);
    const uint32_t layers[] = {AccelStats::kLayers - 1, AccelStats::kLayers, 0xDEADBEEFu};
    for (uint32_t i = 0; i < 3; ++i) {
        stvp_accel_desc d = make_desc(STVP_ACCEL_OP_SGD, 0, layers[i]);
        d.n = 64, d.src0 = src, d.dst0 = dst, d.alpha = 0.1f;
        b.put_desc(i, d);
    }
    b.run([&](Bench& b) { b.run_chain(3); });
    const AccelStats& st = b.accel.stats();
    EXPECT_EQ(st.descriptors, 3u);
    ASSERT_EQ(st.per_layer_phase.size(), 2u);
    EXPECT_EQ(st.per_layer_phase.at({AccelStats::kLayers - 1, STVP_ACCEL_PHASE_UPDATE}).ops, 1u);
    EXPECT_EQ(st.per_layer_phase.at({AccelStats::kOtherLayers, STVP_ACCEL_PHASE_UPDATE}).ops, 2u);
    const auto& labels = b.accel.energy().per_op();
    EXPECT_EQ(labels.size(), 2u);
    EXPECT_EQ(labels.at("layer1023.update").calls, 1u);
    EXPECT_EQ(labels.at("layer_other.update").calls, 2u);
}

TEST(AccelSignals, BusyOpcodePhaseLayerUtilisation) {
    Bench b("bench");
    const accel::FcShape s{16, 64, 64};
    b.put_desc(0, fc_layer(b, s, 42));
    const uint64_t op = fc_cycles(s);
    b.run([&](Bench& b) {
        EXPECT_FALSE(b.accel.busy().read());
        const sc_time t0 = sc_time_stamp();
        b.start(1);
        wait(kCycle);
        EXPECT_TRUE(b.accel.busy().read());
        EXPECT_EQ(b.accel.phase().read(), 0u) << "fetch and decode";
        wait(t0 + double(overhead_cycles()) * kCycle + kNs - sc_time_stamp());
        EXPECT_EQ(b.accel.opcode().read(), uint32_t(STVP_ACCEL_OP_FC_FWD));
        EXPECT_EQ(b.accel.phase().read(), uint32_t(STVP_ACCEL_PHASE_FWD));
        EXPECT_EQ(b.accel.layer().read(), 42u);
        const double util = b.accel.pe_utilisation().read();
        EXPECT_GT(util, 0.0);
        EXPECT_LE(util, 1.0);
        EXPECT_DOUBLE_EQ(util, double(s.macs()) / (double(op) * 256));
        wait(t0 + double(overhead_cycles() + op) * kCycle - kNs - sc_time_stamp());
        EXPECT_EQ(b.accel.phase().read(), uint32_t(STVP_ACCEL_PHASE_FWD));
        b.wait_idle();
        wait(SC_ZERO_TIME);
        EXPECT_FALSE(b.accel.busy().read());
        EXPECT_EQ(b.accel.opcode().read(), 0u);
        EXPECT_EQ(b.accel.phase().read(), 0u);
        EXPECT_EQ(b.accel.layer().read(), 42u) << "the layer stays for the viewer";
    });
}

TEST(AccelConfigTest, Validation) {
    EXPECT_EQ(AccelConfig{}.validate(), "");
    auto bad = [](auto mutate) {
        AccelConfig c;
        mutate(c);
        return c.validate();
    };
    EXPECT_NE(bad([](AccelConfig& c) { c.array.rows = 0; }), "");
    EXPECT_NE(bad([](AccelConfig& c) { c.array.rows = 70000; }), "");
    EXPECT_NE(bad([](AccelConfig& c) { c.energy.mac_pj = -1; }), "");
    EXPECT_NE(bad([](AccelConfig& c) { c.max_chain = 0; }), "");
    EXPECT_NE(bad([](AccelConfig& c) { c.max_chain = (1u << 20) + 1; }), "");
    EXPECT_NE(bad([](AccelConfig& c) { c.spad_bytes = 6; }), "");
    EXPECT_NE(bad([](AccelConfig& c) { c.spad_bytes = 0; }), "");
    EXPECT_NE(bad([](AccelConfig& c) { c.decode_cycles = 2000000; }), "");
    EXPECT_EQ(bad([](AccelConfig& c) { c.array.clock_hz = 0; }).rfind("array.", 0), 0u);
    AccelConfig c;
    c.max_chain = 0;
    EXPECT_THROW(Accel("accel", c), std::invalid_argument);
}

}  // namespace
}  // namespace stvp::test
