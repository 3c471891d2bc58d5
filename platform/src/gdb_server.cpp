#include "gdb_server.h"

#include <cstdio>
#include <cstring>
#include <vector>

#include <systemc>

namespace stvp {

namespace {

constexpr unsigned kPacketSize = 0x4000;  // largest packet we accept (qSupported PacketSize)
constexpr unsigned kPcRegnum = 32;
constexpr unsigned kFirstCsrRegnum = 65;  // gdb's RISCV_FIRST_CSR_REGNUM: regnum = 65 + CSR number
constexpr int kSigInt = 2, kSigTrap = 5, kSigTerm = 15;

// CSRs shown to gdb: csr.def's GDB rows, the CSRs of Rv32Core that read without side effects
// and always exist (time needs the CLINT: read it with `p $time` where it is there). Names as
// rv32::csr_name gives them, the assembler's, which are the names gdb knows.
std::vector<uint32_t> gdb_csrs() {
    std::vector<uint32_t> v;
    for (std::size_t i = 0; i < csr_table_size(); ++i) {
        const CsrRow& r = csr_table()[i];
        if (r.use != CsrUse::Gdb) continue;
        for (uint32_t k = 0; k < r.count; ++k) v.push_back(r.number + k);
    }
    return v;
}

const char* const kGprNames[32] = {"zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "fp", "s1", "a0",
                                   "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
                                   "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

}  // namespace

std::string gdb_target_xml() {
    std::string x =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
        "<architecture>riscv:rv32</architecture>\n<feature name=\"org.gnu.gdb.riscv.cpu\">\n";
    for (unsigned i = 0; i < 32; ++i) {
        const char* type = i == 1 ? "code_ptr" : (i == 2 || i == 3 || i == 4 || i == 8) ? "data_ptr" : "int";
        x += std::string("<reg name=\"") + kGprNames[i] + "\" bitsize=\"32\" type=\"" + type + "\" regnum=\"" +
             std::to_string(i) + "\"/>\n";
    }
    x += "<reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\" regnum=\"32\"/>\n</feature>\n"
         "<feature name=\"org.gnu.gdb.riscv.csr\">\n";
    for (uint32_t c : gdb_csrs())
        x += std::string("<reg name=\"") + rv32::csr_name(c) + "\" bitsize=\"32\" type=\"int\" regnum=\"" +
             std::to_string(kFirstCsrRegnum + c) + "\" group=\"system\"/>\n";
    x += "</feature>\n</target>\n";
    return x;
}

namespace {

const char kHex[] = "0123456789abcdef";

std::string to_hex(const uint8_t* p, std::size_t n) {
    std::string s;
    s.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        s += kHex[p[i] >> 4];
        s += kHex[p[i] & 15];
    }
    return s;
}

std::string le32_hex(uint32_t v) {
    uint8_t b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
    return to_hex(b, 4);
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool from_hex(const std::string& s, std::vector<uint8_t>& out) {
    if (s.size() % 2) return false;
    out.clear();
    for (std::size_t i = 0; i < s.size(); i += 2) {
        const int h = hex_digit(s[i]), l = hex_digit(s[i + 1]);
        if (h < 0 || l < 0) return false;
        out.push_back(static_cast<uint8_t>(h << 4 | l));
    }
    return true;
}

// A hex number (no prefix) filling all of `s`.
bool parse_hex(const std::string& s, uint64_t& v) {
    if (s.empty() || s.size() > 16) return false;
    v = 0;
    for (char c : s) {
        const int d = hex_digit(c);
        if (d < 0) return false;
        v = v << 4 | unsigned(d);
    }
    return true;
}

bool le32_from_hex(const std::string& s, uint32_t& v) {
    std::vector<uint8_t> b;
    if (!from_hex(s, b) || b.size() != 4) return false;
    v = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
    return true;
}

// "addr,len" (hex) at the start of `s`; `rest` is what follows.
bool parse_addr_len(const std::string& s, uint64_t& addr, uint64_t& len, std::string* rest = nullptr) {
    const auto comma = s.find(',');
    if (comma == std::string::npos) return false;
    auto end = s.find_first_of(":;", comma);
    if (!parse_hex(s.substr(0, comma), addr)) return false;
    if (!parse_hex(s.substr(comma + 1, end == std::string::npos ? std::string::npos : end - comma - 1), len))
        return false;
    if (rest) *rest = end == std::string::npos ? std::string() : s.substr(end + 1);
    return true;
}

std::string hex_text(const std::string& text) {
    return to_hex(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

}  // namespace

GdbServer::GdbServer(uint16_t port) : GdbServer(std::make_unique<GdbTcpTransport>(port)) {
    port_ = static_cast<const GdbTcpTransport&>(*transport_).port();
}

GdbServer::GdbServer(std::unique_ptr<GdbTransport> transport) : transport_(std::move(transport)) {}

GdbServer::~GdbServer() = default;

GdbServer::Read GdbServer::read_packet(std::string& packet, Cpu& cpu) {
    for (;;) {
        int c = transport_->read_byte(100);
        if (c < 0) {
            if (transport_->closed()) return Read::Closed;
            if (cpu.core().stop_requested()) return Read::Interrupted;
            continue;
        }
        if (c != '$') continue;  // acks, and interrupt bytes sent while already halted
        std::string raw;
        uint8_t sum = 0;
        for (;;) {
            c = transport_->read_byte(1000);
            if (c < 0) {
                if (transport_->closed()) return Read::Closed;
                continue;
            }
            if (c == '#') break;
            if (raw.size() > 2 * kPacketSize) break;  // garbage: give up on this packet
            raw += static_cast<char>(c);
            sum = static_cast<uint8_t>(sum + c);
        }
        int h = -1, l = -1;
        while ((h = transport_->read_byte(1000)) < 0 && !transport_->closed()) {}
        while ((l = transport_->read_byte(1000)) < 0 && !transport_->closed()) {}
        if (transport_->closed()) return Read::Closed;
        const bool ok = hex_digit(char(h)) >= 0 && hex_digit(char(l)) >= 0 &&
                        ((hex_digit(char(h)) << 4) | hex_digit(char(l))) == sum;
        if (ack_mode_) transport_->write(ok ? "+" : "-");
        if (!ok) continue;
        packet.clear();
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '}' && i + 1 < raw.size())
                packet += static_cast<char>(raw[++i] ^ 0x20);
            else
                packet += raw[i];
        }
        if (log_) *log_ << "gdb -> " << packet.substr(0, 200) << '\n';
        return Read::Packet;
    }
}

bool GdbServer::send_packet(const std::string& data) {
    if (log_) *log_ << "gdb <- " << data.substr(0, 200) << '\n';
    std::string frame = "$";
    uint8_t sum = 0;
    for (char c : data) {
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            frame += '}';
            sum = static_cast<uint8_t>(sum + '}');
            c = static_cast<char>(c ^ 0x20);
        }
        frame += c;
        sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
    }
    frame += '#';
    frame += kHex[sum >> 4];
    frame += kHex[sum & 15];
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (!transport_->write(frame)) return false;
        if (!ack_mode_) return true;
        for (;;) {
            const int c = transport_->read_byte(2000);
            if (c == '+') return true;
            if (c == '-') break;  // resend
            if (c < 0) return !transport_->closed();  // no ack in time: carry on rather than hang
        }
    }
    return true;
}

