#include "simctrl.h"

#include <stdexcept>

namespace stvp {

std::string SimCtrlConfig::validate() const {
    if (args.size() > SIMCTRL_ARG_COUNT)
        return "simctrl takes at most " + std::to_string(SIMCTRL_ARG_COUNT) + " firmware arguments (got " +
               std::to_string(args.size()) + ")";
    return "";
}

SimCtrl::SimCtrl(sc_core::sc_module_name name, const SimCtrlConfig& cfg)
    : RegisterDevice(name, regmaps::simctrl, cfg.access_latency),
      trace_enable("trace_enable", (SIMCTRL_TRACE_RESET & SIMCTRL_TRACE_ENABLE_MASK) != 0),
      phase("phase", SIMCTRL_PHASE_RESET) {
    std::string why = cfg.validate();
    if (!why.empty()) throw std::invalid_argument(std::string(this->name()) + ": " + why);
    regs_.value(SIMCTRL_NARGS) = static_cast<uint32_t>(cfg.args.size());
    for (std::size_t i = 0; i < cfg.args.size(); ++i) regs_.value(SIMCTRL_ARG, unsigned(i)) = cfg.args[i];
    for (unsigned i = 0; i < SIMCTRL_WORKLOAD_COUNT; ++i) regs_.value(SIMCTRL_WORKLOAD, i) = cfg.workload[i];

    regs_.on_write(SIMCTRL_EXIT, [this](unsigned, uint32_t v) {
        sync();
        exited_ = true;
        exit_value_ = v;
        exit_time_ = sc_core::sc_time_stamp();
        if (on_exit_)
            on_exit_(int(v & 0xff));
        else
            sc_core::sc_stop();
        return true;
    });
    regs_.on_write(SIMCTRL_MARKER, [this](unsigned, uint32_t v) {
        const sc_core::sc_time t = access_time();
        markers_.push_back(Marker{v, t});
        if (on_marker_) on_marker_(v, t);
        return true;
    });
    regs_.on_write(SIMCTRL_TRACE, [this](unsigned, uint32_t v) {
        sync();
        const bool en = (v & SIMCTRL_TRACE_ENABLE_MASK) != 0;
        regs_.value(SIMCTRL_TRACE) = v & SIMCTRL_TRACE_ENABLE_MASK;
        trace_enable.write(en);
        if (on_trace_) on_trace_(en, sc_core::sc_time_stamp());
        return true;
    });
    regs_.on_write(SIMCTRL_PHASE, [this](unsigned, uint32_t v) {
        sync();
        regs_.value(SIMCTRL_PHASE) = v;
        phase.write(v);
        if (on_phase_) on_phase_(v, sc_core::sc_time_stamp());
        return true;
    });
    regs_.value(SIMCTRL_CAPTURE) = cfg.capture ? uint32_t(SIMCTRL_CAPTURE_ENABLE_MASK) : 0u;
    regs_.on_write(SIMCTRL_STEP, [this](unsigned, uint32_t v) {
        regs_.value(SIMCTRL_STEP) = v;
        if (on_step_) on_step_(v);
        return true;
    });
    // Reading LO samples the time and latches HI, so a LO-then-HI pair is one consistent
    // 64-bit value even when the low word wraps in between.
    regs_.on_read(SIMCTRL_TIME_LO, [this](unsigned) {
        const uint64_t ns = access_time().value() / sc_core::sc_time(1, sc_core::SC_NS).value();
        time_hi_latch_ = uint32_t(ns >> 32);
        regs_.value(SIMCTRL_TIME_HI) = time_hi_latch_;
        return uint32_t(ns);
    });
    // A refused result (training_results.h says why) is an error response: the firmware faults
    // at the store instead of the stats silently missing a value.
    regs_.on_write(SIMCTRL_RESULT_PUT, [this](unsigned, uint32_t key) {
        const uint64_t v = uint64_t(regs_.value(SIMCTRL_RESULT_HI)) << 32 | regs_.value(SIMCTRL_RESULT_LO);
        const std::string why = training_.put(key, v);
        if (why.empty()) return true;
        SC_REPORT_WARNING(this->name(), ("RESULT_PUT refused: " + why).c_str());
        return false;
    });
    regs_.on_read(SIMCTRL_TIME_HI, [this](unsigned) { return time_hi_latch_; });
}

}  // namespace stvp
