#include "soc.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include <algorithm>
#include <cstring>

#include "accel/accel.h"
#include "bus/router.h"
#include "dataset.h"
#include "file_bytes.h"
#include "cpu/cpu.h"
#include "dma/dma.h"
#include "exit_codes.h"
#include "irq/plic.h"
#include "memory/memory.h"
#include "simctrl/simctrl.h"
#include "stvp/hw/memmap.h"
#include "timer/clint.h"
#include "uart/uart.h"

namespace stvp {

namespace {

sc_core::sc_time ns(double v) { return sc_core::sc_time(v, sc_core::SC_NS); }

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v));
    return buf;
}

void write_totals(JsonWriter& j, const AccelOpTotals& t, const AccelConfig& cfg) {
    j.value("ops", t.ops);
    j.value("cycles", t.cycles);
    j.value("overhead_cycles", t.overhead_cycles);
    j.value("macs", t.macs);
    j.value("macs_skipped", t.macs_skipped);
    j.value("dram_bytes", t.dram_bytes);
    j.value("gb_bytes", t.gb_bytes);
    j.value("metadata_bytes", t.metadata_bytes);
    j.value("pruned", t.pruned);
    j.value("nan", t.nan);  // non-finite fp32 outputs (accel.def, health counters)
    j.value("inf", t.inf);
    j.begin_object("energy_pj");
    j.value("pe", t.energy.pe_pj);
    j.value("rf", t.energy.rf_pj);
    j.value("gb", t.energy.gb_pj);
    j.value("dram", t.energy.dram_pj);
    j.value("control", t.energy.control_pj);
    j.value("sparse", t.energy.sparse_pj);
    j.value("total", t.energy.total_pj());
    // The sparse units' share, unit by unit (priced from their action counts; sums to "sparse").
    const accel::sparse::SparseUnitEnergy su = accel::sparse::sparse_unit_energy(t.sparse, cfg.energy, cfg.sparse.energy);
    j.begin_object("sparse_units");
    j.value("decoder", su.decoder_pj);
    j.value("zero_check", su.zero_check_pj);
    j.value("pruner", su.pruner_pj);
    j.value("quantile", su.quantile_pj);
    j.value("load_balancer", su.load_balancer_pj);
    j.value("transposed_pointer", su.pointer_pj);
    j.end_object();
    j.end_object();
}

// The accelerator: chain counts, totals, and per (layer, phase) cycles, MACs, bytes and
// energy by unit (phase names as in accel_desc.h; "idle" holds failed descriptors' fetches).
void write_accel_stats(JsonWriter& j, const Accel& a) {
    const AccelStats& s = a.stats();
    j.begin_object("accel");
    j.value("clock_hz", a.config().array.clock_hz);
    j.value("chains", s.chains);
    j.value("chains_failed", s.chains_failed);
    j.value("descriptors", s.descriptors);
    j.value("commands_rejected", s.commands_rejected);
    j.value("busy_time_ns", s.busy_time.to_seconds() * 1e9);
    j.begin_object("total");
    write_totals(j, s.total, a.config());
    j.end_object();
    j.begin_array("per_layer_phase");
    for (const auto& [key, t] : s.per_layer_phase) {
        j.begin_object();
        j.value("layer", uint64_t(key.first));
        j.value("phase", accel::phase_name(key.second));
        write_totals(j, t, a.config());
        j.end_object();
    }
    j.end_array();
    j.end_object();
}

}  // namespace

struct Soc::Impl {
    const PlatformConfig& cfg;

    // Interrupt wires (named for the VCD).
    sc_core::sc_signal<bool> irq_timer{"irq_mtip"}, irq_software{"irq_msip"}, irq_external{"irq_meip"};
    sc_core::sc_signal<bool> irq_uart{"irq_uart"}, irq_dma{"irq_dma"}, irq_accel{"irq_accel"};
    sc_core::sc_signal<bool> irq_none{"irq_none"};  // ties off unused controller inputs

    Router router;
    Memory dram;
    Clint clint;
    Plic plic;
    Uart uart;
    SimCtrl simctrl;
    Dma dma;
    Accel accel;
    Cpu cpu;

