// The GDB stub speaking the remote serial protocol to a raw client (a thread with a TCP
// socket) while the CPU model runs in SystemC: acks and no-ack mode, target.xml, registers,
// memory (hex and escaped binary writes), breakpoints, watchpoints, step, continue, Ctrl-C,
// monitor, kill.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "cpu_bench.h"
#include "gdb_server.h"

namespace {

using namespace stvp;
using stvp::test::Asm;
using stvp::test::Bench;

// A minimal RSP client.
class Client {
public:
    explicit Client(uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~Client() { ::close(fd_); }
    bool ok() const { return ok_; }

    void raw(const std::string& bytes) { (void)!::write(fd_, bytes.data(), bytes.size()); }
    void send(const std::string& data) {
        uint8_t sum = 0;
        for (char c : data) sum = uint8_t(sum + uint8_t(c));
        char cs[4];
        std::snprintf(cs, sizeof cs, "%02x", sum);
        raw("$" + data + "#" + cs);
        if (acks_) acked_ = byte() == '+';
    }
    // Next packet's payload ("" on timeout), acknowledged in ack mode.
    std::string reply() {
        int c;
        while ((c = byte()) != '$')
            if (c < 0) return "<timeout>";
        std::string s;
        while ((c = byte()) != '#' && c >= 0) s += char(c);
        byte();
        byte();
        if (acks_) raw("+");
        return s;
    }
    std::string ask(const std::string& data) {
        send(data);
        return reply();
    }
    void no_acks() { acks_ = false; }
    bool acked() const { return acked_; }

private:
    int byte() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 20000) <= 0) return -1;
        char c;
        return ::read(fd_, &c, 1) == 1 ? static_cast<uint8_t>(c) : -1;
    }
    int fd_ = -1;
    bool ok_ = false;
    bool acks_ = true;
    bool acked_ = false;
};

std::string le32(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "%02x%02x%02x%02x", v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >> 24);
    return b;
}

