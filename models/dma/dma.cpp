#include "dma.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace stvp {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

std::string DmaConfig::validate() const { return config::check_ranges(static_cast<DmaParams>(*this)).text(); }

namespace {

std::string hex(uint32_t v) {
    std::ostringstream o;
    o << "0x" << std::hex << std::setw(8) << std::setfill('0') << v;
    return o.str();
}

const char* error_name(uint32_t code) {
    switch (code) {
        case STVP_DMA_ERR_DESC_ADDR: return "bad DESC_HEAD";
        case STVP_DMA_ERR_DESC_FETCH: return "bus error fetching descriptor";
        case STVP_DMA_ERR_ROW_BYTES: return "row_bytes is 0";
        case STVP_DMA_ERR_ROWS: return "rows is 0";
        case STVP_DMA_ERR_DST_STRIDE: return "dst_stride < row_bytes (rows overlap)";
        case STVP_DMA_ERR_SRC_RANGE: return "source beyond the 32-bit address space";
        case STVP_DMA_ERR_DST_RANGE: return "destination beyond the 32-bit address space";
        case STVP_DMA_ERR_FLAGS: return "reserved flag bits set";
        case STVP_DMA_ERR_NEXT: return "next not 32-byte aligned";
        case STVP_DMA_ERR_SRC_BUS: return "bus error reading the source";
        case STVP_DMA_ERR_DST_BUS: return "bus error writing the destination";
        case STVP_DMA_ERR_CHAIN_LENGTH: return "chain longer than max_chain (loop?)";
        default: return "error";
    }
}

}  // namespace

Dma::Dma(sc_core::sc_module_name name, const DmaConfig& cfg)
    : RegisterDevice(name, regmaps::dma, cfg.reg_latency),
      master("master"),
      irq("irq"),
      cfg_(cfg),
      bytes_per_s_(cfg.bandwidth_gbps * 1e9),
      busy_("busy"),
      buf_(std::max<uint32_t>(cfg.burst_bytes, STVP_DMA_DESC_SIZE)) {
    if (auto err = cfg_.validate(); !err.empty()) throw std::invalid_argument(std::string(this->name()) + ": " + err);

    regs_.on_write(DMA_CTRL, [this](unsigned, uint32_t v) { return write_ctrl(v); });
    regs_.on_write(DMA_INT_STATUS, [this](unsigned, uint32_t v) {
        regs_.value(DMA_INT_STATUS) &= ~v;
        irq_ev_.notify(cpu_offset());
        return true;
    });
    regs_.on_write(DMA_INT_ENABLE, [this](unsigned, uint32_t v) {
        regs_.value(DMA_INT_ENABLE) =
            v & (DMA_INT_ENABLE_DONE_MASK | DMA_INT_ENABLE_ERROR_MASK | DMA_INT_ENABLE_DESC_MASK);
        irq_ev_.notify(cpu_offset());
        return true;
    });
    // State the engine changes is read at the CPU's true time (the CPU may run ahead of the
    // kernel under temporal decoupling), so a polling loop sees BUSY fall when it does.
    for (uint32_t off : std::initializer_list<uint32_t>{DMA_STATUS, DMA_INT_STATUS, DMA_CUR_DESC, DMA_ERR_CODE, DMA_ERR_ADDR, DMA_ERR_DESC,
                         DMA_BYTES_COPIED, DMA_DESCS_DONE})
        regs_.on_read(off, [this, off](unsigned) { return read_synced(off); });

    SC_HAS_PROCESS(Dma);
    SC_THREAD(engine);
    SC_METHOD(update_irq);
    sensitive << irq_ev_;
    dont_initialize();
}

uint32_t Dma::read_synced(uint32_t offset) {
    sync();
    return regs_.value(offset);
}

// CTRL is a command register: a write acts on its set bits and stores nothing, so firmware
// never needs a read-modify-write of it.
bool Dma::write_ctrl(uint32_t v) {
    const uint32_t cmds = v & (DMA_CTRL_START_MASK | DMA_CTRL_SOFT_RESET_MASK);
    if (!cmds) return true;
    if (regs_.value(DMA_STATUS) & DMA_STATUS_BUSY_MASK) {
        // Ignored rather than refused with an error response: the running chain is not
        // disturbed and the CPU takes no fault; the driver sees the count in CMD_IGNORED.
        ++regs_.value(DMA_CMD_IGNORED);
        ++stats_.commands_ignored;
        return true;
    }
    if (cmds & DMA_CTRL_SOFT_RESET_MASK) soft_reset();
    if (cmds & DMA_CTRL_START_MASK) start_chain();
    return true;
}

