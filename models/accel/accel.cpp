#include "accel/accel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace stvp {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

std::string AccelConfig::validate() const {
    // The array's problems carry its struct's name here (its keys sit at the top of accel.*).
    if (std::string e = array.validate(); !e.empty()) return "array." + e;
    return problem().text();
}

void AccelOpTotals::add(const AccelOpTotals& o) {
    ops += o.ops;
    cycles += o.cycles;
    overhead_cycles += o.overhead_cycles;
    macs += o.macs;
    macs_skipped += o.macs_skipped;
    dram_bytes += o.dram_bytes;
    gb_bytes += o.gb_bytes;
    counts += o.counts;
    energy += o.energy;
    metadata_bytes += o.metadata_bytes;
    pruned += o.pruned;
    nan += o.nan;
    inf += o.inf;
    sparse_pj += o.sparse_pj;
    sparse.decoded_units += o.sparse.decoded_units;
    sparse.zero_checks += o.sparse.zero_checks;
    sparse.metadata_dram_bytes += o.sparse.metadata_dram_bytes;
    sparse.metadata_gb_bytes += o.sparse.metadata_gb_bytes;
    sparse.transposed_pointer_reads += o.sparse.transposed_pointer_reads;
    sparse.pruner_ops += o.sparse.pruner_ops;
    sparse.quantile_ops += o.sparse.quantile_ops;
    sparse.lb_entries += o.sparse.lb_entries;
}

namespace {

// EnergyTable::descriptor_fetch_pj prices a 64-byte descriptor read.
constexpr uint64_t kDescriptorFetchUnits = STVP_ACCEL_DESC_SIZE / 64;

MemoryConfig spad_config(const AccelConfig& c) {
    MemoryConfig m;
    m.size = c.spad_bytes >= 4 ? c.spad_bytes : 4;  // validate() reports a bad size after construction
    m.read_latency = m.write_latency = sc_core::sc_time(double(c.spad_latency_ns), sc_core::SC_NS);
    m.bandwidth = double(c.array.gb_bytes_per_cycle) * c.array.clock_hz;
    return m;
}

std::string hex(uint32_t v) {
    std::ostringstream o;
    o << "0x" << std::hex << std::setw(8) << std::setfill('0') << v;
    return o.str();
}

}  // namespace

// Operand tensors as host memory: DMI ranges granted through `master`, cached until the bus
// invalidates them.
class Accel::Resolver : public accel::MemoryResolver {
public:
    explicit Resolver(Accel& a) : a_(a) {}
    uint32_t resolve(accel::Operand& op) override {
        const uint64_t addr = op.address;
        const bool write = op.is_output();
        const tlm::tlm_dmi* d = find(addr, write);
        if (!d) {
            tlm::tlm_generic_payload gp;
            gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            gp.set_address(addr);
            tlm::tlm_dmi dmi;
            if (!a_.master->get_direct_mem_ptr(gp, dmi) || !usable(dmi, addr, write)) return STVP_ACCEL_ERR_ADDRESS;
            a_.dmi_.push_back(dmi);
            d = &a_.dmi_.back();
        }
        if (addr + op.bytes - 1 > d->get_end_address()) return STVP_ACCEL_ERR_CAPACITY;
        op.host = d->get_dmi_ptr() + (addr - d->get_start_address());
        const uint8_t* spad = a_.spad.data();
        op.in_scratchpad = op.host >= spad && op.host < spad + a_.spad.size();
        return STVP_ACCEL_ERR_NONE;
    }

private:
    static bool usable(const tlm::tlm_dmi& d, uint64_t addr, bool write) {
        return d.get_dmi_ptr() && addr >= d.get_start_address() && addr <= d.get_end_address() &&
               d.is_read_allowed() && (!write || d.is_write_allowed());
    }
    const tlm::tlm_dmi* find(uint64_t addr, bool write) const {
        for (const tlm::tlm_dmi& d : a_.dmi_)
            if (usable(d, addr, write)) return &d;
        return nullptr;
    }
    Accel& a_;
};

