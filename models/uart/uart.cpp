#include "uart.h"

namespace stvp {

namespace {
constexpr uint32_t kReady = UART_STATUS_TXREADY_MASK | UART_STATUS_TXIDLE_MASK;
}

Uart::Uart(sc_core::sc_module_name name, const UartConfig& cfg)
    : RegisterDevice(name, regmaps::uart, cfg.access_latency),
      irq("irq"),
      out_(cfg.echo ? cfg.out : nullptr),
      byte_time_(cfg.baud ? sc_core::sc_time(10.0 / double(cfg.baud), sc_core::SC_SEC) : sc_core::SC_ZERO_TIME) {
    regs_.on_write(UART_TXDATA, [this](unsigned, uint32_t v) { return write_txdata(v); });
    // STATUS is a function of time, so a polling reader sees it at its local time without
    // having to sync.
    regs_.on_read(UART_STATUS, [this](unsigned) { return status_at(access_time()); });
    regs_.on_read(UART_IP, [this](unsigned) { return status_at(access_time()) & regs_.value(UART_IE); });
    regs_.on_write(UART_IE, [this](unsigned, uint32_t v) {
        sync();  // the irq line follows IE from the exact time of the store
        regs_.value(UART_IE) = v & (UART_IE_TXREADY_MASK | UART_IE_TXIDLE_MASK);
        irq_ev_.notify(sc_core::SC_ZERO_TIME);
        return true;
    });
    SC_METHOD(update_irq);
    sensitive << irq_ev_;
}

Uart::~Uart() {
    if (out_) out_->flush();
}

uint32_t Uart::status_at(const sc_core::sc_time& t) const {
    // Intervals are disjoint and sorted; only the newest ones can contain t.
    for (auto it = busy_.rbegin(); it != busy_.rend(); ++it) {
        if (t >= it->until) break;
        if (t >= it->from) return 0;
    }
    return kReady;
}

bool Uart::write_txdata(uint32_t v) {
    const sc_core::sc_time at = access_time();
    if (!(status_at(at) & UART_STATUS_TXREADY_MASK)) {
        ++dropped_;
        return true;  // the bus write itself succeeds; the byte is lost on the line
    }
    const auto byte = static_cast<uint8_t>(v);
    if (out_) {
        out_->put(static_cast<char>(byte));
        if (byte == '\n') out_->flush();
    }
    if (on_tx_) on_tx_(byte, at);
    ++tx_bytes_;
    if (byte_time_ != sc_core::SC_ZERO_TIME) {
        busy_.push_back(Busy{at, at + byte_time_});
        irq_ev_.notify(at - sc_core::sc_time_stamp());
    }
    return true;
}

void Uart::update_irq() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    while (!busy_.empty() && busy_.front().until <= now) busy_.pop_front();
    const uint32_t status = status_at(now);
    regs_.value(UART_STATUS) = status;  // for debug reads
    regs_.value(UART_IP) = status & regs_.value(UART_IE);
    irq.write((status & regs_.value(UART_IE)) != 0);
    if (!busy_.empty()) {
        const Busy& b = busy_.front();
        irq_ev_.notify((b.from > now ? b.from : b.until) - now);
    }
}

}  // namespace stvp
