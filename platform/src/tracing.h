// The SoC's waveform: every SystemC signal of the SoC (found by walking the module hierarchy,
// so a signal a model adds later shows up by itself) plus values the models do not keep as
// signals, written through VcdWriter (one file, one timebase, scopes per module, selection,
// time window, the firmware's SIMCTRL TRACE gate).
//
// Variables: every one is listed with its meaning in traces/README.md ("Every signal"), which
// integration.trace_signals_documented keeps complete. Coded values (accelerator opcode and
// phase, CPU state) have names in trace_names.h.
//
// PC sampling: the pc is recorded when soc.cpu.state changes (after a trap entry it is the
// handler, after mret the return address, in WFI the instruction after the wfi), at debugger
// halts and, with trace.pc = slice, at the end of every CPU time slice (at most one quantum
// apart). Sampling every instruction would cost the ISS most of its speed.
//
// Per-unit values of an op are known when it completes, so they are written for the span the
// op executed (soc.accel.opcode != 0); the writer holds back output while an op runs.
// soc.accel.gb_occupancy is the accelerator's own signal: the global-buffer bytes an op's
// mapping keeps in use, for the op's span (a static figure per op, not a fill level per cycle).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <systemc>

#include "soc_events.h"
#include "soc_parts.h"
#include "vcd_writer.h"

namespace stvp {

struct SocTraceOptions {
    std::string path;
    VcdWriter::Options vcd;
    bool pc_every_slice = false;  // trace.pc = slice
};

class SocTracer {
public:
    // Declares the variables and attaches the probes; call before sc_start. Throws
    // std::runtime_error if the file cannot be written.
    SocTracer(const SocParts& parts, SocEvents& events, const SocTraceOptions& options);
    ~SocTracer();
    SocTracer(const SocTracer&) = delete;
    SocTracer& operator=(const SocTracer&) = delete;

    // Writes everything up to now and closes the file (at the end of the run).
    void close();
    const VcdWriter& writer() const { return *vcd_; }

private:
    void discover(sc_core::sc_object* obj);
    bool probe_signal(sc_core::sc_object* obj, const std::string& name);
    template <class T>
    void probe(const sc_core::sc_signal_in_if<T>& sig, const std::string& name);
    void attach_router();
    void attach_events(SocEvents& events);
    std::string vcd_name(const std::string& sc_name) const;
    sc_core::sc_time horizon() const;

    SocParts parts_;
    std::unique_ptr<VcdWriter> vcd_;
    std::vector<std::pair<sc_core::sc_object*, std::string>> found_;  // signals, during construction
    sc_core::sc_time hold_ = sc_core::sc_max_time();  // start of the accelerator op executing
    int pc_ = -1, bus_errors_ = -1, bus_error_addr_ = -1, dma_desc_ = -1, dma_bytes_ = -1, dma_descs_ = -1;
    int uart_tx_ = -1, marker_ = -1, accel_desc_ = -1, accel_ops_ = -1;
    int zero_skip_ = -1, gb_util_ = -1, vector_rate_ = -1;
    int decoder_rate_ = -1, zero_check_rate_ = -1, pruner_rate_ = -1, quantile_rate_ = -1, balancer_rate_ = -1;
    uint64_t errors_ = 0, dma_written_ = 0, dma_done_ = 0, accel_done_ = 0;
    uint32_t last_dma_desc_ = 0, last_accel_desc_ = 0;
    int dma_initiator_ = -1, accel_initiator_ = -1;
};

}  // namespace stvp