std::string GdbServer::stop_reply(DebugEvent why) const {
    char buf[48];
    switch (why) {
    case DebugEvent::Breakpoint:
        if (last_watch_ops_) {
            // A watchpoint's trigger fired before the access: watch / rwatch / awatch by what
            // gdb set (Z2 / Z3 / Z4), with the data address gdb matches against its watch
            // expressions. gdb then steps over the access with its watchpoints removed (RISC-V
            // watchpoints are "nonsteppable" for gdb) and compares the values.
            const char* name = last_watch_ops_ == Triggers::kStore  ? "watch"
                               : last_watch_ops_ == Triggers::kLoad ? "rwatch"
                                                                   : "awatch";
            std::snprintf(buf, sizeof buf, "T%02x%s:%08x;", kSigTrap, name, unsigned(last_watch_addr_));
        } else {  // a trigger (Z1) or a decode-cache breakpoint (Z0)
            std::snprintf(buf, sizeof buf, last_hw_break_ ? "T%02xhwbreak:;" : "T%02xswbreak:;", kSigTrap);
        }
        break;
    case DebugEvent::Interrupt: std::snprintf(buf, sizeof buf, "S%02x", kSigInt); break;
    case DebugEvent::Reset:
    case DebugEvent::Step:
        std::snprintf(buf, sizeof buf, "S%02x", kSigTrap);
        break;
    }
    return buf;
}