Accel::Accel(sc_core::sc_module_name name, const AccelConfig& cfg)
    : RegisterDevice(name, regmaps::accel, cfg.reg_latency),
      master("master"),
      irq("irq"),
      spad("spad", spad_config(cfg)),
      cfg_(cfg),
      engine_(accel::EngineConfig{cfg.array, cfg.energy, cfg.sparse}),
      energy_(cfg.energy),
      busy_("busy"),
      opcode_("opcode"),
      phase_("phase"),
      layer_("layer"),
      pe_util_("pe_utilisation"),
      dram_util_("dram_utilisation"),
      gb_occupancy_("gb_occupancy") {
    if (auto err = cfg_.validate(); !err.empty()) throw std::invalid_argument(std::string(this->name()) + ": " + err);

    master.register_invalidate_direct_mem_ptr(this, &Accel::invalidate);
    engine_.on_execute([this](const accel::Command& cmd, const float* w) {
        if (recorder_) record_masks(cmd, w);
    });
    set_identification();
    set_sparse_registers();

    regs_.on_write(ACCEL_CTRL, [this](unsigned, uint32_t v) { return write_ctrl(v); });
    regs_.on_write(ACCEL_DESC_BASE, [this](unsigned, uint32_t v) { return write_config(ACCEL_DESC_BASE, v); });
    regs_.on_write(ACCEL_DESC_COUNT, [this](unsigned, uint32_t v) { return write_config(ACCEL_DESC_COUNT, v); });
    regs_.on_write(ACCEL_INT_STATUS, [this](unsigned, uint32_t v) {
        regs_.value(ACCEL_INT_STATUS) &= ~v;
        irq_ev_.notify(cpu_offset());
        return true;
    });
    regs_.on_write(ACCEL_INT_ENABLE, [this](unsigned, uint32_t v) {
        regs_.value(ACCEL_INT_ENABLE) =
            v & (ACCEL_INT_ENABLE_DONE_MASK | ACCEL_INT_ENABLE_ERROR_MASK | ACCEL_INT_ENABLE_DESC_MASK |
                 ACCEL_INT_ENABLE_NONFINITE_MASK);
        irq_ev_.notify(cpu_offset());
        return true;
    });
    // State the processor changes is read at the CPU's true time (the CPU may run ahead of
    // the kernel under temporal decoupling), so a polling loop sees BUSY fall when it does.
    for (uint32_t off : {uint32_t(ACCEL_STATUS), uint32_t(ACCEL_INT_STATUS), uint32_t(ACCEL_CUR_DESC),
                         uint32_t(ACCEL_DESCS_DONE), uint32_t(ACCEL_ERR_CODE), uint32_t(ACCEL_ERR_DESC),
                         uint32_t(ACCEL_ERR_FIELD), uint32_t(ACCEL_ERR_VALUE), uint32_t(ACCEL_CMD_REJECTED),
                         uint32_t(ACCEL_OPS_DONE), uint32_t(ACCEL_NONFINITE_DESC)})
        regs_.on_read(off, [this, off](unsigned) { return read_synced(off); });
    // 64-bit counters: reading _LO latches the counter, _HI returns the latched upper half.
    const std::pair<uint32_t, const uint64_t*> counters[] = {
        {ACCEL_CYCLES_LO, &counters_.cycles},         {ACCEL_MACS_LO, &counters_.macs},
        {ACCEL_MACS_SKIPPED_LO, &counters_.macs_skipped}, {ACCEL_DRAM_BYTES_LO, &counters_.dram_bytes},
        {ACCEL_GB_BYTES_LO, &counters_.gb_bytes},     {ACCEL_PRUNED_LO, &counters_.pruned},
        {ACCEL_META_BYTES_LO, &counters_.meta_bytes}, {ACCEL_NAN_COUNT_LO, &counters_.nan},
        {ACCEL_INF_COUNT_LO, &counters_.inf}};
    for (const auto& [lo, ptr] : counters) {
        const uint32_t hi = lo + 4;
        const uint64_t* p = ptr;
        regs_.on_read(lo, [this, hi, p](unsigned) {
            sync();
            latched_hi_[hi] = uint32_t(*p >> 32);
            return uint32_t(*p);
        });
        regs_.on_read(hi, [this, hi](unsigned) { return latched_hi_[hi]; });
    }
    regs_.on_read(ACCEL_ENERGY_PJ_LO, [this](unsigned) {
        sync();
        const uint64_t pj = static_cast<uint64_t>(counters_.energy_pj);
        latched_hi_[ACCEL_ENERGY_PJ_HI] = uint32_t(pj >> 32);
        return uint32_t(pj);
    });
    regs_.on_read(ACCEL_ENERGY_PJ_HI, [this](unsigned) { return latched_hi_[ACCEL_ENERGY_PJ_HI]; });

    SC_HAS_PROCESS(Accel);
    SC_THREAD(processor);
    SC_METHOD(update_irq);
    sensitive << irq_ev_;
    dont_initialize();
}