TEST(GdbServer, FullSessionOverTheRemoteSerialProtocol) {
    Bench b;
    Asm p;
    // 0x80000000: addi a1, zero, 3; loop (0x...04): addi a0, a0, 1; bne a0, a1, loop; spin (0x...0c)
    p("addi a1, zero, 3; loop: addi a0, a0, 1; bne a0, a1, loop; spin: jal zero, spin");
    b.load(p);
    GdbServer gdb(0);
    ASSERT_GT(gdb.port(), 0);
    bool killed = false;
    gdb.on_kill = [&] { killed = true; };
    b.cpu.attach_debugger(&gdb, true);

    std::vector<std::pair<std::string, std::string>> log;  // (request, reply)
    bool acked = false, connected = false;
    std::thread client([&] {
        Client c(gdb.port());
        connected = c.ok();
        if (!connected) return;
        auto q = [&](const std::string& req) { log.emplace_back(req, c.ask(req)); };
        q("qSupported:multiprocess+;swbreak+;hwbreak+");
        acked = c.acked();
        q("QStartNoAckMode");
        c.no_acks();
        q("?");
        q("qXfer:features:read:target.xml:0,3fff");
        q("g");
        q("p20");
        q("Pa=2a000000");           // a0 = 42
        q("pa");
        q("m80000000,4");
        q("M80001000,4:deadbeef");
        q("m80001000,4");
        c.send("X80001004,2:}\x03}]");  // binary 0x23 ('#'), 0x7d ('}') escaped
        log.emplace_back("X", c.reply());
        q("m80001004,2");
        q("m10000000,4");          // the MMIO word: readable through the debug transport? no: E14
        q("Pa=00000000");
        q("Z0,80000004,4");
        q("c");                    // -> breakpoint at loop
        q("p20");
        q("s");                    // -> step to the bne
        q("p20");
        q("z0,80000004,4");
        c.send("c");               // runs into spin forever
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        c.raw("\x03");             // Ctrl-C
        log.emplace_back("c+^C", c.reply());
        q("p20");
        q("pa");
        q("qRcmd,74696d65");       // "time": an O packet, then OK
        log.emplace_back("qRcmd(2)", c.reply());
        q("vMustReplyEmpty");
        c.send("k");
    });
    sc_core::sc_start();
    client.join();
    ASSERT_TRUE(connected);
    ASSERT_TRUE(b.halted);
    EXPECT_TRUE(killed);
    EXPECT_EQ(b.message, "killed by the debugger");
    EXPECT_TRUE(acked);
    auto r = [&](std::size_t i) { return i < log.size() ? log[i].second : std::string("<missing>"); };
    ASSERT_EQ(log.size(), 27u);
    EXPECT_NE(r(0).find("qXfer:features:read+"), std::string::npos) << r(0);
    EXPECT_NE(r(0).find("swbreak+"), std::string::npos);
    EXPECT_NE(r(0).find("hwbreak+"), std::string::npos);
    EXPECT_EQ(r(1), "OK");
    EXPECT_EQ(r(2), "S05");
    EXPECT_EQ(r(3).substr(0, 6), "l<?xml") << r(3).substr(0, 40);
    EXPECT_NE(r(3).find("<architecture>riscv:rv32</architecture>"), std::string::npos);
    EXPECT_NE(r(3).find("name=\"pc\""), std::string::npos);
    EXPECT_NE(r(3).find("name=\"mepc\" bitsize=\"32\" type=\"int\" regnum=\"898\""), std::string::npos);  // 65 + 0x341
    // The protection and trigger CSRs too (info all-registers, info registers csr).
    EXPECT_NE(r(3).find("name=\"pmpaddr15\" bitsize=\"32\" type=\"int\" regnum=\"1024\""), std::string::npos);  // 65 + 0x3bf
    EXPECT_NE(r(3).find("name=\"tdata1\" bitsize=\"32\" type=\"int\" regnum=\"2018\""), std::string::npos);  // 65 + 0x7a1
    ASSERT_EQ(r(4).size(), 33u * 8u);
    EXPECT_EQ(r(4).substr(32 * 8), le32(0x80000000));
    EXPECT_EQ(r(5), le32(0x80000000));
    EXPECT_EQ(r(6), "OK");
    EXPECT_EQ(r(7), le32(42));
    EXPECT_EQ(r(8), "93053000");  // addi a1, zero, 3 = 0x00300593
    EXPECT_EQ(r(9), "OK");
    EXPECT_EQ(r(10), "deadbeef");
    EXPECT_EQ(r(11), "OK");
    EXPECT_EQ(r(12), "237d");
    EXPECT_EQ(r(13), "E14");
    EXPECT_EQ(r(14), "OK");
    EXPECT_EQ(r(15), "OK");
    EXPECT_EQ(r(16), "T05swbreak:;");
    EXPECT_EQ(r(17), le32(0x80000004));
    EXPECT_EQ(r(18), "S05");
    EXPECT_EQ(r(19), le32(0x80000008));
    EXPECT_EQ(r(20), "OK");
    EXPECT_EQ(r(21), "S02");
    EXPECT_EQ(r(22), le32(0x8000000c));  // in the spin loop
    EXPECT_EQ(r(23), le32(3));
    ASSERT_EQ(r(24).substr(0, 1), "O");
    std::string text;
    for (std::size_t i = 1; i + 1 < r(24).size(); i += 2) text += char(std::stoi(r(24).substr(i, 2), nullptr, 16));
    EXPECT_NE(text.find("simulated time"), std::string::npos) << text;
    EXPECT_EQ(r(25), "OK");
    EXPECT_EQ(r(26), "");
    EXPECT_EQ(b.cpu.reg(10), 3u);
}

TEST(GdbServer, DetachLetsTheFirmwareRunToTheEnd) {
    Bench b;
    Asm p;
    p("addi a0, zero, 5; lui t6, 0x10000; sw a0, 0(t6); spin: jal zero, spin");
    b.load(p);
    GdbServer gdb(0);
    b.cpu.attach_debugger(&gdb, true);
    std::string stop, detach;
    std::thread client([&] {
        Client c(gdb.port());
        stop = c.ask("?");
        c.ask("Z0,80000008,4");  // left in place: a detach removes it
        detach = c.ask("D");
    });
    sc_core::sc_start();
    client.join();
    EXPECT_EQ(stop, "S05");
    EXPECT_EQ(detach, "OK");
    ASSERT_TRUE(b.halted);
    EXPECT_EQ(b.reason, HaltReason::StopRequested);  // the MMIO write
    EXPECT_EQ(b.message, "stop requested");
    EXPECT_EQ(b.cpu.reg(10), 5u);
    EXPECT_TRUE(b.cpu.core().breakpoints().empty());
}

TEST(GdbServer, ConnectionLossDetachesAndTheEndIsReported) {
    Bench b;
    Asm p;
    p("addi a0, zero, 7; lui t6, 0x10000; sw a0, 0(t6); spin: jal zero, spin");
    b.load(p);
    auto gdb = std::make_unique<GdbServer>(0);
    b.cpu.attach_debugger(gdb.get(), true);
    std::thread client([&] {
        Client c(gdb->port());
        c.ask("?");
    });  // closes the socket without detaching
    sc_core::sc_start();
    client.join();
    ASSERT_TRUE(b.halted);
    EXPECT_EQ(b.cpu.reg(10), 7u);
    gdb->notify_end(true, 7);  // no peer: nothing to send, no error
    EXPECT_FALSE(gdb->connected());
}