void GdbServer::drop_breakpoints(Cpu& cpu) {
    const std::vector<uint32_t> bps = cpu.core().breakpoints();
    for (uint32_t pc : bps) cpu.core().remove_breakpoint(pc);
    cpu.core().triggers().remove_debugger_triggers();  // hardware breakpoints and watchpoints
    cpu.core().triggers_changed();
}

DebugAction GdbServer::halted(Cpu& cpu, DebugEvent why) {
    if (detached_) return DebugAction::Detach;
    last_event_ = why;
    const int trigger = why == DebugEvent::Breakpoint ? cpu.core().last_trigger() : -1;
    last_hw_break_ = trigger >= 0;
    last_watch_ops_ = trigger >= 0 ? cpu.core().triggers().tdata1(trigger) & (Triggers::kLoad | Triggers::kStore) : 0;
    last_watch_addr_ = cpu.core().last_trigger_address();
    if (!transport_->connected()) {
        if (!transport_->accept([&cpu] { return cpu.core().stop_requested(); }))
            return DebugAction::Kill;  // interrupted before gdb came
    } else if (!transport_->closed() && why != DebugEvent::Reset) {
        send_packet(stop_reply(why));
    }
    for (;;) {
        std::string packet;
        const Read r = transport_->closed() ? Read::Closed : read_packet(packet, cpu);
        if (r == Read::Closed) {  // gdb went away: the firmware runs on without it
            drop_breakpoints(cpu);
            transport_->close();
            detached_ = true;
            return DebugAction::Detach;
        }
        if (r == Read::Interrupted) return DebugAction::Kill;  // SIGINT/SIGTERM to stvp
        DebugAction action = DebugAction::Continue;
        std::string reply;
        const Outcome o = handle(packet, cpu, action, reply);
        if (o == Outcome::Reply) send_packet(reply);
        if (o != Outcome::Resume) continue;
        if (action == DebugAction::Detach) {
            send_packet("OK");
            drop_breakpoints(cpu);
            transport_->close();
            detached_ = true;
        } else if (action == DebugAction::Kill) {
            if (!reply.empty()) send_packet(reply);
            transport_->close();
            detached_ = true;
            if (on_kill) on_kill();
        }
        return action;
    }
}

bool GdbServer::break_requested() {
    return transport_->connected() && !detached_ && transport_->interrupt_requested();
}

void GdbServer::notify_end(bool exited, int code) {
    if (transport_->connected() && !transport_->closed() && !detached_) {
        char buf[16];
        std::snprintf(buf, sizeof buf, exited ? "W%02x" : "X%02x", exited ? (code & 0xff) : kSigTerm);
        send_packet(buf);
    }
    transport_->close();
    detached_ = true;
}

bool GdbServer::read_register(Cpu& cpu, unsigned regnum, uint32_t& value) const {
    if (regnum < 32) {
        value = cpu.reg(regnum);
        return true;
    }
    if (regnum == kPcRegnum) {
        value = cpu.pc();
        return true;
    }
    if (regnum >= kFirstCsrRegnum) return cpu.read_csr(regnum - kFirstCsrRegnum, value);
    return false;
}

bool GdbServer::write_register(Cpu& cpu, unsigned regnum, uint32_t value) const {
    if (regnum < 32) {
        cpu.set_reg(regnum, value);  // x0 stays 0
        return true;
    }
    if (regnum == kPcRegnum) {
        cpu.set_pc(value);
        return true;
    }
    if (regnum >= kFirstCsrRegnum) return cpu.write_csr(regnum - kFirstCsrRegnum, value);
    return false;
}

// Reads through the bus's debug transport. Device registers take whole aligned words only,
// so a read the target refuses is retried word by word, then byte by byte; the reply holds
// the bytes up to the first unreadable one (gdb accepts a short read).
std::string GdbServer::read_memory(Cpu& cpu, uint64_t addr, unsigned len) {
    std::vector<uint8_t> buf(len);
    unsigned done = cpu.debug_read(addr, buf.data(), len);
    if (done == len) return to_hex(buf.data(), len);
    done = 0;
    while (done < len) {
        const uint64_t a = addr + done;
        const unsigned n = (a % 4 == 0 && len - done >= 4) ? 4 : 1;
        if (cpu.debug_read(a, buf.data() + done, n) == n) {
            done += n;
            continue;
        }
        if (n == 4) {  // a word that refuses word access may still give bytes
            unsigned k = 0;
            while (k < 4 && cpu.debug_read(a + k, buf.data() + done + k, 1) == 1) ++k;
            done += k;
            if (k < 4) break;
            continue;
        }
        break;
    }
    return done ? to_hex(buf.data(), done) : std::string("E14");
}

