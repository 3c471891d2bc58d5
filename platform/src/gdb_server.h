// GDB remote serial protocol stub for the CPU model: `stvp --gdb PORT` lets gdb-multiarch
// attach over TCP (127.0.0.1 only) and debug the firmware on the VP.
//
//   gdb-multiarch -ex 'set architecture riscv:rv32' -ex 'file fw.elf' -ex 'target remote :PORT'
//
// The stub is the CPU's CpuDebugger (models/cpu/cpu.h): it runs in the CPU's thread, so while
// gdb has the CPU halted the SystemC kernel waits and simulated time stands still. The CPU
// halts at reset and waits for gdb to connect. While the CPU runs, the stub polls the socket
// for gdb's interrupt byte (Ctrl-C, 0x03) at slice boundaries, at most every 10 ms of wall time.
//
// Protocol (GDB manual, appendix E "Remote Serial Protocol"): packets with checksums and acks
// (QStartNoAckMode supported); qSupported, qXfer:features:read (target.xml: riscv:rv32, the
// 32 GPRs and pc in org.gnu.gdb.riscv.cpu, machine CSRs in org.gnu.gdb.riscv.csr at regnum
// 65 + CSR number as gdb numbers them), ?, g/G, p/P, m/M/X (through the bus's debug
// transport: no time, no device side effects), c/s (with optional address), Z0/z0 (decode-cache
// breakpoints), Z1/z1 (hardware breakpoints: triggers of the core's Sdtrig module),
// Z2..Z4/z2..z4 (watchpoints), D (detach: breakpoints removed, the run goes on), k and
// vKill (the platform ends the run), qRcmd ("monitor help|time|diagnosis"). Unknown packets get
// the empty reply. Stop replies: S05 at reset and after a step, T05swbreak:; at a breakpoint,
// T05hwbreak:; at a hardware breakpoint,
// S02 after an interrupt, W<code> when the firmware exits, X<sig> when the run ends otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>

#include "cpu/cpu.h"

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
    // Listens on 127.0.0.1:port (0: the system picks a free port, see port()). Throws GdbError
    // if the socket cannot be opened.
    explicit GdbServer(uint16_t port);
    ~GdbServer() override;
    GdbServer(const GdbServer&) = delete;
    GdbServer& operator=(const GdbServer&) = delete;

    uint16_t port() const { return port_; }
    bool connected() const { return fd_ >= 0; }

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
    bool accept_connection(Cpu& cpu);
    Read read_packet(std::string& packet, Cpu& cpu);
    int read_byte(int timeout_ms);  // -1: timeout or error (see closed_), else the byte
    bool send_packet(const std::string& data);
    bool write_all(const std::string& s);
    void close_connection();
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

    int listen_fd_ = -1;
    int fd_ = -1;
    uint16_t port_ = 0;
    bool ack_mode_ = true;
    bool closed_ = false;    // the peer closed the connection (or it failed)
    bool detached_ = false;  // gdb detached or went away: the stub no longer halts the CPU
    DebugEvent last_event_ = DebugEvent::Reset;
    WatchHit last_watch_;  // the access of the last DebugEvent::Watchpoint
    bool last_hw_break_ = false;  // the last DebugEvent::Breakpoint was a trigger (hwbreak)
    std::string inbuf_;
    std::size_t inpos_ = 0;
    uint64_t next_poll_ns_ = 0;  // steady-clock time of the next Ctrl-C poll
    std::ostream* log_ = nullptr;
};

}  // namespace stvp
