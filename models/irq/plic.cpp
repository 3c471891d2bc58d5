#include "plic.h"

namespace stvp {

Plic::Plic(sc_core::sc_module_name name, const PlicConfig& cfg)
    : RegisterDevice(name, regmaps::plic, cfg.access_latency),
      sources("sources", kSources),
      irq_external("irq_external"),
      ties_("ties", kSources) {
    // Every side effect happens at true time (sync() first): a claim must see the lines as
    // they are at the access, and the interrupt output must not change before it.
    regs_.on_write(PLIC_PRIORITY, [this](unsigned i, uint32_t v) {
        sync();
        regs_.value(PLIC_PRIORITY, i) = i == 0 ? 0u : (v & PLIC_PRIORITY_LEVEL_MASK);  // source 0 is hardwired
        request_update();
        return true;
    });
    regs_.on_read(PLIC_PENDING, [this](unsigned) {
        sync();
        return pending();
    });
    regs_.on_write(PLIC_ENABLE, [this](unsigned, uint32_t v) {
        sync();
        regs_.value(PLIC_ENABLE) = v & ~1u;  // source 0 does not exist
        request_update();
        return true;
    });
    regs_.on_write(PLIC_THRESHOLD, [this](unsigned, uint32_t v) {
        sync();
        regs_.value(PLIC_THRESHOLD) = v & PLIC_THRESHOLD_LEVEL_MASK;
        request_update();
        return true;
    });
    regs_.on_read(PLIC_CLAIM, [this](unsigned) {
        sync();
        return claim();
    });
    regs_.on_write(PLIC_CLAIM, [this](unsigned, uint32_t v) {
        sync();
        complete(v);
        return true;
    });

    SC_METHOD(update);
    for (auto& s : sources) sensitive << s;
    sensitive << update_ev_;
}

void Plic::before_end_of_elaboration() {
    for (unsigned i = 0; i < kSources; ++i)
        if (sources[i].bind_count() == 0) sources[i].bind(ties_[i]);
}

uint32_t Plic::pending() const {
    uint32_t lines = 0;
    for (unsigned i = 1; i < kSources; ++i)
        if (sources[i].read()) lines |= 1u << i;
    return lines & ~in_service_;
}

unsigned Plic::best() const {
    const uint32_t cand = pending() & regs_.value(PLIC_ENABLE);
    const uint32_t threshold = regs_.value(PLIC_THRESHOLD);
    unsigned id = 0;
    uint32_t prio = threshold;  // must be strictly above the threshold
    for (unsigned i = 1; i < kSources; ++i) {
        if (!(cand & (1u << i))) continue;
        const uint32_t p = regs_.value(PLIC_PRIORITY, i);
        if (p > prio) {  // strict: the lowest id wins ties
            prio = p;
            id = i;
        }
    }
    return id;
}

uint32_t Plic::claim() {
    const unsigned id = best();
    if (id != 0) {
        in_service_ |= 1u << id;
        ++claims_;
        request_update();
    }
    return id;
}

void Plic::complete(uint32_t id) {
    if (id == 0 || id >= kSources || !(in_service_ & (1u << id))) return;  // not claimed: ignored
    in_service_ &= ~(1u << id);
    request_update();
}

void Plic::request_update() { update_ev_.notify(sc_core::SC_ZERO_TIME); }

void Plic::update() {
    regs_.value(PLIC_PENDING) = pending();  // for debug reads
    irq_external.write(best() != 0);
}

}  // namespace stvp
