// Transaction log: every access that passes the SoC's router (register accesses to devices by
// the CPU, DMA bursts, accelerator descriptor fetches, anything that hits a hole) plus one
// summary record per DMA descriptor and per accelerator op (whose operands move by DMI,
// outside the router), as text or JSON lines, filtered.
//
// Records are written as they are observed: a transaction when it returns from its target,
// a descriptor or op when it completes. With temporal decoupling, records of different
// initiators can therefore be slightly out of time order; each carries its own time.
// CPU accesses to memory through DMI (the normal case for code and data) are not bus
// transactions and are not logged.
//
// Filter terms (all must hold; a key's values are alternatives):
//   initiator=cpu,dma,accel     who started it
//   target=uart,dma,hole        router region ("hole": unmapped address)
//   kind=reg,mem,desc,op        register access (a device, or a hole), memory access, DMA
//                               descriptor, accelerator op
//   addr=LO-HI | addr=LO+SIZE   address range (inclusive LO-HI; hex 0x.. or decimal)
//   response=ok|error           error = any response but TLM_OK_RESPONSE (or a failed
//                               descriptor/op)
// e.g. --txlog-filter initiator=cpu --txlog-filter target=uart,simctrl
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>

namespace stvp {

enum class TxKind { Reg, Mem, Desc, Op };
const char* tx_kind_name(TxKind k);  // "reg", "mem", "desc", "op"

// One record. Strings are borrowed for the call of TxLog::write only.
struct TxRecord {
    sc_core::sc_time time;     // when it started (access time; descriptor/op start)
    sc_core::sc_time end;      // when it completed
    const std::string* initiator = nullptr;
    const std::string* target = nullptr;  // region name; nullptr: a hole
    TxKind kind = TxKind::Reg;
    bool write = false;        // Reg/Mem: a write
    uint64_t address = 0;      // global address (descriptor address for Desc/Op)
    unsigned length = 0;       // bytes (Desc: bytes copied; Op: DRAM bytes moved)
    bool has_value = false;    // Reg/Mem of at most 8 bytes: the data (little-endian)
    uint64_t value = 0;
    std::string reg;           // register name ("UART.TXDATA"), if known
    bool ok = true;
    std::string response;      // "ok", "address-error", ..., or the descriptor/op error
    std::string detail;        // Desc/Op: what it did
};

class TxFilter {
public:
    // Parses filter terms (see the top of this file). Throws std::invalid_argument naming the
    // offending term.
    static TxFilter parse(const std::vector<std::string>& terms);

    bool accepts(const TxRecord& r) const;
    bool empty() const;
    // Whether a bus transaction to `target` ("hole" for an unmapped address; `device`: a
    // register device) could pass: the router skips the others at no cost.
    bool wants_target(const std::string& target, bool device) const;

private:
    static bool any_of(const std::vector<std::string>& set, const std::string& v);
    std::vector<std::string> initiators_, targets_;
    std::vector<TxKind> kinds_;
    std::vector<std::pair<uint64_t, uint64_t>> ranges_;  // inclusive
    int response_ = -1;                                  // -1 any, 0 ok, 1 error
};

class TxLog {
public:
    enum class Format { Text, Jsonl };
    static Format parse_format(const std::string& name);  // "text" | "jsonl"; throws std::invalid_argument

    // Writes to `path` (throws std::runtime_error if it cannot be opened).
    TxLog(const std::string& path, Format format, TxFilter filter);
    // Writes to a stream the caller keeps alive (tests).
    TxLog(std::ostream& out, Format format, TxFilter filter);

    const TxFilter& filter() const { return filter_; }
    // Records that pass the filter are written.
    void write(const TxRecord& r);
    void flush() { out_->flush(); }

    uint64_t observed() const { return observed_; }
    uint64_t written() const { return written_; }
    const std::string& path() const { return path_; }

private:
    void text(const TxRecord& r);
    void jsonl(const TxRecord& r);

    std::string path_;
    std::unique_ptr<std::ofstream> file_;
    std::ostream* out_;
    Format format_;
    TxFilter filter_;
    uint64_t observed_ = 0, written_ = 0;
};

class SocEvents;
struct SocParts;

// Feeds `log` from the SoC: a router observer (every b_transport) and the DMA's descriptor
// and the accelerator's op events. `log` must outlive the simulation.
void attach_txlog(TxLog& log, const SocParts& parts, SocEvents& events);

}  // namespace stvp