// Resets the engine's state but keeps its configuration (INT_ENABLE, DESC_HEAD), so that
// SOFT_RESET | START in one write is a clean start of the chain at DESC_HEAD.
void Dma::soft_reset() {
    const uint32_t enable = regs_.value(DMA_INT_ENABLE);
    const uint32_t head = regs_.value(DMA_DESC_HEAD);
    regs_.reset();
    regs_.value(DMA_INT_ENABLE) = enable;
    regs_.value(DMA_DESC_HEAD) = head;
    irq_ev_.notify(cpu_offset());
}

void Dma::start_chain() {
    head_ = regs_.value(DMA_DESC_HEAD);
    regs_.value(DMA_STATUS) = DMA_STATUS_BUSY_MASK;
    for (uint32_t off : std::initializer_list<uint32_t>{DMA_CUR_DESC, DMA_ERR_CODE, DMA_ERR_ADDR, DMA_ERR_DESC, DMA_BYTES_COPIED, DMA_DESCS_DONE})
        regs_.value(off) = 0;
    // The doorbell must not block the CPU: the engine thread starts at the CPU's local time.
    start_ev_.notify(cpu_offset());
}

void Dma::update_irq() {
    irq.write((regs_.value(DMA_INT_STATUS) & regs_.value(DMA_INT_ENABLE)) != 0);
}

sc_time Dma::transfer_time(unsigned bytes) const { return sc_time(double(bytes) / bytes_per_s_, sc_core::SC_SEC); }

void Dma::sync_local() {
    if (local_ > SC_ZERO_TIME) {
        wait(local_);
        local_ = SC_ZERO_TIME;
    }
}

bool Dma::bus(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len) {
    trans_.set_command(cmd);
    trans_.set_address(addr);
    trans_.set_data_ptr(data);
    trans_.set_data_length(len);
    trans_.set_streaming_width(len);
    trans_.set_byte_enable_ptr(nullptr);
    trans_.set_byte_enable_length(0);
    trans_.set_dmi_allowed(false);
    trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    master->b_transport(trans_, local_);
    return trans_.is_response_ok();
}

void Dma::engine() {
    for (;;) {
        wait(start_ev_);
        const sc_time t0 = sc_core::sc_time_stamp();
        busy_.write(true);
        ++stats_.chains;
        local_ = SC_ZERO_TIME;

        uint32_t failing_desc = 0;
        const Fault f = run_chain(head_, failing_desc);
        sync_local();

        uint32_t& status = regs_.value(DMA_STATUS);
        if (f.code == STVP_DMA_ERR_NONE) {
            status = DMA_STATUS_DONE_MASK;
            regs_.value(DMA_INT_STATUS) |= DMA_INT_STATUS_DONE_MASK;
        } else {
            status = DMA_STATUS_ERROR_MASK;
            regs_.value(DMA_INT_STATUS) |= DMA_INT_STATUS_ERROR_MASK;
            regs_.value(DMA_ERR_CODE) = f.code;
            regs_.value(DMA_ERR_ADDR) = f.address;
            regs_.value(DMA_ERR_DESC) = failing_desc;
            ++stats_.chains_failed;
            SC_REPORT_WARNING(name(), (std::string("chain stopped: ") + error_name(f.code) + " (ERR_CODE " +
                                       std::to_string(f.code) + ", descriptor " + hex(failing_desc) +
                                       ", address " + hex(f.address) + ")")
                                          .c_str());
        }
        irq_ev_.notify(SC_ZERO_TIME);
        stats_.busy_time += sc_core::sc_time_stamp() - t0;
        busy_.write(false);
        done_ev_.notify();
    }
}

