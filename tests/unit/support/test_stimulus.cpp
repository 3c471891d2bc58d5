// The Stimulus completion guard (tlm_stimulus.h): a body that does not run to its end fails
// the test. Each scenario builds its own Stimulus inside a function, because
// EXPECT_NONFATAL_FAILURE cannot refer to the test's local variables; each TEST runs in its own
// process (SystemC elaborates once), so one scenario per TEST.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <tlm_utils/simple_target_socket.h>

#include "tlm_stimulus.h"

using namespace stvp::test;

namespace {

// A target that answers every access with OK after 10 ns.
struct Target : sc_core::sc_module {
    tlm_utils::simple_target_socket<Target> socket;
    explicit Target(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {
        socket.register_b_transport(this, &Target::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& t) {
        t += ns(10);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

void blocked_body() {
    Target target("target");
    Stimulus stim("stim");
    stim.socket.bind(target.socket);
    sc_core::sc_event never;
    stim.body = [&](Stimulus& s) {
        s.write32(0, 1);
        s.sync();
        sc_core::wait(never);  // blocks: nothing notifies it
        ADD_FAILURE() << "unreachable";
    };
    sc_core::sc_start();
}

void body_without_sc_start() {
    Target target("target");
    Stimulus stim("stim");
    stim.socket.bind(target.socket);
    stim.body = [](Stimulus&) {};
}

}  // namespace

TEST(StimulusGuard, BodyBlockedOnAnEventFailsTheTest) {
    EXPECT_NONFATAL_FAILURE(blocked_body(), "Stimulus 'stim': its body did not run to the end (blocked in a wait() at 10 ns");
}

TEST(StimulusGuard, BodyNeverStartedFailsTheTest) {
    EXPECT_NONFATAL_FAILURE(body_without_sc_start(), "Stimulus 'stim': its body never started");
}

TEST(StimulusGuard, BodyThatFinishesPasses) {
    Target target("target");
    Stimulus stim("stim");
    stim.socket.bind(target.socket);
    bool reached_end = false;
    stim.body = [&](Stimulus& s) {
        EXPECT_EQ(s.write32(0, 1), tlm::TLM_OK_RESPONSE);
        s.sync();
        reached_end = true;
    };
    sc_core::sc_start();
    EXPECT_TRUE(reached_end);
    EXPECT_EQ(sc_core::sc_time_stamp(), ns(10));
}

TEST(StimulusGuard, BodyCutShortOnPurposePasses) {
    Target target("target");
    Stimulus stim("stim");
    stim.socket.bind(target.socket);
    stim.body_may_be_cut_short = true;
    sc_core::sc_event never;
    stim.body = [&](Stimulus&) { sc_core::wait(never); };
    sc_core::sc_start();
}
