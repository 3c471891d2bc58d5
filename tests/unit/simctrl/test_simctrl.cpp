#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "simctrl/simctrl.h"
#include "../support/tlm_stimulus.h"

using namespace stvp;
using stvp::test::ns;
using stvp::test::Recorder;
using stvp::test::Stimulus;
using stvp::test::us;

namespace {
struct Bench {
    SimCtrl sim;
    Stimulus stim{"stim"};
    Recorder trace{"trace"};
    explicit Bench(const SimCtrlConfig& cfg = {}) : sim("simctrl", cfg) {
        stim.socket.bind(sim.socket);
        trace.in(sim.trace_enable);
    }
};
}  // namespace

TEST(SimCtrl, ExitCallsBackWithCodeAtTheStoreTime) {
    Bench b;
    int code = -1;
    sc_core::sc_time when;
    b.sim.on_exit([&](int c) {
        code = c;
        when = sc_core::sc_time_stamp();
    });
    b.stim.body = [&](Stimulus& st) {
        st.delay = us(5);
        EXPECT_EQ(st.write32(SIMCTRL_EXIT, 0x1234), tlm::TLM_OK_RESPONSE);
    };
    sc_core::sc_start();
    EXPECT_EQ(code, 0x34);
    EXPECT_EQ(when, us(5));
    EXPECT_TRUE(b.sim.exited());
    EXPECT_EQ(b.sim.exit_value(), 0x1234u);
    EXPECT_EQ(b.sim.exit_code(), 0x34);
    EXPECT_EQ(b.sim.exit_time(), us(5));
}

TEST(SimCtrl, ExitWithoutCallbackStopsTheSimulation) {
    Bench b;
    bool after = false;
    b.stim.body_may_be_cut_short = true;  // its EXIT write stops the kernel inside the body
    b.stim.body = [&](Stimulus& st) {
        st.delay = us(3);
        st.write32(SIMCTRL_EXIT, 7);
        sc_core::wait(us(1));
        after = true;  // never reached: the kernel stopped
    };
    sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_SEC));
    EXPECT_EQ(sc_core::sc_time_stamp(), us(3));
    EXPECT_FALSE(after);
    EXPECT_EQ(b.sim.exit_code(), 7);
    EXPECT_EQ(sc_core::sc_get_status(), sc_core::SC_STOPPED);
}

TEST(SimCtrl, MarkersAreRecordedWithTheirLocalTimes) {
    Bench b;
    std::vector<uint32_t> seen;
    b.sim.on_marker([&](uint32_t v, const sc_core::sc_time& t) {
        seen.push_back(v);
        EXPECT_EQ(t, ns(100) * double(v));
    });
    b.stim.body = [&](Stimulus& st) {
        for (uint32_t v = 1; v <= 3; ++v) {
            st.delay = ns(100) * double(v);  // no sync: markers do not stop the initiator
            EXPECT_EQ(st.write32(SIMCTRL_MARKER, v), tlm::TLM_OK_RESPONSE);
        }
        EXPECT_EQ(sc_core::sc_time_stamp(), sc_core::SC_ZERO_TIME);
    };
    sc_core::sc_start();
    EXPECT_EQ(seen, (std::vector<uint32_t>{1, 2, 3}));
    ASSERT_EQ(b.sim.markers().size(), 3u);
    EXPECT_EQ(b.sim.markers()[2].value, 3u);
    EXPECT_EQ(b.sim.markers()[2].time, ns(300));
}