Dma::Fault Dma::run_chain(uint32_t addr, uint32_t& failing_desc) {
    failing_desc = addr;
    if (addr == 0 || addr % STVP_DMA_DESC_ALIGN) {
        DmaDescriptorEvent ev;
        ev.address = addr;
        ev.error = STVP_DMA_ERR_DESC_ADDR;
        ev.error_address = addr;
        ev.start = ev.end = sc_core::sc_time_stamp();
        report(ev);
        return {STVP_DMA_ERR_DESC_ADDR, addr};
    }
    for (uint32_t n = 0;; ++n) {
        failing_desc = addr;
        DmaDescriptorEvent ev;
        ev.address = addr;
        ev.start = sc_core::sc_time_stamp() + local_;
        auto fail = [&](Fault f) {
            sync_local();
            ev.error = f.code;
            ev.error_address = f.address;
            ev.end = sc_core::sc_time_stamp();
            report(ev);
            return f;
        };
        if (n == cfg_.max_chain) return fail({STVP_DMA_ERR_CHAIN_LENGTH, addr});

        regs_.value(DMA_CUR_DESC) = addr;
        uint8_t raw[STVP_DMA_DESC_SIZE];
        if (!bus(tlm::TLM_READ_COMMAND, addr, raw, sizeof raw)) return fail({STVP_DMA_ERR_DESC_FETCH, addr});
        local_ += transfer_time(sizeof raw);
        std::memcpy(&ev.desc, raw, sizeof raw);  // the bus is little-endian like the host
        ev.fetched = true;

        if (Fault f = check(ev.desc, addr); f.code) return fail(f);
        if (Fault f = copy(ev.desc); f.code) return fail(f);

        // Sync per descriptor so DESCS_DONE and the per-descriptor interrupt change at true time.
        sync_local();
        ++regs_.value(DMA_DESCS_DONE);
        ++stats_.descriptors;
        if (ev.desc.flags & STVP_DMA_FLAG_IRQ) {
            regs_.value(DMA_INT_STATUS) |= DMA_INT_STATUS_DESC_MASK;
            irq_ev_.notify(SC_ZERO_TIME);
        }
        ev.end = sc_core::sc_time_stamp();
        report(ev);
        if (ev.desc.next == 0) return {};
        addr = ev.desc.next;
    }
}

// Checks in the order of the error codes, so the first bad field is the one named.
Dma::Fault Dma::check(const stvp_dma_desc& d, uint32_t addr) const {
    auto field = [addr](std::size_t off) { return addr + static_cast<uint32_t>(off); };
    if (d.row_bytes == 0) return {STVP_DMA_ERR_ROW_BYTES, field(offsetof(stvp_dma_desc, row_bytes))};
    if (d.rows == 0) return {STVP_DMA_ERR_ROWS, field(offsetof(stvp_dma_desc, rows))};
    if (d.rows > 1 && d.dst_stride < d.row_bytes)
        return {STVP_DMA_ERR_DST_STRIDE, field(offsetof(stvp_dma_desc, dst_stride))};
    // Footprint end (exclusive) must stay within the 32-bit address space: no wrap-around.
    auto end = [&d](uint32_t base, uint32_t stride) {
        return uint64_t(base) + uint64_t(d.rows - 1) * stride + d.row_bytes;
    };
    if (end(d.src, d.src_stride) > (1ull << 32)) return {STVP_DMA_ERR_SRC_RANGE, field(offsetof(stvp_dma_desc, src))};
    if (end(d.dst, d.dst_stride) > (1ull << 32)) return {STVP_DMA_ERR_DST_RANGE, field(offsetof(stvp_dma_desc, dst))};
    if (d.flags & ~STVP_DMA_FLAGS_VALID) return {STVP_DMA_ERR_FLAGS, field(offsetof(stvp_dma_desc, flags))};
    if (d.next % STVP_DMA_DESC_ALIGN) return {STVP_DMA_ERR_NEXT, field(offsetof(stvp_dma_desc, next))};
    return {};
}

Dma::Fault Dma::copy(const stvp_dma_desc& d) {
    for (uint32_t r = 0; r < d.rows; ++r) {
        const uint64_t src = uint64_t(d.src) + uint64_t(r) * d.src_stride;
        const uint64_t dst = uint64_t(d.dst) + uint64_t(r) * d.dst_stride;
        for (uint32_t off = 0; off < d.row_bytes;) {
            const unsigned n = std::min<uint32_t>(cfg_.burst_bytes, d.row_bytes - off);
            if (!bus(tlm::TLM_READ_COMMAND, src + off, buf_.data(), n))
                return {STVP_DMA_ERR_SRC_BUS, static_cast<uint32_t>(src + off)};
            if (!bus(tlm::TLM_WRITE_COMMAND, dst + off, buf_.data(), n))
                return {STVP_DMA_ERR_DST_BUS, static_cast<uint32_t>(dst + off)};
            local_ += transfer_time(n);
            if (local_ > cfg_.quantum) sync_local();
            regs_.value(DMA_BYTES_COPIED) += n;
            stats_.bytes += n;
            ++stats_.bursts;
            off += n;
        }
    }
    return {};
}

}  // namespace stvp