    // Host wall time per SIMCTRL PHASE label, from the firmware's first label on (bench_train
    // reads the training phase's from the stats).
    struct PhaseClock {
        std::map<uint32_t, double> seconds;
        bool running = false;
        uint32_t current = 0;
        std::chrono::steady_clock::time_point since;
        void change(uint32_t label) {
            const auto now = std::chrono::steady_clock::now();
            if (running) seconds[current] += std::chrono::duration<double>(now - since).count();
            running = true;
            current = label;
            since = now;
        }
    } phase_clock;
    // Mask capture (capture.* keys): SIMCTRL STEP names the step, the accelerator records.
    std::unique_ptr<capture::MaskRecorder> recorder;

    uint64_t dataset_bytes = 0;
    std::pair<uint32_t, uint32_t> dataset_samples{0, 0};
    bool stopped = false;
    StopInfo stop{"", 0, ""};
    std::string firmware;
    std::optional<ElfImage> elf;

    // Each model's config starts from its own section's keys (cpu.*, dram.*, ...; declared in
    // the model's *_config.h); what is added here is what a model needs from another section or
    // from the run.
    template <class Config, class Params>
    static Config from_keys(const Params& p) {
        Config m;
        static_cast<Params&>(m) = p;
        return m;
    }
    static SimCtrlConfig simctrl_config(const PlatformConfig& c) {
        SimCtrlConfig s;
        s.capture = !c.capture.masks.empty();
        s.args = firmware_args(c);
        s.workload = workload_registers(c.workload);
        return s;
    }
    // The run's instruction limit (sim.max_instructions) and trace.
    static CpuConfig cpu_config(const PlatformConfig& c, const RunOptions& run) {
        CpuConfig k = from_keys<CpuConfig>(c.cpu);
        k.max_instructions = c.sim.max_instructions;
        k.trace_path = run.itrace_path;
        return k;
    }
    // The DMA decouples with the CPU's quantum (cpu.quantum_ns).
    static DmaConfig dma_config(const PlatformConfig& c) {
        DmaConfig d = from_keys<DmaConfig>(c.dma);
        d.quantum = quantum_of(c.cpu);
        return d;
    }

    Impl(const PlatformConfig& c, const RunOptions& run)
        : cfg(c),
          router("router", RouterConfig::bus(c.bus)),
          dram("dram", MemoryConfig::dram(c.dram, c.memory_map.at("dram").size)),
          clint("clint", from_keys<ClintConfig>(c.clint)),
          plic("plic"),
          uart("uart", from_keys<UartConfig>(c.uart)),
          simctrl("simctrl", simctrl_config(c)),
          dma("dma", dma_config(c)),
          accel("accel", from_keys<AccelConfig>(accel_params(c))),
          cpu("cpu", cpu_config(c, run)) {
        // Targets, in router port order; each mapped at its configured region.
        struct Target {
            const char* region;
            tlm::tlm_target_socket<>& socket;
        };
        Target targets[] = {{"dram", dram.socket},       {"clint", clint.socket}, {"plic", plic.socket},
                            {"uart", uart.socket},       {"simctrl", simctrl.socket},
                            {"dma", dma.socket},         {"accel", accel.socket},
                            {"spad", accel.spad.socket}};
        unsigned port = 0;
        for (auto& t : targets) {
            router.initiator_socket.bind(t.socket);
            const RegionConfig& r = c.memory_map.at(t.region);
            router.add_region(t.region, r.base, r.size, port++);
        }

        cpu.socket.bind(router.target_socket);
        dma.master.bind(router.target_socket);
        accel.master.bind(router.target_socket);

        clint.irq_timer.bind(irq_timer);
        clint.irq_software.bind(irq_software);
        cpu.irq_timer.bind(irq_timer);
        cpu.irq_software.bind(irq_software);
        cpu.irq_external.bind(irq_external);
        plic.irq_external.bind(irq_external);
        uart.irq.bind(irq_uart);
        dma.irq.bind(irq_dma);
        accel.irq.bind(irq_accel);
        for (unsigned i = 0; i < plic.sources.size(); ++i) {
            if (i == STVP_IRQ_UART) plic.sources[i].bind(irq_uart);
            else if (i == STVP_IRQ_DMA) plic.sources[i].bind(irq_dma);
            else if (i == STVP_IRQ_ACCEL) plic.sources[i].bind(irq_accel);
            else plic.sources[i].bind(irq_none);
        }
        cpu.set_time_source([this](const sc_core::sc_time& now) { return clint.mtime_at(now); });

        if (!c.capture.masks.empty()) {
            recorder = std::make_unique<capture::MaskRecorder>(capture_steps(c));
            simctrl.on_step([this](uint32_t step) { recorder->set_step(step); });
            accel.set_mask_recorder(recorder.get());
        }
        simctrl.on_exit([this](int code) {
            finish({"exit", code, "firmware exited with code " + std::to_string(code)});
        });
        cpu.on_halt = [this](HaltReason r, uint32_t pc, const std::string& msg) { on_cpu_halt(r, pc, msg); };
        simctrl.on_phase([this](uint32_t label, const sc_core::sc_time&) { phase_clock.change(label); });
    }

