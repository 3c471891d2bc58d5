// Hang watchdog and diagnosis: firmware that waits forever, or a descriptor that never
// completes, ends the run with a report of who waited for what since when, instead of
// running until someone kills it.
//
// Progress is anything that moves the firmware's work forward and that the SoC can see: a
// write to a device register (by any initiator: the CPU starting a DMA, printing, writing a
// marker, completing an interrupt), a DMA descriptor or accelerator op completing. The CPU is
// waiting when it sleeps in WFI, or when it polls: at least kPollReads device-register reads
// and no progress since the first of them. Computing (no device access) is not waiting.
//
// The run is hung when the CPU has been waiting, with no progress, for `timeout` of simulated
// time. The monitor then ends the run (reason "hang"). It schedules its check only while
// something is live — the CPU running, or the DMA or accelerator busy — so a hart asleep with
// nothing pending still ends as "wfi-deadlock" at once, and a hart asleep until a timer
// alarm is not hung (the CLINT wakes it).
//
// Limits: polling a flag in memory (which a device writes through DMI, invisible to the bus)
// looks like computing; a periodic interrupt whose handler writes a device register (a timer
// tick re-arming mtimecmp) counts as progress. --max-time still bounds such runs, and the
// diagnosis is printed for every run that ends without the firmware's verdict.
//
// Accelerator NaN/Inf counters (accel.def, NAN_COUNT / INF_COUNT): the diagnosis and the stats
// report them through SocParts::accel_nonfinite, which Soc::parts() sets.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "json_writer.h"
#include "soc_events.h"
#include "soc_parts.h"

namespace stvp {

class HangMonitor : public sc_core::sc_module {
public:
    static constexpr unsigned kPollReads = 8;

    using FinishFn = std::function<void(const std::string& message)>;
    using WhereFn = std::function<std::string(uint32_t pc)>;

    // timeout = 0: never ends the run (the diagnosis still works). `finish` is called once,
    // when the run is hung, with a one-line summary; `where` names a pc ("pc 0x... (in f)").
    HangMonitor(sc_core::sc_module_name name, const SocParts& parts, SocEvents& events, sc_core::sc_time timeout,
                FinishFn finish, WhereFn where);

    // The state of the SoC now, one line per unit: who waits for what since when.
    std::vector<std::string> diagnosis() const;
    void write_stats(JsonWriter& j) const;

    bool fired() const { return fired_; }
    const sc_core::sc_time& last_progress() const { return last_progress_; }
    uint64_t progress_events() const { return progress_events_; }

private:
    SC_HAS_PROCESS(HangMonitor);

    void on_cpu_state();
    void on_dma_busy();
    void on_accel_busy();
    void on_accel_opcode();
    void progress(const sc_core::sc_time& t, const std::string& what);
    void check();
    void rearm();
    bool live() const;
    // Start of the CPU's current wait (WFI or polling) without progress; false if not waiting.
    bool waiting_since(sc_core::sc_time& since) const;
    std::string now_string(const sc_core::sc_time& t) const;
    std::string progress_what() const;
    std::string reg_name(uint64_t addr) const;  // "DMA.STATUS", or the address

    SocParts parts_;
    sc_core::sc_time timeout_;
    FinishFn finish_;
    WhereFn where_;
    sc_core::sc_event check_ev_;
    bool fired_ = false;

    int cpu_state_ = 0;
    sc_core::sc_time cpu_state_since_;
    bool dma_busy_ = false, accel_busy_ = false;
    sc_core::sc_time dma_busy_since_, accel_busy_since_, accel_op_since_;
    uint32_t accel_opcode_ = 0;

    sc_core::sc_time last_progress_;
    std::string last_progress_what_ = "start of the run";  // or "" (progress_addr_ by progress_initiator_)
    uint64_t progress_addr_ = 0;
    int progress_initiator_ = -1;
    uint64_t progress_events_ = 0;
    // Polling: device-register reads by the CPU since the last progress.
    uint64_t poll_reads_ = 0;
    sc_core::sc_time poll_since_;
    uint64_t poll_addr_ = 0;
    int cpu_initiator_ = 0;
};

}  // namespace stvp