void Accel::set_identification() {
    const accel::ArrayConfig& a = cfg_.array;
    regs_.value(ACCEL_CAPS) = ACCEL_CAPS_FP32_MASK | ACCEL_CAPS_SCRATCHPAD_MASK | ACCEL_CAPS_SPARSE_MASK |
                              (a.double_buffering ? uint32_t(ACCEL_CAPS_DOUBLE_BUFFER_MASK) : 0u);
    regs_.value(ACCEL_OPS) = accel::supported_opcodes();
    regs_.value(ACCEL_FORMATS) = accel::supported_formats();
    regs_.value(ACCEL_ARRAY) = (a.rows << ACCEL_ARRAY_ROWS_SHIFT) | (a.cols << ACCEL_ARRAY_COLS_SHIFT);
    regs_.value(ACCEL_MACS_PER_PE) = a.macs_per_pe;
    regs_.value(ACCEL_RF_BYTES) = a.rf_bytes;
    regs_.value(ACCEL_GB_BYTES) = a.gb_bytes;
    regs_.value(ACCEL_SPAD_BYTES) = static_cast<uint32_t>(cfg_.spad_bytes);
    regs_.value(ACCEL_CLOCK_KHZ) = static_cast<uint32_t>(std::lround(a.clock_hz / 1e3));
    regs_.value(ACCEL_MAX_CHAIN) = cfg_.max_chain;
}

bool Accel::busy_now() const { return regs_.value(ACCEL_STATUS) & ACCEL_STATUS_BUSY_MASK; }

uint32_t Accel::read_synced(uint32_t offset) {
    sync();
    return regs_.value(offset);
}

// A chain running at kernel time may have ended by the CPU's local time (temporal
// decoupling): then the CPU waits for its own time (sync) before the busy check, so a control
// write is rejected only if the accelerator is busy at the time of the write. An idle
// accelerator cannot become busy without a CPU write, so an idle write never waits.
bool Accel::busy_at_access() {
    if (!busy_now()) return false;
    sync();
    return busy_now();
}

// CTRL is a command register: a write acts on its set bits and stores nothing.
bool Accel::write_ctrl(uint32_t v) {
    const uint32_t cmds = v & (ACCEL_CTRL_START_MASK | ACCEL_CTRL_SOFT_RESET_MASK);
    if (!cmds) return true;
    if (busy_at_access()) {
        // Ignored rather than refused with an error response: the running chain is not
        // disturbed, the CPU takes no fault, and the driver sees CMD_REJECTED.
        ++regs_.value(ACCEL_CMD_REJECTED);
        ++stats_.commands_rejected;
        return true;
    }
    if (cmds & ACCEL_CTRL_SOFT_RESET_MASK) soft_reset();
    if (cmds & ACCEL_CTRL_START_MASK) start_chain();
    return true;
}

bool Accel::write_config(uint32_t offset, uint32_t v) {
    if (busy_at_access()) {
        ++regs_.value(ACCEL_CMD_REJECTED);
        ++stats_.commands_rejected;
        return true;
    }
    regs_.value(offset) = v;
    return true;
}