TEST(SimCtrl, TraceAndPhaseSignalsChangeAtTheStoreTime) {
    Bench b;
    std::vector<std::pair<uint32_t, sc_core::sc_time>> phases;
    std::vector<bool> traces;
    b.sim.on_phase([&](uint32_t p, const sc_core::sc_time& t) { phases.emplace_back(p, t); });
    b.sim.on_trace([&](bool en, const sc_core::sc_time&) { traces.push_back(en); });
    b.stim.body = [&](Stimulus& st) {
        EXPECT_EQ(st.rd(SIMCTRL_TRACE), 1u);  // reset: window open
        EXPECT_TRUE(b.sim.trace_enable.read());
        st.delay = us(2);
        EXPECT_EQ(st.write32(SIMCTRL_TRACE, 0xFFFFFFFE), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.rd(SIMCTRL_TRACE), 0u);
        st.delay = us(1);
        EXPECT_EQ(st.write32(SIMCTRL_PHASE, 42), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.rd(SIMCTRL_PHASE), 42u);
        st.delay = us(1);
        EXPECT_EQ(st.write32(SIMCTRL_TRACE, 1), tlm::TLM_OK_RESPONSE);
        sc_core::wait(ns(1));
        EXPECT_EQ(b.sim.phase.read(), 42u);
    };
    sc_core::sc_start();
    ASSERT_EQ(b.trace.edges.size(), 2u);
    EXPECT_FALSE(b.trace.edges[0].value);
    EXPECT_EQ(b.trace.edges[0].time, us(2));
    EXPECT_TRUE(b.trace.edges[1].value);
    EXPECT_EQ(b.trace.edges[1].time, us(4));
    ASSERT_EQ(phases.size(), 1u);
    EXPECT_EQ(phases[0].first, 42u);
    EXPECT_EQ(phases[0].second, us(3));
    EXPECT_EQ(traces, (std::vector<bool>{false, true}));
}

TEST(SimCtrl, TimeRegistersReadNanosecondsAndLoLatchesHi) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        st.delay = sc_core::sc_time(1234.5, sc_core::SC_NS);
        EXPECT_EQ(st.rd(SIMCTRL_TIME_LO), 1234u);  // at the access's local time, floored
        EXPECT_EQ(st.rd(SIMCTRL_TIME_HI), 0u);
        st.sync();
        // Just before the low word wraps (2^32 ns = 4.294967296 s).
        sc_core::wait(ns(4294967295.0) - sc_core::sc_time_stamp());
        EXPECT_EQ(st.rd(SIMCTRL_TIME_LO), 0xFFFFFFFFu);
        sc_core::wait(ns(1));
        EXPECT_EQ(st.rd(SIMCTRL_TIME_HI), 0u);  // latched by the LO read, not the current time
        EXPECT_EQ(st.rd(SIMCTRL_TIME_LO), 0u);
        EXPECT_EQ(st.rd(SIMCTRL_TIME_HI), 1u);
    };
    sc_core::sc_start();
}

TEST(SimCtrl, ArgumentsAreReadOnly) {
    SimCtrlConfig c;
    c.args = {7, 0xDEADBEEF};
    Bench b(c);
    b.stim.body = [&](Stimulus& st) {
        EXPECT_EQ(st.rd(SIMCTRL_NARGS), 2u);
        EXPECT_EQ(st.rd(SIMCTRL_ARG), 7u);
        EXPECT_EQ(st.rd(SIMCTRL_ARG + 4), 0xDEADBEEFu);
        EXPECT_EQ(st.rd(SIMCTRL_ARG + 8), 0u);
        EXPECT_EQ(st.write32(SIMCTRL_ARG, 1), tlm::TLM_COMMAND_ERROR_RESPONSE);
        EXPECT_EQ(st.write32(SIMCTRL_NARGS, 1), tlm::TLM_COMMAND_ERROR_RESPONSE);
        EXPECT_EQ(st.rd(SIMCTRL_ARG), 7u);
    };
    sc_core::sc_start();
    SimCtrlConfig many;
    many.args.assign(SIMCTRL_ARG_COUNT + 1, 0);
    EXPECT_NE(many.validate(), "");
    EXPECT_EQ(c.validate(), "");
}

