// The platform's debugging facilities attached to a SoC for one run: GDB stub (--gdb),
// waveform (--vcd / trace.vcd), transaction log (--txlog / trace.txlog) and the hang monitor
// with its diagnosis (sim.hang_timeout_ns). Each facility that is not asked for costs
// nothing: no probe, observer or callback is installed for it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "json_writer.h"
#include "platform_config.h"
#include "simulation.h"

namespace stvp {

class GdbServer;
class HangMonitor;
class Soc;
class SocEvents;
class SocTracer;
class TxLog;

class Debugging {
public:
    // Call after the SoC is built and loaded, before sc_start. Throws ConfigError for bad
    // trace settings and LoadError for files that cannot be written or a port that cannot
    // be opened.
    Debugging(Soc& soc, const PlatformConfig& cfg, const RunOptions& run);
    ~Debugging();
    Debugging(const Debugging&) = delete;
    Debugging& operator=(const Debugging&) = delete;

    // After sc_start returned: tells gdb how the run ended, closes the VCD and the log.
    void end_of_run(const StopInfo& stop);
    // Who waited for what since when: for runs that ended without the firmware's verdict
    // (hang, max-time, max-instructions, wfi-deadlock, deadlock, interrupted).
    std::vector<std::string> diagnosis() const;
    static bool wants_diagnosis(const StopInfo& stop);
    // The "debug" section of the stats (hang monitor, trace files).
    void write_stats(JsonWriter& j, const StopInfo& stop) const;

private:
    Soc& soc_;
    std::unique_ptr<SocEvents> events_;
    std::unique_ptr<GdbServer> gdb_;
    std::unique_ptr<SocTracer> tracer_;
    std::unique_ptr<TxLog> txlog_;
    std::unique_ptr<HangMonitor> monitor_;
};

}  // namespace stvp
