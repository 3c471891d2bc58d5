#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "uart/uart.h"
#include "../support/tlm_stimulus.h"

using namespace stvp;
using stvp::test::ns;
using stvp::test::Recorder;
using stvp::test::Stimulus;
using stvp::test::us;

namespace {

// A stream buffer that keeps what it got and counts flushes.
class CountingBuf : public std::stringbuf {
public:
    int syncs = 0;

protected:
    int sync() override {
        ++syncs;
        return std::stringbuf::sync();
    }
};

struct Bench {
    Uart uart;
    Stimulus stim{"stim"};
    sc_core::sc_signal<bool> line{"line"};
    Recorder irq{"irq"};

    explicit Bench(const UartConfig& cfg) : uart("uart", cfg) {
        stim.socket.bind(uart.socket);
        uart.irq(line);
        irq.in(line);
    }
};

constexpr uint32_t kReady = UART_STATUS_TXREADY_MASK | UART_STATUS_TXIDLE_MASK;

}  // namespace

TEST(Uart, BytesGoToTheStreamAndTheCallback) {
    std::ostringstream out;
    UartConfig c;
    c.out = &out;
    Bench b(c);
    std::string logged;
    std::vector<sc_core::sc_time> times;
    b.uart.on_tx([&](uint8_t byte, const sc_core::sc_time& t) {
        logged += char(byte);
        times.push_back(t);
    });
    b.stim.body = [&](Stimulus& st) {
        for (char ch : std::string("Hi\n")) {
            EXPECT_EQ(st.write32(UART_TXDATA, 0xFFFFFF00u | uint8_t(ch)), tlm::TLM_OK_RESPONSE);  // low byte only
            st.delay += ns(100);
        }
    };
    sc_core::sc_start();
    EXPECT_EQ(out.str(), "Hi\n");
    EXPECT_EQ(logged, "Hi\n");
    EXPECT_EQ(times, (std::vector<sc_core::sc_time>{ns(0), ns(100), ns(200)}));
    EXPECT_EQ(b.uart.bytes_transmitted(), 3u);
    EXPECT_EQ(b.uart.bytes_dropped(), 0u);
}

TEST(Uart, FlushesAtNewlineAndOnDestruction) {
    CountingBuf buf;
    std::ostream out(&buf);
    {
        UartConfig c;
        c.out = &out;
        Bench b(c);
        b.stim.body = [&](Stimulus& st) {
            st.write32(UART_TXDATA, 'a');
            EXPECT_EQ(buf.syncs, 0);
            st.write32(UART_TXDATA, '\n');
            EXPECT_EQ(buf.syncs, 1);
            st.write32(UART_TXDATA, 'b');
        };
        sc_core::sc_start();
        EXPECT_EQ(buf.syncs, 1);
    }
    EXPECT_EQ(buf.syncs, 2);
    EXPECT_EQ(buf.str(), "a\nb");
}

TEST(Uart, BaudRateTimingAndDroppedBytes) {
    std::ostringstream out;
    UartConfig c;
    c.out = &out;
    c.baud = 1'000'000;  // 10 us per byte
    Bench b(c);
    b.stim.body = [&](Stimulus& st) {
        EXPECT_EQ(b.uart.byte_time(), us(10));
        EXPECT_EQ(st.rd(UART_STATUS), kReady);
        EXPECT_EQ(st.write32(UART_TXDATA, 'x'), tlm::TLM_OK_RESPONSE);
        st.delay = us(5);
        EXPECT_EQ(st.rd(UART_STATUS), 0u);  // busy at local time 5 us
        EXPECT_EQ(st.write32(UART_TXDATA, 'y'), tlm::TLM_OK_RESPONSE);  // dropped
        st.delay = ns(9999);
        EXPECT_EQ(st.rd(UART_STATUS), 0u);
        st.delay = us(10);
        EXPECT_EQ(st.rd(UART_STATUS), kReady);  // the byte has left
        EXPECT_EQ(st.write32(UART_TXDATA, 'z'), tlm::TLM_OK_RESPONSE);
        st.sync();
        sc_core::wait(us(3));
        EXPECT_EQ(st.rd(UART_STATUS), 0u);  // seen at true time too
    };
    sc_core::sc_start();
    EXPECT_EQ(out.str(), "xz");
    EXPECT_EQ(b.uart.bytes_transmitted(), 2u);
    EXPECT_EQ(b.uart.bytes_dropped(), 1u);
}