    void finish(StopInfo s) {
        if (stopped) return;
        stopped = true;
        stop = std::move(s);
        cpu.request_stop();
        sc_core::sc_stop();
    }

    std::string where(uint32_t pc) const {
        std::string s = "pc " + hex(pc);
        if (elf) {
            std::string f = elf->symbol_at(pc);
            if (!f.empty()) s += " (in " + f + ")";
        }
        return s;
    }

    void on_cpu_halt(HaltReason r, uint32_t pc, const std::string& msg);

    void on_tohost(uint32_t value) {
        if (value == 0) return;
        if (value & 1) {
            const int code = exit_code::htif_exit_code(value);
            finish({"htif", code,
                    value >> 1 ? "HTIF tohost: test " + std::to_string(value >> 1) + " failed" : "HTIF tohost: pass"});
        } else {
            finish({"htif-unsupported", exit_code::kGuestFatal,
                    "HTIF tohost: syscall proxy request " + hex(value) + " is not supported (only exit codes)"});
        }
    }

    // Copies into host-backed memory before simulation starts (the bus's sockets are only
    // complete after elaboration). The router's map decides where an address lives, so only
    // RAM regions accept firmware and data; anything else is a LoadError naming the address.
    void load_bytes(uint64_t addr, const uint8_t* data, uint64_t len, const std::string& what) {
        for_each_span(addr, len, what, [&](Memory& mem, uint64_t off, uint64_t done, uint64_t n) {
            if (data)
                std::memcpy(mem.data() + off, data + done, n);
            else
                std::memset(mem.data() + off, 0, n);
        });
    }

    // Calls fn(memory, offset in it, offset in the range, bytes) for the pieces of
    // [addr, addr + len), each in one RAM; throws LoadError before calling fn if any part of
    // the range is not writable memory.
    template <class Fn>
    void for_each_span(uint64_t addr, uint64_t len, const std::string& what, Fn fn) {
        for (int pass = 0; pass < 2; ++pass) {  // check everything, then move
            for (uint64_t done = 0; done < len;) {
                uint64_t a = addr + done;
                const RouterRegion* r = router.find_region(a);
                Memory* mem = r ? memory_for(r->name) : nullptr;
                if (!mem)
                    throw LoadError(what + " at " + hex(addr) + ".." + hex(addr + len - 1) +
                                    " is not in writable memory (" + hex(a) + " is " +
                                    (r ? "in '" + r->name + "'" : std::string("unmapped")) + ")");
                uint64_t off = a - r->base;
                if (off >= mem->size())
                    throw LoadError(what + ": " + hex(a) + " lies beyond the end of '" + r->name + "'");
                uint64_t n = std::min(len - done, std::min(r->size, mem->size()) - off);
                if (pass == 1) fn(*mem, off, done, n);
                done += n;
            }
        }
    }

    Memory* memory_for(const std::string& region) {
        if (region == "dram") return &dram;
        if (region == "spad") return &accel.spad;  // preloads may stage data in the scratchpad
        return nullptr;
    }
};

void Soc::Impl::on_cpu_halt(HaltReason r, uint32_t pc, const std::string& msg) {
    switch (r) {
    case HaltReason::InstructionLimit:
        finish({"max-instructions", exit_code::kLimit,
                "instruction limit reached after " + std::to_string(cpu.instructions()) + " instructions at " +
                    where(pc)});
        break;
    case HaltReason::TrapLoop:
        finish({"trap-loop", exit_code::kGuestFatal, "firmware cannot continue: " + msg + " at " + where(pc)});
        break;
    case HaltReason::WfiDeadlock:
        finish({"wfi-deadlock", exit_code::kGuestFatal,
                "firmware waits in WFI at " + where(pc) + " for an interrupt that nothing can raise"});
        break;
    case HaltReason::StopRequested:
        // Either we asked (stop info already set) or a signal did (stop_info() reports it).
        if (!stopped) sc_core::sc_stop();
        break;
    }
}