std::string GdbServer::monitor(Cpu& cpu, const std::string& command) {
    std::string out;
    if (command == "time") {
        char buf[160];
        std::snprintf(buf, sizeof buf, "simulated time %.3f ns (CPU local %.3f ns), %llu instructions, %llu cycles\n",
                      sc_core::sc_time_stamp().to_seconds() * 1e9, cpu.local_time().to_seconds() * 1e9,
                      static_cast<unsigned long long>(cpu.instructions()),
                      static_cast<unsigned long long>(cpu.cycles()));
        out = buf;
    } else if (command == "diagnosis") {
        out = monitor_diagnosis ? monitor_diagnosis() : std::string("no diagnosis available\n");
    } else {
        out = "stvp monitor commands:\n  time       simulated time, instructions and cycles\n"
              "  diagnosis  what the CPU, DMA, accelerator and interrupt controller are doing\n";
        if (command != "help") out = "unknown monitor command '" + command + "'\n" + out;
    }
    return out;
}

GdbServer::Outcome GdbServer::handle(const std::string& p, Cpu& cpu, DebugAction& action, std::string& reply) {
    reply.clear();
    if (p.empty()) return Outcome::Reply;
    const char kind = p[0];
    const std::string arg = p.substr(1);
    uint64_t addr = 0, len = 0;
    switch (kind) {
    case '?':
        reply = stop_reply(last_event_);
        return Outcome::Reply;
    case 'g':
        for (unsigned i = 0; i < 32; ++i) reply += le32_hex(cpu.reg(i));
        reply += le32_hex(cpu.pc());
        return Outcome::Reply;
    case 'G': {
        if (arg.size() < 33 * 8) {
            reply = "E01";
            return Outcome::Reply;
        }
        for (unsigned i = 0; i <= kPcRegnum; ++i) {
            uint32_t v;
            if (!le32_from_hex(arg.substr(8 * i, 8), v)) {
                reply = "E01";
                return Outcome::Reply;
            }
            write_register(cpu, i, v);
        }
        reply = "OK";
        return Outcome::Reply;
    }
    case 'p': {
        uint32_t v;
        reply = parse_hex(arg, addr) && read_register(cpu, unsigned(addr), v) ? le32_hex(v) : "E01";
        return Outcome::Reply;
    }
    case 'P': {
        const auto eq = arg.find('=');
        uint32_t v;
        reply = eq != std::string::npos && parse_hex(arg.substr(0, eq), addr) &&
                        le32_from_hex(arg.substr(eq + 1), v) && write_register(cpu, unsigned(addr), v)
                    ? "OK"
                    : "E01";
        return Outcome::Reply;
    }
    case 'm':
        if (!parse_addr_len(arg, addr, len) || len > kPacketSize / 2) {
            reply = "E01";
            return Outcome::Reply;
        }
        reply = len ? read_memory(cpu, addr, unsigned(len)) : std::string();
        return Outcome::Reply;
    case 'M':
    case 'X': {
        std::string data;
        if (!parse_addr_len(arg, addr, len, &data)) {
            reply = "E01";
            return Outcome::Reply;
        }
        std::vector<uint8_t> bytes;
        if (kind == 'M') {
            if (!from_hex(data, bytes)) {
                reply = "E01";
                return Outcome::Reply;
            }
        } else {
            bytes.assign(data.begin(), data.end());
        }
        if (bytes.size() != len) {
            reply = "E01";
            return Outcome::Reply;
        }
        reply = len == 0 || cpu.debug_write(addr, bytes.data(), unsigned(len)) == len ? "OK" : "E14";
        return Outcome::Reply;
    }
    case 'c':
    case 's':
    case 'C':
    case 'S': {
        // c [addr], s [addr]; C sig[;addr], S sig[;addr] (the signal is ignored: no OS here).
        std::string where = arg;
        if (kind == 'C' || kind == 'S') {
            const auto semi = arg.find(';');
            where = semi == std::string::npos ? std::string() : arg.substr(semi + 1);
        }
        if (!where.empty() && parse_hex(where, addr)) cpu.set_pc(static_cast<uint32_t>(addr));
        action = (kind == 's' || kind == 'S') ? DebugAction::Step : DebugAction::Continue;
        return Outcome::Resume;
    }
    case 'Z':
    case 'z': {
        // Z0,addr,kind: a software breakpoint (decode cache). Z1,addr,kind: a hardware
        // breakpoint: a trigger of the core's trigger module (execute address match, action 1
        // = halt for the debugger). Z2/Z3/Z4,addr,length: write / read / access watchpoints,
        // triggers too (store / load / both; Triggers::add_debugger_watchpoint: one per
        // aligned power-of-two block of the range). E02 once the Triggers::kCount triggers
        // are not enough.
        if (arg.size() < 2 || arg[0] < '0' || arg[0] > '4' || arg[1] != ',')
            return Outcome::Reply;  // another type: unsupported (empty reply)
        std::string rest;
        if (!parse_addr_len(arg.substr(2), addr, len, &rest) || addr > 0xFFFFFFFFu) {
            reply = "E01";
            return Outcome::Reply;
        }
        const uint32_t a = static_cast<uint32_t>(addr);
        Triggers& t = cpu.core().triggers();
        if (arg[0] == '0') {
            if (kind == 'Z')
                cpu.core().add_breakpoint(a);
            else
                cpu.core().remove_breakpoint(a);
        } else if (arg[0] == '1') {
            if (kind == 'Z' && t.add_debugger_breakpoint(a) < 0) {
                reply = "E02";
                return Outcome::Reply;
            }
            if (kind == 'z') t.remove_debugger_breakpoint(a);
        } else {
            if (len == 0 || len > 0x10000) {  // gdb asks for the watched object's size
                reply = "E01";
                return Outcome::Reply;
            }
            static constexpr uint32_t kOps[] = {Triggers::kStore, Triggers::kLoad, Triggers::kLoad | Triggers::kStore};
            const uint32_t ops = kOps[arg[0] - '2'];
            if (kind == 'Z' && !t.add_debugger_watchpoint(a, static_cast<uint32_t>(len), ops)) {
                reply = "E02";
                return Outcome::Reply;
            }
            if (kind == 'z') t.remove_debugger_watchpoint(a, static_cast<uint32_t>(len), ops);
        }
        cpu.core().triggers_changed();
        reply = "OK";
        return Outcome::Reply;
    }
    case 'D':
        action = DebugAction::Detach;
        return Outcome::Resume;
    case 'k':
        action = DebugAction::Kill;
        return Outcome::Resume;
    case 'H':
    case 'T':
        reply = "OK";  // one hart, thread 1
        return Outcome::Reply;
    default:
        break;
    }
    if (p.rfind("qSupported", 0) == 0) {
        reply = "PacketSize=" + std::to_string(kPacketSize) + ";qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+";
    } else if (p == "QStartNoAckMode") {
        send_packet("OK");  // acknowledged in the old mode, then no more acks
        ack_mode_ = false;
        return Outcome::Silent;
    } else if (p.rfind("qXfer:features:read:target.xml:", 0) == 0) {
        static const std::string xml = gdb_target_xml();
        if (!parse_addr_len(p.substr(31), addr, len)) {
            reply = "E01";
        } else if (addr >= xml.size()) {
            reply = "l";
        } else {
            const std::string chunk = xml.substr(addr, len);
            reply = (addr + chunk.size() >= xml.size() ? "l" : "m") + chunk;
        }
    } else if (p.rfind("qXfer:features:read:", 0) == 0) {
        reply = "E00";
    } else if (p == "qAttached") {
        reply = "1";  // attached to a running system: quitting gdb detaches, it does not kill
    } else if (p == "qC") {
        reply = "QC1";
    } else if (p == "qfThreadInfo") {
        reply = "m1";
    } else if (p == "qsThreadInfo") {
        reply = "l";
    } else if (p.rfind("qSymbol", 0) == 0) {
        reply = "OK";
    } else if (p.rfind("qRcmd,", 0) == 0) {
        std::vector<uint8_t> cmd;
        if (!from_hex(p.substr(6), cmd)) {
            reply = "E01";
        } else {
            std::string text(cmd.begin(), cmd.end());
            while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.pop_back();
            send_packet("O" + hex_text(monitor(cpu, text)));
            reply = "OK";
        }
    } else if (p.rfind("vKill", 0) == 0) {
        action = DebugAction::Kill;
        reply = "OK";
        return Outcome::Resume;
    }
    return Outcome::Reply;
}

}  // namespace stvp