// The training workload (workload.def): the defaults without a platform, the given values
// otherwise, one register per key at WORKLOAD + 4 i, read-only, 0 beyond the keys.
TEST(SimCtrl, WorkloadRegistersHoldTheKeys) {
    SimCtrlConfig c;
    c.workload[STVP_WL_EPOCHS] = 3;
    c.workload[STVP_WL_LR] = 0x3DCCCCCDu;  // 0.1f
    Bench b(c);
    b.stim.body = [&](Stimulus& st) {
        EXPECT_EQ(st.rd(SIMCTRL_WORKLOAD + 4 * STVP_WL_EPOCHS), 3u);
        EXPECT_EQ(st.rd(SIMCTRL_WORKLOAD + 4 * STVP_WL_LR), 0x3DCCCCCDu);
        EXPECT_EQ(st.rd(SIMCTRL_WORKLOAD + 4 * STVP_WL_BATCH), 64u);  // workload.def's default
        EXPECT_EQ(st.rd(SIMCTRL_WORKLOAD + 4 * STVP_WL_PROCRUSTES_BUDGET), 10u);
        EXPECT_EQ(st.rd(SIMCTRL_WORKLOAD + 4 * (SIMCTRL_WORKLOAD_COUNT - 1)), 0u);
        EXPECT_EQ(st.write32(SIMCTRL_WORKLOAD, 1), tlm::TLM_COMMAND_ERROR_RESPONSE);
        EXPECT_EQ(st.rd(SIMCTRL_WORKLOAD + 4 * STVP_WL_NETWORK), 0u);
    };
    sc_core::sc_start();
}

TEST(SimCtrl, AccessRules) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        EXPECT_EQ(st.rd(SIMCTRL_EXIT), 0u);    // WO reads 0
        EXPECT_EQ(st.rd(SIMCTRL_MARKER), 0u);
        EXPECT_EQ(st.write32(SIMCTRL_TIME_LO, 1), tlm::TLM_COMMAND_ERROR_RESPONSE);
        EXPECT_EQ(st.write32(SIMCTRL_TIME_HI, 1), tlm::TLM_COMMAND_ERROR_RESPONSE);
        uint8_t byte = 1;
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, SIMCTRL_EXIT, &byte, 1), tlm::TLM_BURST_ERROR_RESPONSE);
        EXPECT_EQ(st.write32(SIMCTRL_EXIT + 2, 1), tlm::TLM_BURST_ERROR_RESPONSE);
        EXPECT_EQ(st.write32(0x800, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    };
    sc_core::sc_start();
    EXPECT_FALSE(b.sim.exited());  // none of the refused stores reached EXIT
}

// Mask capture: CAPTURE.ENABLE reflects the platform's setting (read-only); STEP resets to
// "no step", reads back what was written, and calls the step callback at once with each write.
TEST(SimCtrl, CaptureAndStepRegisters) {
    SimCtrlConfig cfg;
    cfg.capture = true;
    Bench b(cfg);
    std::vector<uint32_t> steps;
    b.sim.on_step([&](uint32_t s) { steps.push_back(s); });
    b.stim.body = [&](Stimulus& st) {
        EXPECT_EQ(st.rd(SIMCTRL_CAPTURE), 1u);
        EXPECT_EQ(st.write32(SIMCTRL_CAPTURE, 0), tlm::TLM_COMMAND_ERROR_RESPONSE);
        EXPECT_EQ(st.rd(SIMCTRL_STEP), 0xFFFFFFFFu);
        EXPECT_EQ(st.write32(SIMCTRL_STEP, 7), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(steps, std::vector<uint32_t>{7});  // before the next access: in program order
        EXPECT_EQ(st.rd(SIMCTRL_STEP), 7u);
        st.write32(SIMCTRL_STEP, 0xFFFFFFFFu);
    };
    sc_core::sc_start();
    EXPECT_EQ(steps, (std::vector<uint32_t>{7, 0xFFFFFFFFu}));
}

TEST(SimCtrl, CaptureReadsZeroWhenOff) {
    Bench b;
    b.stim.body = [&](Stimulus& st) { EXPECT_EQ(st.rd(SIMCTRL_CAPTURE), 0u); };
    sc_core::sc_start();
}

// Training results (RESULT_LO/HI/PUT, simctrl_results.def).
namespace {
uint32_t f32_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}
}  // namespace

