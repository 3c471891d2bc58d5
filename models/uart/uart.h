// Transmit-only UART (uart.def). A byte written to TXDATA goes to a host stream (stdout by
// default) and to an optional log callback. With baud > 0 the byte occupies the line for 10
// bit times (start + 8 data + stop): STATUS.TXREADY and TXIDLE are low until it has left, and
// a byte written meanwhile is dropped and counted, as a real transmitter without a FIFO would
// lose it. There is no holding register, so TXREADY and TXIDLE always agree; both exist so
// drivers written for deeper transmitters (wait for TXREADY to send, for TXIDLE to drain
// before exit) run unchanged. irq = (STATUS & IE) != 0.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <iostream>
#include <ostream>
#include <string>

#include <systemc>

#include "common/register_device.h"
#include "uart/uart_config.h"

namespace stvp {

// The uart.* keys' parameters (uart_config.h) and the SystemC side.
struct UartConfig : UartParams {
    // Where transmitted bytes go when echo is on; nullptr = nowhere (the log callback still sees them).
    // Flushed at every newline and when the Uart is destroyed.
    std::ostream* out = &std::cout;
    // Time a register access adds to the initiator's annotated delay.
    sc_core::sc_time access_latency = sc_core::SC_ZERO_TIME;
};

class Uart : public RegisterDevice {
public:
    sc_core::sc_out<bool> irq;

    explicit Uart(sc_core::sc_module_name name, const UartConfig& cfg = {});
    ~Uart() override;

    // Called for every byte transmitted, with the local time of the TXDATA write.
    using TxFn = std::function<void(uint8_t byte, const sc_core::sc_time& t)>;
    void on_tx(TxFn fn) { on_tx_ = std::move(fn); }

    uint64_t bytes_transmitted() const { return tx_bytes_; }
    uint64_t bytes_dropped() const { return dropped_; }
    // Time one byte occupies the line (0 if baud == 0).
    sc_core::sc_time byte_time() const { return byte_time_; }
    // STATUS as seen at simulated time t.
    uint32_t status_at(const sc_core::sc_time& t) const;

private:
    SC_HAS_PROCESS(Uart);

    void update_irq();
    bool write_txdata(uint32_t v);

    struct Busy {
        sc_core::sc_time from, until;  // the line carries a byte in [from, until)
    };

    std::ostream* out_;
    sc_core::sc_time byte_time_;
    // Bytes on the line that update_irq() has not yet seen finish, oldest first. The writer
    // may run ahead of the kernel (temporal decoupling) and send several bytes within one
    // quantum; keeping each interval gives the irq line every edge at its own time.
    std::deque<Busy> busy_;
    TxFn on_tx_;
    uint64_t tx_bytes_ = 0;
    uint64_t dropped_ = 0;
    sc_core::sc_event irq_ev_;
};

}  // namespace stvp