Soc::Soc(const char*, const PlatformConfig& cfg, const RunOptions& run) : impl_(new Impl(cfg, run)) {
    impl_->firmware = run.firmware;
}

Soc::~Soc() = default;

void Soc::load_firmware(const ElfImage& elf) {
    for (size_t i = 0; i < elf.segments.size(); ++i) {
        const ElfSegment& s = elf.segments[i];
        std::string what = elf.path + ": segment " + std::to_string(i);
        impl_->load_bytes(s.paddr, s.data.data(), s.data.size(), what);
        if (s.memsz > s.data.size())
            impl_->load_bytes(s.paddr + s.data.size(), nullptr, s.memsz - s.data.size(), what + " (zero fill)");
    }
    const RouterRegion* r = impl_->router.find_region(elf.entry);
    if (!r || r->name != "dram")
        throw LoadError(elf.path + ": entry point " + hex(elf.entry) + " is not in DRAM");
    impl_->cpu.set_pc(elf.entry);
    if (auto tohost = elf.symbol("tohost")) {
        const RouterRegion* tr = impl_->router.find_region(*tohost);
        if (!tr || tr->name != "dram")
            throw LoadError(elf.path + ": symbol tohost at " + hex(*tohost) + " is not in DRAM");
        uint64_t off = *tohost - tr->base;
        impl_->dram.watch(off, 8, [this, off](uint64_t word, uint32_t value) {
            if (word == off) impl_->on_tohost(value);
        });
    }
    impl_->elf = elf;
}

void Soc::preload(const PreloadEntry& e) {
    std::vector<uint8_t> bytes;
    const std::string why = read_file_bytes(e.file, "data file", bytes);
    if (!why.empty()) throw LoadError("preload " + e.file + ": " + why);
    if (bytes.empty()) throw LoadError("preload " + e.file + ": data file is empty");
    impl_->load_bytes(e.address, bytes.data(), bytes.size(), "preload " + e.file);
}

void Soc::preload_dataset(const std::function<void(uint64_t done, uint64_t total)>& progress) {
    const auto& ds = impl_->cfg.dataset;
    if (ds.name == "none") return;
    const std::string what = "data set " + ds.name;
    try {
        FashionMnistReader reader(ds.dir, ds.train_limit, ds.test_limit);
        const stvp_dataset_header_t h = reader.layout(uint32_t(ds.address));
        impl_->for_each_span(ds.address, h.end - ds.address, what, [](Memory&, uint64_t, uint64_t, uint64_t) {});
        // Straight into the DRAM's pages, a piece at a time: no host copy of the whole set.
        reader.write(
            uint32_t(ds.address),
            [&](uint64_t addr, const void* data, std::size_t bytes) {
                impl_->load_bytes(addr, static_cast<const uint8_t*>(data), bytes, what);
            },
            progress);
        impl_->dataset_bytes = h.end - ds.address;
        impl_->dataset_samples = {reader.train_count(), reader.test_count()};
    } catch (const DatasetError& e) {
        throw LoadError(what + ": " + e.what());
    }
}

double Soc::cpu_active_host_seconds() const { return impl_->cpu.active_host_seconds(); }

std::map<uint32_t, double> Soc::host_seconds_by_phase() const {
    Impl::PhaseClock c = impl_->phase_clock;
    if (c.running) c.change(c.current);  // the phase still open counts up to now
    return c.seconds;
}

void Soc::request_interrupt() {
    impl_->cpu.request_stop();
}

