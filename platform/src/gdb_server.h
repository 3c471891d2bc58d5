// GDB remote serial protocol stub for the CPU model: `stvp --gdb PORT` lets gdb-multiarch
// attach over TCP (127.0.0.1 only) and debug the firmware on the VP.
//
//   gdb-multiarch -ex 'set architecture riscv:rv32' -ex 'file fw.elf' -ex 'target remote :PORT'
//
// The stub is the CPU's CpuDebugger (models/cpu/cpu.h): it runs in the CPU's thread, so while
// gdb has the CPU halted the SystemC kernel waits and simulated time stands still. The CPU
// halts at reset and waits for gdb to connect. While the CPU runs, the stub polls the
// connection for gdb's interrupt byte (Ctrl-C, 0x03) at slice boundaries (the TCP transport
// looks at most every 10 ms of wall time). The bytes travel through a GdbTransport
// (gdb_transport.h): TCP in stvp, a byte string played back in tests and the fuzz harness.
//
// Protocol (GDB manual, appendix E "Remote Serial Protocol"): packets with checksums and acks
// (QStartNoAckMode supported); qSupported, qXfer:features:read (target.xml: riscv:rv32, the
// 32 GPRs and pc in org.gnu.gdb.riscv.cpu, machine CSRs in org.gnu.gdb.riscv.csr at regnum
// 65 + CSR number as gdb numbers them), ?, g/G, p/P, m/M/X (through the bus's debug
// transport: no time, no device side effects), c/s (with optional address), Z0/z0 (decode-cache
// breakpoints), Z1/z1 (hardware breakpoints: triggers of the core's Sdtrig module),
// Z2..Z4/z2..z4 (watchpoints: load/store address triggers of the same module, which stop
// before the access), D (detach: breakpoints removed, the run goes on), k and
// vKill (the platform ends the run), qRcmd ("monitor help|time|diagnosis"). Unknown packets get
// the empty reply. Stop replies: S05 at reset and after a step, T05swbreak:; at a breakpoint,
// T05hwbreak:; at a hardware breakpoint, T05watch:ADDR; (rwatch, awatch) at a watchpoint,
// S02 after an interrupt, W<code> when the firmware exits, X<sig> when the run ends otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

#include "cpu/cpu.h"
#include "gdb_transport.h"

namespace stvp {

// The target description the stub sends for qXfer:features:read:target.xml (the CSRs are
// csr.def's GDB rows).
std::string gdb_target_xml();

class GdbError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class GdbServer : public CpuDebugger {
public:
    // Listens on 127.0.0.1:port (GdbTcpTransport; 0: the system picks a free port, see
    // port()). Throws GdbError if the socket cannot be opened.
    explicit GdbServer(uint16_t port);
    // Talks to gdb through `transport` (tests: a GdbByteStream).
    explicit GdbServer(std::unique_ptr<GdbTransport> transport);
    ~GdbServer() override;
    GdbServer(const GdbServer&) = delete;
    GdbServer& operator=(const GdbServer&) = delete;

    uint16_t port() const { return port_; }  // the TCP port (0 with another transport)
    bool connected() const { return transport_->connected(); }

    // 'k' / vKill: the platform ends the run (the CPU then halts for good).
    std::function<void()> on_kill;
    // Text for "monitor diagnosis" (the hang monitor's report); may be empty.
    std::function<std::string()> monitor_diagnosis;
    // Packet trace (each packet received and sent, one per line), for debugging the stub.
    void set_log(std::ostream* log) { log_ = log; }

    // At the end of a run: tells a connected gdb that the program exited with `code` (W) or
    // was terminated (X, with SIGTERM's number when `exited` is false), then closes.
    void notify_end(bool exited, int code);

    // CpuDebugger
    DebugAction halted(Cpu& cpu, DebugEvent why) override;
    bool break_requested() override;

private:
    enum class Read { Packet, Closed, Interrupted };
    Read read_packet(std::string& packet, Cpu& cpu);
    bool send_packet(const std::string& data);
    void drop_breakpoints(Cpu& cpu);  // and watchpoints: gdb left, nothing may stop the CPU now
    std::string stop_reply(DebugEvent why) const;
    // Handles one packet: send `reply`, send nothing (already answered), or resume the CPU
    // with `action` (the reply, if any, is sent by halted()).
    enum class Outcome { Reply, Silent, Resume };
    Outcome handle(const std::string& packet, Cpu& cpu, DebugAction& action, std::string& reply);
    std::string read_memory(Cpu& cpu, uint64_t addr, unsigned len);
    bool read_register(Cpu& cpu, unsigned regnum, uint32_t& value) const;
    bool write_register(Cpu& cpu, unsigned regnum, uint32_t value) const;
    std::string monitor(Cpu& cpu, const std::string& command);

    std::unique_ptr<GdbTransport> transport_;
    uint16_t port_ = 0;
    bool ack_mode_ = true;
    bool detached_ = false;  // gdb detached or went away: the stub no longer halts the CPU
    DebugEvent last_event_ = DebugEvent::Reset;
    bool last_hw_break_ = false;  // the last DebugEvent::Breakpoint was a trigger (hwbreak)
    uint32_t last_watch_ops_ = 0;   // ... a watchpoint's (Triggers::kLoad / kStore bits), or 0
    uint32_t last_watch_addr_ = 0;  // ... at this data address
    std::ostream* log_ = nullptr;
};

}  // namespace stvp