// Resets the state but keeps the configuration (INT_ENABLE, DESC_BASE, DESC_COUNT).
void Accel::soft_reset() {
    const uint32_t enable = regs_.value(ACCEL_INT_ENABLE);
    const uint32_t base = regs_.value(ACCEL_DESC_BASE);
    const uint32_t count = regs_.value(ACCEL_DESC_COUNT);
    regs_.reset();
    set_identification();
    regs_.value(ACCEL_INT_ENABLE) = enable;
    regs_.value(ACCEL_DESC_BASE) = base;
    regs_.value(ACCEL_DESC_COUNT) = count;
    counters_ = Counters{};
    latched_hi_.clear();
    engine_.reset();
    set_sparse_registers();
    irq_ev_.notify(cpu_offset());
}

// TRACKED and QUANTILE_EST mirror the sparse engine's state.
void Accel::set_sparse_registers() {
    regs_.value(ACCEL_TRACKED) = engine_.tracked_this_step();
    const float est = engine_.quantile_estimate();
    uint32_t bits;
    std::memcpy(&bits, &est, 4);
    regs_.value(ACCEL_QUANTILE_EST) = bits;
}

void Accel::start_chain() {
    base_ = regs_.value(ACCEL_DESC_BASE);
    count_ = regs_.value(ACCEL_DESC_COUNT);
    regs_.value(ACCEL_STATUS) = ACCEL_STATUS_BUSY_MASK;
    for (uint32_t off : {uint32_t(ACCEL_CUR_DESC), uint32_t(ACCEL_DESCS_DONE), uint32_t(ACCEL_ERR_CODE),
                         uint32_t(ACCEL_ERR_DESC), uint32_t(ACCEL_ERR_FIELD), uint32_t(ACCEL_ERR_VALUE)})
        regs_.value(off) = 0;
    regs_.value(ACCEL_NONFINITE_DESC) = 0xFFFFFFFFu;
    // The doorbell must not block the CPU: the processor starts at the CPU's local time.
    start_ev_.notify(cpu_offset());
}

void Accel::update_irq() {
    irq.write((regs_.value(ACCEL_INT_STATUS) & regs_.value(ACCEL_INT_ENABLE)) != 0);
}

sc_time Accel::cycles(uint64_t n) const { return sc_time(double(n) / cfg_.array.clock_hz, sc_core::SC_SEC); }

uint64_t Accel::to_cycles(const sc_time& t) const {
    const double c = t.to_seconds() * cfg_.array.clock_hz;
    return c <= 0 ? 0 : static_cast<uint64_t>(std::ceil(c - 1e-6));
}

void Accel::invalidate(sc_dt::uint64 start, sc_dt::uint64 end) {
    std::vector<tlm::tlm_dmi> keep;
    for (const tlm::tlm_dmi& d : dmi_)
        if (d.get_end_address() < start || d.get_start_address() > end) keep.push_back(d);
    dmi_.swap(keep);
}

void Accel::processor() {
    for (;;) {
        wait(start_ev_);
        const sc_time t0 = sc_core::sc_time_stamp();
        busy_.write(true);
        ++stats_.chains;

        uint32_t failing = 0;
        const accel::CommandError e = run_chain(base_, count_, failing);

        uint32_t& status = regs_.value(ACCEL_STATUS);
        if (!e) {
            status = ACCEL_STATUS_DONE_MASK;
            regs_.value(ACCEL_INT_STATUS) |= ACCEL_INT_STATUS_DONE_MASK;
        } else {
            status = ACCEL_STATUS_ERROR_MASK;
            regs_.value(ACCEL_INT_STATUS) |= ACCEL_INT_STATUS_ERROR_MASK;
            regs_.value(ACCEL_ERR_CODE) = e.code;
            regs_.value(ACCEL_ERR_DESC) = failing;
            regs_.value(ACCEL_ERR_FIELD) = e.field;
            regs_.value(ACCEL_ERR_VALUE) = e.value;
            ++stats_.chains_failed;
            SC_REPORT_WARNING(name(), (std::string("chain stopped at descriptor ") + std::to_string(failing) + ": " +
                                       accel::error_name(e.code) + " (ERR_CODE " + std::to_string(e.code) +
                                       ", field " + accel::field_name(e.field) + ", value " + hex(e.value) + ")")
                                          .c_str());
        }
        irq_ev_.notify(SC_ZERO_TIME);
        stats_.busy_time += sc_core::sc_time_stamp() - t0;
        busy_.write(false);
        done_ev_.notify();
    }
}

