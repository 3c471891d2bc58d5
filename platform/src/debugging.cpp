#include "debugging.h"

#include <iostream>

#include "cpu/cpu.h"
#include "exit_codes.h"
#include "gdb_server.h"
#include "health.h"
#include "soc.h"
#include "soc_events.h"
#include "tracing.h"
#include "txlog.h"

namespace stvp {

namespace {

sc_core::sc_time ns(uint64_t v) { return sc_core::sc_time(double(v), sc_core::SC_NS); }

}  // namespace

Debugging::Debugging(Soc& soc, const PlatformConfig& cfg, const RunOptions& run) : soc_(soc) {
    const SocParts parts = soc.parts();
    events_ = std::make_unique<SocEvents>(parts);

    if (cfg.trace.stop_ns && cfg.trace.stop_ns <= cfg.trace.start_ns)
        throw ConfigError("'trace.stop_ns' (" + std::to_string(cfg.trace.stop_ns) +
                          ") must be after 'trace.start_ns' (" + std::to_string(cfg.trace.start_ns) + ")");
    TxFilter filter;
    TxLog::Format format = TxLog::Format::Text;
    try {
        filter = TxFilter::parse(cfg.trace.txlog_filter);
        format = TxLog::parse_format(cfg.trace.txlog_format);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string("'trace.txlog_filter': ") + e.what());
    }

    const std::string vcd = run.vcd_path.empty() ? cfg.trace.vcd : run.vcd_path;
    if (!vcd.empty()) {
        SocTraceOptions o;
        o.path = vcd;
        o.vcd.signals = cfg.trace.signals;
        o.vcd.date = cfg.trace.date;
        o.vcd.start = ns(cfg.trace.start_ns);
        o.vcd.stop = cfg.trace.stop_ns ? ns(cfg.trace.stop_ns) : sc_core::sc_max_time();
        o.pc_every_slice = cfg.trace.pc == "slices";
        try {
            tracer_ = std::make_unique<SocTracer>(parts, *events_, o);
        } catch (const std::runtime_error& e) {
            throw LoadError(e.what());
        }
    }
    if (!cfg.trace.txlog.empty()) {
        try {
            txlog_ = std::make_unique<TxLog>(cfg.trace.txlog, format, std::move(filter));
        } catch (const std::runtime_error& e) {
            throw LoadError(e.what());
        }
        attach_txlog(*txlog_, parts, *events_);
    }
    monitor_ = std::make_unique<HangMonitor>(
        "hang_monitor", parts, *events_, ns(cfg.sim.hang_timeout_ns),
        [this](const std::string& msg) { soc_.finish({"hang", exit_code::kGuestFatal, "firmware hangs: " + msg}); },
        [this](uint32_t pc) { return soc_.where(pc); });
    if (run.gdb_port >= 0) {
        try {
            gdb_ = std::make_unique<GdbServer>(static_cast<uint16_t>(run.gdb_port));
        } catch (const GdbError& e) {
            throw LoadError(e.what());
        }
        gdb_->on_kill = [this] {
            soc_.finish({"gdb-kill", exit_code::kInterrupted, "killed from the debugger (gdb 'kill')"});
        };
        gdb_->monitor_diagnosis = [this] {
            std::string s;
            for (const std::string& line : diagnosis()) s += line + "\n";
            return s;
        };
        parts.cpu->attach_debugger(gdb_.get(), true);
        // Tests and scripts read the port from this line (with --gdb 0 the system picks it).
        std::cerr << "stvp: gdb: listening on 127.0.0.1:" << gdb_->port()
                  << "; the CPU waits at reset (gdb-multiarch -ex 'target remote :" << gdb_->port() << "')"
                  << std::endl;
    }
}

Debugging::~Debugging() = default;

void Debugging::end_of_run(const StopInfo& stop) {
    if (gdb_) gdb_->notify_end(stop.reason == "exit" || stop.reason == "htif", stop.exit_code);
    if (tracer_) tracer_->close();
    if (txlog_) txlog_->flush();
}

bool Debugging::wants_diagnosis(const StopInfo& stop) {
    for (const char* r : {"hang", "max-time", "max-instructions", "wfi-deadlock", "deadlock", "interrupted"})
        if (stop.reason == r) return true;
    return false;
}

std::vector<std::string> Debugging::diagnosis() const { return monitor_->diagnosis(); }

void Debugging::write_stats(JsonWriter& j, const StopInfo& stop) const {
    j.begin_object("debug");
    monitor_->write_stats(j);
    if (wants_diagnosis(stop)) {
        j.begin_array("diagnosis");
        for (const std::string& line : diagnosis()) j.value("", line);
        j.end_array();
    }
    if (tracer_) {
        j.value("vcd", tracer_->writer().path());
        j.value("vcd_variables", uint64_t(tracer_->writer().variables()));
        j.value("vcd_changes", tracer_->writer().changes_written());
    }
    if (txlog_) {
        j.value("txlog", txlog_->path());
        j.value("txlog_records", txlog_->written());
        j.value("txlog_observed", txlog_->observed());
    }
    if (gdb_) j.value("gdb_port", uint64_t(gdb_->port()));
    j.end_object();
}

}  // namespace stvp