TEST(GdbServer, ExitIsReportedToGdb) {
    Bench b;
    Asm p;
    p("addi a0, zero, 9; lui t6, 0x10000; sw a0, 0(t6); spin: jal zero, spin");
    b.load(p);
    GdbServer gdb(0);
    b.cpu.attach_debugger(&gdb, true);
    std::string end;
    std::thread client([&] {
        Client c(gdb.port());
        c.ask("?");
        c.send("c");
        end = c.reply();  // W09 once the platform reports the exit
    });
    sc_core::sc_start();
    gdb.notify_end(true, 9);
    client.join();
    EXPECT_EQ(end, "W09");
}

// Watchpoint packets: Z2/Z3/Z4 set write/read/access watchpoints (a zero or oversized length
// and an address past 32 bits are refused, unknown types get the empty reply) as triggers of
// the core's Sdtrig module: a store / load address trigger per aligned power-of-two block,
// action 1 (halt for gdb), so the stop comes before the access with "watch:<data address>";
// a range needing more triggers than are free is refused (E02) and takes none; z2 removes
// one; a detach drops what is left.
TEST(GdbServer, WatchpointsAreTriggersThatStopBeforeTheAccess) {
    Bench b;
    Asm p;
    // 0x80000000: lui a1, 0x80001; addi a0, zero, 5; sw a0, 8(a1); lw a2, 8(a1); MMIO store; spin
    p("lui a1, 0x80001; addi a0, zero, 5; sw a0, 8(a1); lw a2, 8(a1); lui t6, 0x10000; sw a0, 0(t6); "
      "spin: jal zero, spin");
    b.load(p);
    GdbServer gdb(0);
    b.cpu.attach_debugger(&gdb, true);
    std::vector<std::string> r;
    std::thread client([&] {
        Client c(gdb.port());
        c.ask("?");
        for (const char* q : {"Z2,80001008,0", "Z2,80001008,10001", "Z2,180001008,4", "Z5,80001008,4",
                              "Z2,8000100a,2", "Z3,80001004,8", "Z4,80001001,7", "c", "p20", "p7e2",
                              "z2,8000100a,2", "c", "p20", "Z4,90000000,4"})
            r.push_back(c.ask(q));
        r.push_back(c.ask("D"));
    });
    sc_core::sc_start();
    client.join();
    ASSERT_EQ(r.size(), 15u);
    EXPECT_EQ(r[0], "E01");  // zero length
    EXPECT_EQ(r[1], "E01");  // longer than 64 KiB
    EXPECT_EQ(r[2], "E01");  // not a 32-bit address
    EXPECT_EQ(r[3], "");     // no such type
    EXPECT_EQ(r[4], "OK");   // one trigger (NAPOT, 2 bytes): the sw's upper half
    EXPECT_EQ(r[5], "OK");   // two triggers: 4 bytes at ...04, 8 bytes at ...08
    EXPECT_EQ(r[6], "E02");  // three blocks (1, 2, 4 bytes), one trigger left
    EXPECT_EQ(r[7], "T05watch:80001008;");  // the sw, before it stores
    EXPECT_EQ(r[8], le32(0x80000008));
    // tdata1 of trigger 0 (tselect reads 0): mcontrol6, dmode, hit0, action 1, NAPOT, m, u, store.
    EXPECT_EQ(r[9], le32((6u << 28) | (1u << 27) | (1u << 22) | (1u << 12) | (1u << 7) | (1u << 6) | (1u << 3) |
                         (1u << 1)));
    EXPECT_EQ(r[10], "OK");
    EXPECT_EQ(r[11], "T05rwatch:80001008;");  // the lw, before it loads
    EXPECT_EQ(r[12], le32(0x8000000c));
    EXPECT_EQ(r[13], "OK");
    EXPECT_EQ(r[14], "OK");
    ASSERT_TRUE(b.halted);
    EXPECT_EQ(b.cpu.reg(12), 5u);                 // the load ran once gdb had detached
    EXPECT_FALSE(b.cpu.core().triggers().any());  // the detach dropped Z3 and Z4
}

