// The SoC's waveform: every SystemC signal of the SoC (found by walking the module hierarchy,
// so a signal a model adds later shows up by itself) plus values the models do not keep as
// signals, written through VcdWriter (one file, one timebase, scopes per module, selection,
// time window, the firmware's SIMCTRL TRACE gate).
//
// Variables (names as selected by trace.signals; scope soc):
//   soc.irq.{mtip,msip,meip,uart,dma,accel}   interrupt lines
//   soc.cpu.state     0 running, 1 WFI, 2 in trap, 3 halted (CoreState)
//   soc.cpu.pc        the pc, sampled (see below)
//   soc.bus.errors, soc.bus.error_addr        error responses so far, address of the last
//   soc.dma.busy      a chain runs;  soc.dma.desc: the descriptor being processed (CUR_DESC);
//   soc.dma.bytes     bytes written so far;  soc.dma.descriptors: descriptors completed
//   soc.uart.txdata   last byte written to TXDATA
//   soc.simctrl.{trace_enable,phase,marker}   the firmware's window, phase label, last marker
//   soc.accel.{busy,opcode,phase,layer,pe_utilisation,dram_utilisation}   the model's signals
//   soc.accel.desc    index of the descriptor being processed; soc.accel.ops: ops completed
//   soc.accel.units.*  per-unit activity of the op executing (0 between ops): zero_skip
//                     (fraction of MACs skipped for zero operands), gb_utilisation (global
//                     buffer port busy fraction), and per cycle: vector_ops_per_cycle
//                     (element-wise unit), decoder (blocks / N:M groups decoded), zero_check
//                     (activation/gradient zero checks), pruner (gradient pruner ops), quantile
//                     (DropBack quantile unit ops), load_balancer (half-tile entries sorted)
// PC sampling: the pc is recorded when soc.cpu.state changes (after a trap entry it is the
// handler, after mret the return address, in WFI the instruction after the wfi), at debugger
// halts and, with trace.pc = slice, at the end of every CPU time slice (at most one quantum
// apart). Sampling every instruction would cost the ISS most of its speed.
//
// Per-unit values of an op are known when it completes, so they are written for the span the
// op executed (soc.accel.opcode != 0); the writer holds back output while an op runs.
// Buffer occupancy over time is not modelled by the accelerator (its tile model charges
// traffic, not fill levels), so the waveform has none.
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