accel::CommandError Accel::run_chain(uint32_t base, uint32_t count, uint32_t& failing) {
    failing = 0;
    if (base == 0 || base % STVP_ACCEL_DESC_ALIGN) return {STVP_ACCEL_ERR_DESC_BASE, STVP_ACCEL_FIELD_NONE, base};
    if (count == 0 || count > cfg_.max_chain) return {STVP_ACCEL_ERR_DESC_COUNT, STVP_ACCEL_FIELD_NONE, count};

    Resolver resolver(*this);
    for (uint32_t i = 0; i < count; ++i) {
        failing = i;
        regs_.value(ACCEL_CUR_DESC) = i;
        AccelOpRecord rec;
        rec.index = i;
        rec.address = static_cast<uint32_t>(uint64_t(base) + uint64_t(i) * STVP_ACCEL_DESC_SIZE);
        rec.start = sc_core::sc_time_stamp();
        auto fail = [&](accel::CommandError e) {
            rec.error = e;
            rec.end = sc_core::sc_time_stamp();
            account(rec);
            return e;
        };

        // 1. Fetch (a descriptor past the end of the 32-bit space is a fetch error).
        const uint64_t addr = uint64_t(base) + uint64_t(i) * STVP_ACCEL_DESC_SIZE;
        uint8_t raw[STVP_ACCEL_DESC_SIZE];
        tlm::tlm_generic_payload gp;
        gp.set_command(tlm::TLM_READ_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(raw);
        gp.set_data_length(sizeof raw);
        gp.set_streaming_width(sizeof raw);
        gp.set_byte_enable_ptr(nullptr);
        gp.set_dmi_allowed(false);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time delay = SC_ZERO_TIME;
        if (addr + STVP_ACCEL_DESC_SIZE <= (1ull << 32)) master->b_transport(gp, delay);
        const uint64_t fetch_cycles = to_cycles(delay);
        if (!gp.is_response_ok()) {
            wait(cycles(fetch_cycles));
            rec.cost.overhead_cycles = fetch_cycles;
            return fail({STVP_ACCEL_ERR_DESC_FETCH, STVP_ACCEL_FIELD_NONE, rec.address});
        }
        std::memcpy(&rec.desc, raw, sizeof raw);  // the bus is little-endian like the host
        rec.fetched = true;
        rec.layer = rec.desc.layer;
        rec.cost.counts.descriptor_fetch = kDescriptorFetchUnits;
        rec.cost.overhead_cycles = fetch_cycles + cfg_.decode_cycles;

        // 2. Decode, resolve and execute at the end of the fetch and decode time (DMI pointers
        //    are used at once, before any other process can invalidate them): the engine
        //    checks every field, then computes the outputs and the op's cost.
        wait(cycles(rec.cost.overhead_cycles));
        const accel::OpResult r = engine_.run(rec.desc, resolver);
        if (r.bound) {
            rec.opcode = rec.desc.opcode;
            rec.phase = r.phase;
        }
        if (r.error) return fail(r.error);
        set_sparse_registers();  // TRACKED, QUANTILE_EST: only sparse ops change them
        const accel::OpCost& c = r.cost;
        rec.cost.metadata_bytes = r.sparse.metadata_dram_bytes;
        rec.cost.pruned = r.pruned;
        rec.cost.sparse_pj = r.sparse_pj;
        rec.cost.sparse = r.sparse;
        rec.cost.nan = r.nan;
        rec.cost.inf = r.inf;
        rec.cost.ops = 1;
        rec.cost.cycles = c.cycles;
        rec.cost.macs = c.macs;
        rec.cost.macs_skipped = c.macs_skipped;
        rec.cost.dram_bytes = c.counts.dram_read_bytes + c.counts.dram_write_bytes;
        rec.cost.gb_bytes = c.counts.gb_read_bytes + c.counts.gb_write_bytes;
        rec.cost.counts += c.counts;

        layer_.write(rec.layer);
        opcode_.write(rec.opcode);
        phase_.write(rec.phase);
        const double slots = double(c.cycles) * double(cfg_.array.pes()) * cfg_.array.macs_per_pe;
        pe_util_.write(slots > 0 ? double(c.macs) / slots : 0.0);
        dram_util_.write(c.cycles ? double(c.dram_cycles) / double(c.cycles) : 0.0);
        gb_occupancy_.write(static_cast<uint32_t>(std::min<uint64_t>(c.gb_bytes_in_use, UINT32_MAX)));
        wait(cycles(c.cycles));
        opcode_.write(0);
        phase_.write(STVP_ACCEL_PHASE_IDLE);
        pe_util_.write(0.0);
        dram_util_.write(0.0);
        gb_occupancy_.write(0);

        rec.end = sc_core::sc_time_stamp();
        account(rec);
        ++regs_.value(ACCEL_DESCS_DONE);
        ++regs_.value(ACCEL_OPS_DONE);
        ++stats_.descriptors;
        if (rec.desc.flags & STVP_ACCEL_FLAG_IRQ) {
            regs_.value(ACCEL_INT_STATUS) |= ACCEL_INT_STATUS_DESC_MASK;
            irq_ev_.notify(SC_ZERO_TIME);
        }
        if (rec.cost.nan + rec.cost.inf) {
            if (regs_.value(ACCEL_NONFINITE_DESC) == 0xFFFFFFFFu) regs_.value(ACCEL_NONFINITE_DESC) = i;
            regs_.value(ACCEL_INT_STATUS) |= ACCEL_INT_STATUS_NONFINITE_MASK;
            irq_ev_.notify(SC_ZERO_TIME);
        }
    }
    return {};
}

// The operands an FC/CONV forward or weight-gradient op reads, as the recorder wants them: the
// weights as the op uses them (a sparse copy decoded by the engine, pruned weights zero).
void Accel::record_masks(const accel::Command& cmd, const float* w) { recorder_->record(cmd, w); }

// Prices the record's counts, adds it to the counters and the stats, and reports it.
void Accel::account(AccelOpRecord& rec) {
    const uint32_t stats_layer = rec.layer < AccelStats::kLayers ? rec.layer : AccelStats::kOtherLayers;
    const std::string layer_label =
        stats_layer == AccelStats::kOtherLayers ? std::string("layer_other") : "layer" + std::to_string(rec.layer);
    rec.cost.energy =
        energy_.add(layer_label + "." + accel::phase_name(rec.phase), rec.cost.counts, rec.cost.sparse_pj);
    rec.seq = seq_;
    if (rec.cost.ops) ++seq_;
    counters_.cycles += rec.cost.overhead_cycles + rec.cost.cycles;
    counters_.macs += rec.cost.macs;
    counters_.macs_skipped += rec.cost.macs_skipped;
    counters_.dram_bytes += rec.cost.dram_bytes;
    counters_.gb_bytes += rec.cost.gb_bytes;
    counters_.energy_pj += rec.cost.energy.total_pj();  // sparse units included
    counters_.pruned += rec.cost.pruned;
    counters_.meta_bytes += rec.cost.metadata_bytes;
    counters_.nan += rec.cost.nan;
    counters_.inf += rec.cost.inf;
    stats_.total.add(rec.cost);
    stats_.per_layer_phase[{stats_layer, rec.phase}].add(rec.cost);
    if (on_op_) on_op_(rec);
}

}  // namespace stvp