SocParts Soc::parts() {
    auto& m = *impl_;
    SocParts p;
    p.cpu = &m.cpu;
    p.router = &m.router;
    p.clint = &m.clint;
    p.plic = &m.plic;
    p.uart = &m.uart;
    p.simctrl = &m.simctrl;
    p.dma = &m.dma;
    p.accel = &m.accel;
    p.initiators = {"cpu", "dma", "accel"};  // binding order of router.target_socket above
    p.devices = {{"clint", &m.clint}, {"plic", &m.plic},   {"uart", &m.uart},
                 {"simctrl", &m.simctrl}, {"dma", &m.dma}, {"accel", &m.accel}};
    p.irq_lines = {{"mtip", &m.irq_timer}, {"msip", &m.irq_software}, {"meip", &m.irq_external},
                   {"uart", &m.irq_uart},  {"dma", &m.irq_dma},       {"accel", &m.irq_accel}};
    p.plic_sources = {{"uart", STVP_IRQ_UART}, {"dma", STVP_IRQ_DMA}, {"accel", STVP_IRQ_ACCEL}};
    // The NAN_COUNT / INF_COUNT registers' values (since reset or the last SOFT_RESET).
    Accel* accel = &m.accel;
    p.accel_nonfinite = [accel](uint64_t& nan, uint64_t& inf) {
        nan = accel->nan_count();
        inf = accel->inf_count();
        return true;
    };
    return p;
}

void Soc::finish(const StopInfo& stop) { impl_->finish(stop); }

std::string Soc::where(uint32_t pc) const { return impl_->where(pc); }

StopInfo Soc::stop_info() const {
    auto& m = *impl_;
    if (m.stopped) return m.stop;
    if (m.cpu.halted() && m.cpu.halt_reason() == HaltReason::StopRequested)
        return {"interrupted", exit_code::kInterrupted, "interrupted at " + m.where(m.cpu.pc())};
    if (m.cfg.sim.max_time_ns && sc_core::sc_time_stamp() >= ns(double(m.cfg.sim.max_time_ns)))
        return {"max-time", exit_code::kLimit, "simulated time limit reached at " + m.where(m.cpu.pc())};
    return {"deadlock", exit_code::kGuestFatal,
            "simulation ran out of events with the CPU at " + m.where(m.cpu.pc())};
}

uint64_t Soc::instructions() const { return impl_->cpu.instructions(); }

std::string Soc::write_masks(std::string* warning) const {
    const capture::MaskRecorder* r = impl_->recorder.get();
    if (!r) return "";
    const std::string& path = impl_->cfg.capture.masks;
    if (!r->error().empty()) return "capture.masks " + path + " not written: " + r->error();
    const std::vector<uint32_t> missing = r->missing_steps();
    if (!missing.empty() && warning) {
        *warning = "capture.steps never reached (nothing recorded):";
        for (uint32_t s : missing) *warning += " " + std::to_string(s);
        *warning += r->file().records.empty() ? " (did the firmware write SIMCTRL STEP?)" : "";
    }
    try {
        capture::write_mask_file(path, r->file());
    } catch (const capture::MaskFileError& e) {
        return e.what();
    }
    return "";
}

void Soc::write_stats(JsonWriter& j) const {
    auto& m = *impl_;
    j.begin_object("cpu");
    j.value("instructions", m.cpu.instructions());
    j.value("cycles", m.cpu.cycles());
    j.value("pc", hex(m.cpu.pc()));
    j.end_object();
    j.begin_object("dram");
    const auto& ds = m.dram.stats();
    j.value("reads", ds.reads);
    j.value("writes", ds.writes);
    j.value("bytes_read", ds.bytes_read);
    j.value("bytes_written", ds.bytes_written);
    j.value("errors", ds.errors);
    j.end_object();
    j.begin_object("bus");
    j.value("decode_errors", m.router.decode_errors());
    for (auto& r : m.router.regions()) j.value(r.name + "_transactions", m.router.transactions(r.name));
    j.end_object();
    j.begin_object("uart");
    j.value("bytes_transmitted", m.uart.bytes_transmitted());
    j.value("bytes_dropped", m.uart.bytes_dropped());
    j.end_object();
    j.begin_object("dma");
    j.value("bytes_copied", m.dma.stats().bytes);
    j.value("descriptors", m.dma.stats().descriptors);
    j.end_object();
    if (m.cfg.dataset.name != "none") {
        j.begin_object("dataset");
        j.value("name", m.cfg.dataset.name);
        j.value("train_samples", uint64_t(m.dataset_samples.first));
        j.value("test_samples", uint64_t(m.dataset_samples.second));
        j.value("bytes", m.dataset_bytes);
        j.end_object();
    }
    write_accel_stats(j, m.accel);
    j.begin_array("markers");
    for (auto& mk : m.simctrl.markers()) {
        j.begin_object();
        j.value("value", uint64_t(mk.value));
        j.value("time_ns", mk.time.to_seconds() * 1e9);
        j.end_object();
    }
    j.end_array();
}

}  // namespace stvp