// Hardware breakpoints: Z1 takes a trigger of the core's Sdtrig module (an execute-address
// mcontrol6 owned by the debugger, action 1 = halt), so the stop reply is hwbreak and gdb can
// read the trigger's CSRs; a fifth Z1 finds no free trigger (E02); z1 frees one; a detach
// drops the rest.
TEST(GdbServer, HardwareBreakpointsAreTriggers) {
    Bench b;
    Asm p;
    p("addi a0, zero, 1; addi a0, a0, 1; addi a0, a0, 1; addi a0, a0, 1; lui t6, 0x10000; sw a0, 0(t6); "
      "spin: jal zero, spin");
    b.load(p);
    GdbServer gdb(0);
    b.cpu.attach_debugger(&gdb, true);
    std::vector<std::string> r;
    std::thread client([&] {
        Client c(gdb.port());
        c.ask("?");
        for (const char* q : {"Z1,80000008,4", "Z1,90000000,4", "Z1,90000010,4", "Z1,90000020,4", "Z1,90000030,4",
                              "c", "p20", "p7e2", "z1,80000008,4", "Z1,8000000c,4", "c", "p20"})
            r.push_back(c.ask(q));
        r.push_back(c.ask("D"));
    });
    sc_core::sc_start();
    client.join();
    ASSERT_EQ(r.size(), 13u);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(r[i], "OK") << i;
    EXPECT_EQ(r[4], "E02");  // all 4 triggers in use
    EXPECT_EQ(r[5], "T05hwbreak:;");
    EXPECT_EQ(r[6], le32(0x80000008));  // before the third addi
    // tdata1 of trigger 0: mcontrol6, dmode, hit0, action 1, m, u, execute.
    EXPECT_EQ(r[7], le32((6u << 28) | (1u << 27) | (1u << 22) | (1u << 12) | (1u << 6) | (1u << 3) | (1u << 2)));
    EXPECT_EQ(r[8], "OK");
    EXPECT_EQ(r[9], "OK");  // the freed trigger
    EXPECT_EQ(r[10], "T05hwbreak:;");
    EXPECT_EQ(r[11], le32(0x8000000c));
    EXPECT_EQ(r[12], "OK");
    ASSERT_TRUE(b.halted);
    EXPECT_EQ(b.cpu.reg(10), 4u);                   // every addi ran once
    EXPECT_FALSE(b.cpu.core().triggers().any());    // the detach dropped the triggers
}

// The stub over a GdbByteStream (the fuzz harness's transport): gdb's bytes played back in
// order. The stub acks each packet, waits for gdb's ack of each reply, takes an interrupt
// byte (0x03) only while the CPU runs, and a kill ends the run.
std::string packet(const std::string& data) {
    uint8_t sum = 0;
    for (char c : data) sum = uint8_t(sum + uint8_t(c));
    char cs[4];
    std::snprintf(cs, sizeof cs, "%02x", sum);
    return "$" + data + "#" + cs;
}

TEST(GdbServer, PlaysBackAByteStream) {
    Bench b;
    Asm p;
    p("addi a0, zero, 0; loop: addi a0, a0, 1; jal zero, loop");
    b.load(p);
    const std::string from_gdb = packet("?") + "+" + packet("Z0,80000004,4") + "+" + packet("c") + "+" +
                                 packet("z0,80000004,4") + "+" + packet("c") + "\x03" + "+" + packet("p0a") + "+" +
                                 packet("k");
    auto stream = std::make_unique<GdbByteStream>(from_gdb);
    GdbByteStream& s = *stream;
    GdbServer gdb(std::move(stream));
    EXPECT_EQ(gdb.port(), 0u);
    b.cpu.attach_debugger(&gdb, true);
    sc_core::sc_start();
    ASSERT_TRUE(b.halted);
    EXPECT_EQ(b.message, "killed by the debugger");
    EXPECT_EQ(s.unread(), 0u);
    const std::string& out = s.sent();
    EXPECT_EQ(out.substr(0, 8), "+" + packet("S05"));
    const auto brk = out.find(packet("T05swbreak:;")), irq = out.find(packet("S02"));
    ASSERT_NE(brk, std::string::npos) << out;
    ASSERT_NE(irq, std::string::npos) << out;
    EXPECT_LT(brk, irq);
    // The interrupt byte is there at once: the CPU halts at the first slice boundary, before
    // the addi at the breakpoint ran; p0a reads a0 then.
    EXPECT_EQ(b.cpu.pc(), 0x80000004u);
    const auto reg = out.find('$', irq + 1);
    ASSERT_NE(reg, std::string::npos);
    EXPECT_EQ(out.substr(reg + 1, 8), le32(0));
}

TEST(GdbServer, PortInUseIsAnError) {
    GdbServer a(0);
    EXPECT_THROW(GdbServer b(a.port()), GdbError);
}

}  // namespace
