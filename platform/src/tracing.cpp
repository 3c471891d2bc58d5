#include "tracing.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "accel/accel.h"
#include "bus/router.h"
#include "cpu/cpu.h"
#include "dma/dma.h"
#include "simctrl/simctrl.h"
#include "stvp/hw/regs.h"

namespace stvp {

namespace {

template <class T>
uint64_t to_u64(const T& v) {
    if constexpr (std::is_same_v<T, bool>)
        return v ? 1 : 0;
    else
        return static_cast<uint64_t>(v);
}

}  // namespace

SocTracer::SocTracer(const SocParts& parts, SocEvents& events, const SocTraceOptions& options)
    : parts_(parts), vcd_(std::make_unique<VcdWriter>(options.path, options.vcd)) {
    vcd_->set_horizon([this] { return horizon(); });
    // Collect first: spawning the probes adds objects to the hierarchy being walked.
    const std::vector<sc_core::sc_object*> tops = sc_core::sc_get_top_level_objects();
    for (sc_core::sc_object* top : tops) discover(top);
    for (auto& [obj, name] : found_) probe_signal(obj, name);
    found_.clear();

    // Values the models do not keep as signals.
    if (parts_.cpu) {
        pc_ = vcd_->add("soc.cpu.pc", VcdWriter::Kind::Vector, 32);
        if (pc_ >= 0) {
            vcd_->initial(pc_, parts_.cpu->pc());
            parts_.cpu->on_pc_sample([this](uint32_t pc, const sc_core::sc_time& t) { vcd_->change(pc_, pc, t); },
                                     options.pc_every_slice);
        }
    }
    bus_errors_ = vcd_->add("soc.bus.errors", VcdWriter::Kind::Vector, 32);
    bus_error_addr_ = vcd_->add("soc.bus.error_addr", VcdWriter::Kind::Vector, 32);
    if (parts_.dma) {
        dma_desc_ = vcd_->add("soc.dma.desc", VcdWriter::Kind::Vector, 32);
        dma_bytes_ = vcd_->add("soc.dma.bytes", VcdWriter::Kind::Vector, 64);
        dma_descs_ = vcd_->add("soc.dma.descriptors", VcdWriter::Kind::Vector, 32);
    }
    if (parts_.uart) uart_tx_ = vcd_->add("soc.uart.txdata", VcdWriter::Kind::Vector, 8);
    if (parts_.simctrl) marker_ = vcd_->add("soc.simctrl.marker", VcdWriter::Kind::Vector, 32);
    if (parts_.accel) {
        accel_desc_ = vcd_->add("soc.accel.desc", VcdWriter::Kind::Vector, 32);
        accel_ops_ = vcd_->add("soc.accel.ops", VcdWriter::Kind::Vector, 32);
        zero_skip_ = vcd_->add("soc.accel.units.zero_skip", VcdWriter::Kind::Real);
        gb_util_ = vcd_->add("soc.accel.units.gb_utilisation", VcdWriter::Kind::Real);
        vector_rate_ = vcd_->add("soc.accel.units.vector_ops_per_cycle", VcdWriter::Kind::Real);
        decoder_rate_ = vcd_->add("soc.accel.units.decoder", VcdWriter::Kind::Real);
        zero_check_rate_ = vcd_->add("soc.accel.units.zero_check", VcdWriter::Kind::Real);
        pruner_rate_ = vcd_->add("soc.accel.units.pruner", VcdWriter::Kind::Real);
        quantile_rate_ = vcd_->add("soc.accel.units.quantile", VcdWriter::Kind::Real);
        balancer_rate_ = vcd_->add("soc.accel.units.load_balancer", VcdWriter::Kind::Real);
    }
    for (std::size_t i = 0; i < parts_.initiators.size(); ++i) {
        if (parts_.initiators[i] == "dma") dma_initiator_ = int(i);
        if (parts_.initiators[i] == "accel") accel_initiator_ = int(i);
    }
    attach_router();
    attach_events(events);
}

SocTracer::~SocTracer() = default;

sc_core::sc_time SocTracer::horizon() const { return std::min(sc_core::sc_time_stamp(), hold_); }

// "irq_mtip" -> "soc.irq.mtip"; "cpu.state" -> "soc.cpu.state".
std::string SocTracer::vcd_name(const std::string& sc_name) const {
    if (sc_name.rfind("irq_", 0) == 0 && sc_name.find('.') == std::string::npos) return "soc.irq." + sc_name.substr(4);
    return "soc." + sc_name;
}

void SocTracer::discover(sc_core::sc_object* obj) {
    const std::string name = obj->name();
    if (std::strcmp(obj->kind(), "sc_signal") == 0) {
        // Tie-offs are constant by construction: leave them out.
        const bool tie = name == "irq_none" || name.find(".ties_") != std::string::npos;
        if (!tie) found_.emplace_back(obj, vcd_name(name));
    }
    for (sc_core::sc_object* child : obj->get_child_objects()) discover(child);
}

bool SocTracer::probe_signal(sc_core::sc_object* obj, const std::string& name) {
    if (auto* s = dynamic_cast<sc_core::sc_signal_in_if<bool>*>(obj)) return probe(*s, name), true;
    if (auto* s = dynamic_cast<sc_core::sc_signal_in_if<int>*>(obj)) return probe(*s, name), true;
    if (auto* s = dynamic_cast<sc_core::sc_signal_in_if<unsigned>*>(obj)) return probe(*s, name), true;
    if (auto* s = dynamic_cast<sc_core::sc_signal_in_if<uint64_t>*>(obj)) return probe(*s, name), true;
    if (auto* s = dynamic_cast<sc_core::sc_signal_in_if<double>*>(obj)) return probe(*s, name), true;
    return false;
}

template <class T>
void SocTracer::probe(const sc_core::sc_signal_in_if<T>& sig, const std::string& name) {
    constexpr bool real = std::is_floating_point_v<T>;
    constexpr bool wire = std::is_same_v<T, bool>;
    const int id = vcd_->add(name, real ? VcdWriter::Kind::Real : wire ? VcdWriter::Kind::Wire : VcdWriter::Kind::Vector,
                             wire ? 1 : 8 * sizeof(T));
    const bool gate = parts_.simctrl && static_cast<const void*>(&sig) ==
                                            static_cast<const void*>(&parts_.simctrl->trace_enable);
    const bool opcode = parts_.accel && static_cast<const void*>(&sig) == static_cast<const void*>(&parts_.accel->opcode());
    if (id < 0 && !gate && !opcode) return;
    if constexpr (real)
        vcd_->initial_real(id, sig.read());
    else
        vcd_->initial(id, to_u64(sig.read()));
    sc_core::sc_spawn_options o;
    o.spawn_method();
    o.dont_initialize();
    o.set_sensitivity(&sig.value_changed_event());
    sc_core::sc_spawn(
        [this, id, &sig, gate, opcode] {
            const sc_core::sc_time now = sc_core::sc_time_stamp();
            if constexpr (real) {
                vcd_->change_real(id, sig.read(), now);
                (void)gate, (void)opcode;  // both name integer signals only
            } else {
                vcd_->change(id, to_u64(sig.read()), now);
                if (gate) vcd_->gate(to_u64(sig.read()) != 0, now);
                if (opcode) hold_ = to_u64(sig.read()) ? now : sc_core::sc_max_time();
            }
        },
        sc_core::sc_gen_unique_name("vcd_probe"), &o);
    if (gate && !sig.read()) vcd_->gate(false, sc_core::SC_ZERO_TIME);
}

void SocTracer::attach_router() {
    if (!parts_.router) return;
    const bool want = bus_errors_ >= 0 || bus_error_addr_ >= 0 || dma_desc_ >= 0 || dma_bytes_ >= 0 ||
                      uart_tx_ >= 0 || accel_desc_ >= 0;
    if (!want) return;
    parts_.router->add_observer([this](int initiator, const tlm::tlm_generic_payload& t, const RouterRegion* region,
                                       const sc_core::sc_time& start, const sc_core::sc_time&) {
        const sc_core::sc_time& at = start;
        if (!t.is_response_ok()) {
            vcd_->change(bus_errors_, ++errors_, at);
            vcd_->change(bus_error_addr_, t.get_address(), at);
        }
        if (initiator == dma_initiator_ && parts_.dma) {
            const uint32_t d = parts_.dma->registers().value(DMA_CUR_DESC);
            if (d != last_dma_desc_) vcd_->change(dma_desc_, last_dma_desc_ = d, at);
            if (t.is_write() && t.is_response_ok()) vcd_->change(dma_bytes_, dma_written_ += t.get_data_length(), at);
        } else if (initiator == accel_initiator_ && parts_.accel) {
            const uint32_t d = parts_.accel->registers().value(ACCEL_CUR_DESC);
            if (d != last_accel_desc_) vcd_->change(accel_desc_, last_accel_desc_ = d, at);
        }
        if (uart_tx_ >= 0 && region && region->name == "uart" && t.is_write() && t.is_response_ok() &&
            t.get_address() - region->base == UART_TXDATA)
            vcd_->change(uart_tx_, t.get_data_ptr()[0], at);
    });
}

void SocTracer::attach_events(SocEvents& events) {
    if (dma_descs_ >= 0)
        events.on_descriptor([this](const DmaDescriptorEvent& e) {
            if (e.fetched && !e.error) vcd_->change(dma_descs_, ++dma_done_, e.end);
        });
    if (marker_ >= 0)
        events.on_marker([this](uint32_t v, const sc_core::sc_time& t) { vcd_->change(marker_, v, t); });
    const std::vector<int> units = {zero_skip_,       gb_util_,      vector_rate_,  decoder_rate_,
                                    zero_check_rate_, pruner_rate_, quantile_rate_, balancer_rate_};
    bool any_unit = false;
    for (int id : units) any_unit = any_unit || id >= 0;
    if (parts_.accel && (accel_ops_ >= 0 || any_unit)) {
        const double hz = parts_.accel->config().array.clock_hz;
        const double gb_port = double(parts_.accel->config().array.gb_bytes_per_cycle);
        events.on_op([this, hz, gb_port, units](const AccelOpRecord& r) {
            if (r.cost.ops == 0) return;  // failed: nothing executed
            vcd_->change(accel_ops_, ++accel_done_, r.end);
            const sc_core::sc_time span(double(r.cost.cycles) / hz, sc_core::SC_SEC);
            const sc_core::sc_time begin = r.end > span ? r.end - span : sc_core::SC_ZERO_TIME;
            const double cycles = r.cost.cycles ? double(r.cost.cycles) : 1.0;
            const double considered = double(r.cost.macs + r.cost.macs_skipped);
            const auto& c = r.cost.counts;
            vcd_->change_real(zero_skip_, considered > 0 ? double(r.cost.macs_skipped) / considered : 0.0, begin);
            vcd_->change_real(gb_util_, double(c.gb_read_bytes + c.gb_write_bytes) / (cycles * gb_port), begin);
            vcd_->change_real(vector_rate_, double(c.vector_op) / cycles, begin);
            const auto& sp = r.cost.sparse;
            vcd_->change_real(decoder_rate_, double(sp.decoded_units) / cycles, begin);
            vcd_->change_real(zero_check_rate_, double(sp.zero_checks) / cycles, begin);
            vcd_->change_real(pruner_rate_, double(sp.pruner_ops) / cycles, begin);
            vcd_->change_real(quantile_rate_, double(sp.quantile_ops) / cycles, begin);
            vcd_->change_real(balancer_rate_, double(sp.lb_entries) / cycles, begin);
            for (int id : units) vcd_->change_real(id, 0.0, r.end);
        });
    }
}

void SocTracer::close() { vcd_->close(sc_core::sc_time_stamp()); }

}  // namespace stvp
