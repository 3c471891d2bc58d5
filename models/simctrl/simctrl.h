// Simulation control device (simctrl.def): lets firmware end the run with an exit code, leave
// time-stamped markers, open/close the VCD window, label software phases, read simulated time,
// read its command-line arguments and the training workload (WORKLOAD[i], workload.h), name
// training steps for the mask capture (STEP) and report training results (RESULT_*,
// training_results.h).
//
// EXIT, TRACE and PHASE wait for the access's local time first (sync()), so the run ends and
// the signals change at the exact time of the store, not at the start of the CPU's quantum.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "common/register_device.h"
#include "training_results.h"
#include "workload.h"

namespace stvp {

struct SimCtrlConfig {
    // Firmware arguments, read through NARGS and ARG[i]; at most SIMCTRL_ARG_COUNT (8).
    std::vector<uint32_t> args;
    // The training workload's registers WORKLOAD[i] (workload.h: the platform's workload.* keys).
    workload::Registers workload = workload::default_registers();
    // Time a register access adds to the initiator's annotated delay.
    sc_core::sc_time access_latency = sc_core::SC_ZERO_TIME;
    // CAPTURE.ENABLE: the platform records masks at chosen training steps (STEP writes).
    bool capture = false;

    // Empty if usable, else the reason.
    std::string validate() const;
};

class SimCtrl : public RegisterDevice {
public:
    // Current TRACE.ENABLE bit and PHASE value, for the VCD (sc_trace them).
    sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> trace_enable;
    sc_core::sc_signal<uint32_t, sc_core::SC_MANY_WRITERS> phase;

    // Throws std::invalid_argument if cfg.validate() fails.
    explicit SimCtrl(sc_core::sc_module_name name, const SimCtrlConfig& cfg = {});

    // EXIT write: called with value & 0xff (the process exit code); the full value is
    // exit_value(). Without a callback, EXIT calls sc_core::sc_stop().
    void on_exit(std::function<void(int code)> fn) { on_exit_ = std::move(fn); }
    // MARKER write: value and the simulated time of the write.
    void on_marker(std::function<void(uint32_t value, const sc_core::sc_time& t)> fn) { on_marker_ = std::move(fn); }
    // TRACE / PHASE writes (after the signals above were written).
    void on_trace(std::function<void(bool enable, const sc_core::sc_time& t)> fn) { on_trace_ = std::move(fn); }
    void on_phase(std::function<void(uint32_t phase, const sc_core::sc_time& t)> fn) { on_phase_ = std::move(fn); }
    // STEP write (the mask recorder's current step). Called at once, in program order with
    // the CPU's later accelerator doorbell, so the chain it starts sees the new step.
    void on_step(std::function<void(uint32_t step)> fn) { on_step_ = std::move(fn); }

    bool exited() const { return exited_; }
    uint32_t exit_value() const { return exit_value_; }
    int exit_code() const { return int(exit_value_ & 0xff); }
    const sc_core::sc_time& exit_time() const { return exit_time_; }

    struct Marker {
        uint32_t value;
        sc_core::sc_time time;
    };
    const std::vector<Marker>& markers() const { return markers_; }
    // What the firmware reported through RESULT_PUT.
    const TrainingResults& training() const { return training_; }

private:
    std::function<void(int)> on_exit_;
    std::function<void(uint32_t, const sc_core::sc_time&)> on_marker_;
    std::function<void(bool, const sc_core::sc_time&)> on_trace_;
    std::function<void(uint32_t, const sc_core::sc_time&)> on_phase_;
    std::function<void(uint32_t)> on_step_;
    bool exited_ = false;
    uint32_t exit_value_ = 0;
    sc_core::sc_time exit_time_;
    std::vector<Marker> markers_;
    TrainingResults training_;
    uint32_t time_hi_latch_ = 0;
};

}  // namespace stvp