TEST(SimCtrl, ResultsRecordEpochsAndRunFieldsInOrder) {
    Bench b;
    b.stim.body = [&](Stimulus& st) {
        for (uint32_t e = 1; e <= 2; ++e) {
            EXPECT_EQ(st.write32(SIMCTRL_RESULT_LO, e), tlm::TLM_OK_RESPONSE);
            EXPECT_EQ(st.write32(SIMCTRL_RESULT_PUT, result_key::EPOCH), tlm::TLM_OK_RESPONSE);
            st.write32(SIMCTRL_RESULT_LO, f32_bits(0.5f * float(e)));
            EXPECT_EQ(st.write32(SIMCTRL_RESULT_PUT, result_key::EPOCH_TEST_ACCURACY), tlm::TLM_OK_RESPONSE);
            st.write32(SIMCTRL_RESULT_LO, 0x89abcdefu);  // a 64-bit time: both words used
            st.write32(SIMCTRL_RESULT_HI, 0x12u);
            EXPECT_EQ(st.write32(SIMCTRL_RESULT_PUT, result_key::EPOCH_SIM_NS), tlm::TLM_OK_RESPONSE);
            st.write32(SIMCTRL_RESULT_HI, 0);
        }
        st.write32(SIMCTRL_RESULT_LO, f32_bits(0.25f));
        st.write32(SIMCTRL_RESULT_HI, 0xFFFFFFFFu);  // ignored for an f32 key
        EXPECT_EQ(st.write32(SIMCTRL_RESULT_PUT, result_key::FINAL_ACCURACY), tlm::TLM_OK_RESPONSE);
        st.write32(SIMCTRL_RESULT_LO, f32_bits(0.875f));  // written again: replaced
        EXPECT_EQ(st.write32(SIMCTRL_RESULT_PUT, result_key::FINAL_ACCURACY), tlm::TLM_OK_RESPONSE);
    };
    sc_core::sc_start();
    const TrainingResults& t = b.sim.training();
    ASSERT_EQ(t.epochs().size(), 2u);
    for (uint32_t e = 0; e < 2; ++e) {
        const auto& r = t.epochs()[e];
        ASSERT_EQ(r.size(), 3u);
        EXPECT_STREQ(r[0].info->json, "epoch");
        EXPECT_EQ(r[0].as_double(), double(e + 1));
        EXPECT_STREQ(r[1].info->json, "test_accuracy");
        EXPECT_EQ(r[1].as_double(), 0.5 * (e + 1));
        EXPECT_STREQ(r[2].info->json, "sim_time_ns");
        EXPECT_EQ(r[2].bits, 0x1289abcdefull);
    }
    ASSERT_EQ(t.run().size(), 1u);
    EXPECT_STREQ(t.run()[0].info->json, "final_accuracy");
    EXPECT_EQ(t.run()[0].as_double(), 0.875);
}

TEST(SimCtrl, ResultsRefuseUnknownKeysEpochFieldsBeforeAnEpochAndNonFiniteFloats) {
    Bench b;
    sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
    b.stim.body = [&](Stimulus& st) {
        EXPECT_EQ(st.write32(SIMCTRL_RESULT_PUT, 0x7F), tlm::TLM_COMMAND_ERROR_RESPONSE);
        st.write32(SIMCTRL_RESULT_LO, f32_bits(1.0f));
        EXPECT_EQ(st.write32(SIMCTRL_RESULT_PUT, result_key::EPOCH_TRAIN_LOSS), tlm::TLM_COMMAND_ERROR_RESPONSE);
        st.write32(SIMCTRL_RESULT_LO, 0x7FC00000u);  // NaN
        EXPECT_EQ(st.write32(SIMCTRL_RESULT_PUT, result_key::FINAL_LOSS), tlm::TLM_COMMAND_ERROR_RESPONSE);
        EXPECT_EQ(st.write32(SIMCTRL_RESULT_PUT + 4, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // 0x6C: no register
    };
    sc_core::sc_start();
    EXPECT_TRUE(b.sim.training().empty());
}

TEST(SimCtrl, ResultKeysAreUniqueAndNamed) {
    const auto& t = result_table();
    for (size_t i = 0; i < t.size(); ++i) {
        EXPECT_EQ(find_result(t[i].key), &t[i]);
        EXPECT_GT(std::strlen(t[i].json), 0u);
        for (size_t j = 0; j < i; ++j) EXPECT_NE(t[i].key, t[j].key);
    }
    EXPECT_EQ(find_result(0), nullptr);
}

TEST(SimCtrl, NoRunResultIsNamedLikeThePerEpochList) {
    for (const ResultInfo& r : result_table()) {
        if (r.scope == ResultInfo::Scope::RUN) {
            EXPECT_STRNE(r.json, "epochs");  // the stats' training.epochs
        }
    }
}