TEST(Uart, IrqFollowsStatusAndEnableWithEveryEdge) {
    UartConfig c;
    c.out = nullptr;
    c.baud = 1'000'000;
    Bench b(c);
    b.stim.body = [&](Stimulus& st) {
        st.delay = us(1);
        EXPECT_EQ(st.write32(UART_IE, UART_IE_TXREADY_MASK), tlm::TLM_OK_RESPONSE);  // rises at 1 us
        EXPECT_EQ(st.rd(UART_IP), UART_IE_TXREADY_MASK);
        // Two bytes sent within one quantum, ahead of the kernel.
        st.delay = us(1);
        EXPECT_EQ(st.write32(UART_TXDATA, 'a'), tlm::TLM_OK_RESPONSE);  // 2 us .. 12 us
        EXPECT_EQ(st.rd(UART_IP), 0u);
        st.delay = us(14);
        EXPECT_EQ(st.write32(UART_TXDATA, 'b'), tlm::TLM_OK_RESPONSE);  // 15 us .. 25 us
        st.sync();
        sc_core::wait(us(20));  // 35 us
        EXPECT_EQ(st.write32(UART_IE, 0), tlm::TLM_OK_RESPONSE);
    };
    sc_core::sc_start();
    std::vector<std::pair<sc_core::sc_time, bool>> edges;
    for (auto& e : b.irq.edges) edges.emplace_back(e.time, e.value);
    const std::vector<std::pair<sc_core::sc_time, bool>> expect{
        {us(1), true}, {us(2), false}, {us(12), true}, {us(15), false}, {us(25), true}, {us(35), false}};
    EXPECT_EQ(edges, expect);
}

TEST(Uart, InstantaneousWithoutBaud) {
    UartConfig c;
    c.out = nullptr;
    Bench b(c);
    b.stim.body = [&](Stimulus& st) {
        for (int i = 0; i < 100; ++i) EXPECT_EQ(st.write32(UART_TXDATA, 'a' + i % 26), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.rd(UART_STATUS), kReady);
        EXPECT_EQ(st.write32(UART_IE, UART_IE_TXIDLE_MASK), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(st.rd(UART_IP), UART_IE_TXIDLE_MASK);
    };
    sc_core::sc_start();
    EXPECT_EQ(b.uart.bytes_transmitted(), 100u);
    ASSERT_EQ(b.irq.edges.size(), 1u);
    EXPECT_TRUE(b.irq.edges[0].value);
}

TEST(Uart, AccessRules) {
    UartConfig c;
    c.out = nullptr;
    c.access_latency = ns(4);
    Bench b(c);
    b.stim.body = [&](Stimulus& st) {
        EXPECT_EQ(st.write32(UART_STATUS, 0), tlm::TLM_COMMAND_ERROR_RESPONSE);  // RO
        EXPECT_EQ(st.write32(UART_IP, 0), tlm::TLM_COMMAND_ERROR_RESPONSE);      // RO
        EXPECT_EQ(st.rd(UART_TXDATA), 0u);                                        // WO reads 0
        uint8_t byte = 'q';
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, UART_TXDATA, &byte, 1), tlm::TLM_BURST_ERROR_RESPONSE);
        EXPECT_EQ(st.write32(UART_IE + 1, 1), tlm::TLM_BURST_ERROR_RESPONSE);  // misaligned
        EXPECT_EQ(st.write32(0x100, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        EXPECT_EQ(st.delay, ns(24));
        uint32_t w = 'w';
        unsigned char be[4] = {0xff, 0xff, 0xff, 0xff};
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, UART_TXDATA, &w, 4, be, 4), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        EXPECT_EQ(st.access(tlm::TLM_WRITE_COMMAND, UART_TXDATA, &w, 4, nullptr, 0, 2), tlm::TLM_BURST_ERROR_RESPONSE);
        // A streaming width left at 0 means "no streaming".
        tlm::tlm_generic_payload gp;
        gp.set_command(tlm::TLM_READ_COMMAND);
        gp.set_address(UART_STATUS);
        gp.set_data_ptr(reinterpret_cast<unsigned char*>(&w));
        gp.set_data_length(4);
        sc_core::sc_time d;
        st.socket->b_transport(gp, d);
        EXPECT_EQ(gp.get_response_status(), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(w, kReady);
    };
    sc_core::sc_start();
    EXPECT_EQ(b.uart.bytes_transmitted(), 0u);  // the byte-wide store sent nothing
    EXPECT_EQ(b.uart.registers().error_count(), 5u);
}

// uart.echo (uart_config.h) off: the host stream gets nothing, the log callback still every byte.
TEST(Uart, EchoOffKeepsTheStreamQuiet) {
    std::ostringstream out;
    UartConfig c;
    EXPECT_TRUE(c.echo);  // the uart.* keys' default
    c.out = &out;
    c.echo = false;
    Bench b(c);
    std::string logged;
    b.uart.on_tx([&](uint8_t byte, const sc_core::sc_time&) { logged += char(byte); });
    b.stim.body = [&](Stimulus& st) {
        for (char ch : std::string("ok\n")) EXPECT_EQ(st.write32(UART_TXDATA, uint8_t(ch)), tlm::TLM_OK_RESPONSE);
    };
    sc_core::sc_start();
    EXPECT_EQ(out.str(), "");
    EXPECT_EQ(logged, "ok\n");
    EXPECT_EQ(b.uart.bytes_transmitted(), 3u);
}
