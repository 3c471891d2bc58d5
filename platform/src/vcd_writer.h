// A small VCD writer (IEEE 1364-2005, 18.2 "Format of four-state VCD file") for the
// platform's waveforms: one file, one timebase, scopes from dotted names ("soc.cpu.state" is
// variable `state` in scope soc.cpu), a selection of variables by module or pattern, and a
// time window.
//
// Why not SystemC's sc_create_vcd_trace_file: it samples every traced object at every delta
// cycle it sees (cost grows with the number of signals, not with activity), cannot pause and
// resume, and only traces SystemC objects. Here models and probes report value changes with
// their time; nothing is sampled.
//
// Window: variables are dumped while the time is in [start, stop) and the gate is open (the
// firmware's SIMCTRL TRACE.ENABLE). Closing the window writes $dumpoff (wires and vectors go
// to x), reopening writes $dumpon with every current value, as the standard prescribes, so a
// viewer shows the gaps and the file stays small over long runs.
//
// Compression: a path ending in ".gz" is written gzip-compressed (GTKWave opens .vcd.gz
// directly; a long run's trace shrinks about tenfold).
//
// Date: the header's $date is the host's time by default; Options::date fixes it (or "" leaves
// the section out), so that two runs of the same inputs give byte-identical files.
//
// Time order: changes may be reported out of order (a temporally decoupled CPU reports at its
// local time, ahead of the kernel). They are buffered and written sorted by time up to a
// horizon the caller guarantees no earlier change can still come for (sc_time_stamp() in
// the platform: no model reports a time before the kernel's). A change reported for a time
// already written appears at the earliest time still open.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

#include <systemc>

namespace stvp {

// Selection of names by patterns: "soc.cpu" (a module: the name itself and everything below
// it), "soc.*.busy" ('*' matches any run of characters, dots included; '?' one character),
// and exclusions with a leading '-' ("-soc.bus.*"). A name is selected when it matches some
// inclusion and no exclusion; with only exclusions, everything else is selected.
class NameSelection {
public:
    explicit NameSelection(std::vector<std::string> patterns = {"*"});
    bool selected(const std::string& name) const;
    static bool glob(const char* pattern, const char* text);

private:
    static bool matches(const std::string& pattern, const std::string& name);
    std::vector<std::string> include_, exclude_;
};

class VcdWriter {
public:
    enum class Kind { Wire, Vector, Real };

    struct Options {
        std::vector<std::string> signals{"*"};  // NameSelection patterns
        sc_core::sc_time start = sc_core::SC_ZERO_TIME;
        sc_core::sc_time stop = sc_core::sc_max_time();  // exclusive
        std::string date = "now";  // $date text: "now" = the host's local time, "" = no $date
    };

    // Opens `path` (throws std::runtime_error). The timescale is the SystemC time resolution,
    // so every time is exact.
    VcdWriter(const std::string& path, const Options& options);
    ~VcdWriter();

    // Declares a variable before the first change; returns its id, or -1 if the selection
    // leaves it out (changes to -1 are ignored). Vectors are 1..64 bits wide.
    int add(const std::string& name, Kind kind, unsigned width = 1);
    // The value a variable has before its first change (default 0).
    void initial(int id, uint64_t value);
    void initial_real(int id, double value);
    bool selected(const std::string& name) const { return selection_.selected(name); }

    void change(int id, uint64_t value, const sc_core::sc_time& t);
    void change_real(int id, double value, const sc_core::sc_time& t);
    // Opens or closes the gate at time t (the firmware's trace window).
    void gate(bool open, const sc_core::sc_time& t);

    // When many changes are buffered the writer flushes up to horizon() (default:
    // sc_time_stamp()).
    void set_horizon(std::function<sc_core::sc_time()> fn) { horizon_ = std::move(fn); }
    // Writes the buffered changes up to `horizon` (inclusive).
    void flush(const sc_core::sc_time& horizon);
    // Writes everything, then `end` as the last time stamp, and closes the file.
    void close(const sc_core::sc_time& end);

    const std::string& path() const { return path_; }
    std::size_t variables() const { return vars_.size(); }
    uint64_t changes_written() const { return written_; }

private:
    struct Var {
        std::string name;
        Kind kind;
        unsigned width;
        std::string code;
        uint64_t value = 0;
        double real = 0;
    };
    struct Event {
        uint64_t t;     // in time-resolution units
        uint64_t seq;   // arrival order, for a stable sort
        int id;         // -1: gate
        uint64_t value;
        double real;
    };

    void push(const Event& e);
    void write_header();
    void process(const Event& e);
    void advance_to(uint64_t t);  // window boundaries up to t
    void stamp(uint64_t t);
    void set_dumping(bool on, uint64_t t);
    void value_line(const Var& v, bool unknown);

    std::string path_;
    std::string date_;
    std::unique_ptr<std::streambuf> file_;  // plain or gzip
    std::ostream out_;
    NameSelection selection_;
    uint64_t start_, stop_;
    std::vector<Var> vars_;
    std::vector<Event> pending_;
    static constexpr std::size_t kFlushBatch = 8192;
    std::size_t flush_at_ = kFlushBatch;  // buffered changes that trigger a flush
    std::function<sc_core::sc_time()> horizon_;
    uint64_t seq_ = 0;
    bool header_done_ = false;
    bool closed_ = false;
    bool gate_open_ = true;
    bool dumping_ = false;
    uint64_t now_ = 0;          // time of the last processed event
    uint64_t stamped_ = UINT64_MAX;  // last "#t" written
    uint64_t written_ = 0;
};

}  // namespace stvp
