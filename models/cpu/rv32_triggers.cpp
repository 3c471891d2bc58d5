#include "cpu/rv32_triggers.h"

#include "cpu/rv32_csr.h"

namespace stvp {

namespace {
using csr::kTselect, csr::kTdata1, csr::kTdata2, csr::kTdata3, csr::kTinfo;
// tinfo: version 1 (Sdtrig 1.0) in bits 31:24, supported types 6 and 15 in bits 15:0.
constexpr uint32_t kTinfoValue = (1u << 24) | (1u << 6) | (1u << 15);
uint32_t type_of(uint32_t tdata1) { return tdata1 >> Triggers::kTypeShift; }
}  // namespace

void Triggers::reset() {
    tselect_ = 0;
    for (unsigned i = 0; i < kCount; ++i) tdata1_[i] = kDisabled, tdata2_[i] = 0;
    update();
}

bool Triggers::read(uint32_t csr, uint32_t& v) const {
    switch (csr) {
    case kTselect: v = tselect_; return true;
    case kTdata1: v = tdata1_[tselect_]; return true;
    case kTdata2: v = tdata2_[tselect_]; return true;
    case kTdata3: v = 0; return true;
    case kTinfo: v = kTinfoValue; return true;
    default: return false;
    }
}

void Triggers::write(uint32_t csr, uint32_t v, bool debugger) {
    const unsigned t = tselect_;
    const bool owned_by_debugger = tdata1_[t] & kDmode;
    switch (csr) {
    case kTselect:
        if (v < kCount) tselect_ = v;  // out of range: keeps its value (how debuggers count triggers)
        return;
    case kTdata1: {
        if (owned_by_debugger && !debugger) return;
        const uint32_t dmode = debugger ? (v & kDmode) : 0;
        if (type_of(v) != kTypeMcontrol6) {
            tdata1_[t] = kDisabled | dmode;  // any other type, 0 included, disables the trigger
            break;
        }
        uint32_t action = (v >> kActionShift) & 0xf;
        if (action > 1 || (action == 1 && !dmode)) action = 0;
        uint32_t match = (v >> kMatchShift) & 0xf;
        if (match > 3) match = 0;
        tdata1_[t] = (kTypeMcontrol6 << kTypeShift) | dmode | (v & (kSelectData | kHit0 | kM | kU)) |
                     (action << kActionShift) | (match << kMatchShift) | (v & (kExecute | kStore | kLoad));
        break;
    }
    case kTdata2:
        if (owned_by_debugger && !debugger) return;
        tdata2_[t] = v;
        break;
    default: return;  // tdata3 (reads 0), tinfo (read-only)
    }
    update();
}

void Triggers::update() {
    ops_ = 0;
    for (unsigned i = 0; i < kCount; ++i)
        if (type_of(tdata1_[i]) == kTypeMcontrol6 && (tdata1_[i] & (kM | kU)))
            ops_ |= tdata1_[i] & (kExecute | kStore | kLoad);
}

bool Triggers::value_matches(uint32_t tdata1, uint32_t tdata2, uint32_t lo, unsigned size) {
    switch ((tdata1 >> kMatchShift) & 0xf) {
    case 0: return tdata2 - lo < size;  // equal: any byte of the access (the value itself for data)
    case 1: {  // NAPOT: tdata2's trailing ones mark the ignored low bits; any byte of the access
        const unsigned ones = tdata2 == ~0u ? 32u : static_cast<unsigned>(__builtin_ctz(~tdata2));
        const uint64_t len = 2ull << (ones < 31 ? ones : 31);
        const uint64_t base = tdata2 & ~(len - 1);
        return lo < base + len && base < uint64_t{lo} + size;
    }
    case 2: return lo >= tdata2;
    case 3: return lo < tdata2;
    default: return false;
    }
}

int Triggers::match(uint32_t op, uint32_t addr, unsigned size, uint32_t data, bool data_known, bool machine,
                    bool mie) const {
    if (!(ops_ & op)) return -1;
    for (unsigned i = 0; i < kCount; ++i) {
        const uint32_t t = tdata1_[i];
        if (type_of(t) != kTypeMcontrol6 || !(t & op) || !(t & (machine ? kM : kU))) continue;
        if (machine && !mie && action(static_cast<int>(i)) == 0) continue;
        const bool on_data = t & kSelectData;
        if (on_data != data_known) continue;
        if (on_data ? value_matches(t, tdata2_[i], data, 1) : value_matches(t, tdata2_[i], addr, size))
            return static_cast<int>(i);
    }
    return -1;
}

int Triggers::add_debugger_breakpoint(uint32_t pc) {
    for (unsigned i = 0; i < kCount; ++i) {
        if (type_of(tdata1_[i]) != kTypeDisabled) continue;
        tdata1_[i] = (kTypeMcontrol6 << kTypeShift) | kDmode | (1u << kActionShift) | kM | kU | kExecute;
        tdata2_[i] = pc;
        update();
        return static_cast<int>(i);
    }
    return -1;
}

bool Triggers::remove_debugger_breakpoint(uint32_t pc) {
    for (unsigned i = 0; i < kCount; ++i) {
        const uint32_t t = tdata1_[i];
        if (type_of(t) == kTypeMcontrol6 && (t & kDmode) && (t & kExecute) && tdata2_[i] == pc) {
            tdata1_[i] = kDisabled;
            tdata2_[i] = 0;
            update();
            return true;
        }
    }
    return false;
}

unsigned Triggers::watch_blocks(uint32_t addr, uint32_t len, uint32_t (&tdata2)[64], uint32_t (&match)[64]) {
    unsigned n = 0;
    uint64_t a = addr;
    const uint64_t end = uint64_t{addr} + len;
    while (a < end && a <= 0xFFFFFFFFu) {
        uint64_t block = a ? (a & (~a + 1)) : (1ull << 31);  // the largest alignment of a
        while (block > end - a) block >>= 1;
        if (block > (1ull << 31)) block = 1ull << 31;
        tdata2[n] = static_cast<uint32_t>(block == 1 ? a : a | (block / 2 - 1));
        match[n] = block == 1 ? 0 : 1;  // equal for one byte, else NAPOT
        ++n;
        a += block;
    }
    return n;
}

uint32_t Triggers::watch_tdata1(uint32_t match, uint32_t ops) const {
    return (kTypeMcontrol6 << kTypeShift) | kDmode | (1u << kActionShift) | (match << kMatchShift) | kM | kU |
           (ops & (kLoad | kStore));
}

bool Triggers::add_debugger_watchpoint(uint32_t addr, uint32_t len, uint32_t ops) {
    uint32_t tdata2[64], match[64];
    const unsigned n = watch_blocks(addr, len, tdata2, match);
    unsigned free_count = 0;
    for (unsigned i = 0; i < kCount; ++i) free_count += type_of(tdata1_[i]) == kTypeDisabled;
    if (n == 0 || n > free_count || !(ops & (kLoad | kStore))) return false;
    for (unsigned b = 0, i = 0; b < n; ++i) {
        if (type_of(tdata1_[i]) != kTypeDisabled) continue;
        tdata1_[i] = watch_tdata1(match[b], ops);
        tdata2_[i] = tdata2[b++];
    }
    update();
    return true;
}

bool Triggers::remove_debugger_watchpoint(uint32_t addr, uint32_t len, uint32_t ops) {
    uint32_t tdata2[64], match[64];
    const unsigned n = watch_blocks(addr, len, tdata2, match);
    unsigned removed = 0;
    for (unsigned b = 0; b < n; ++b) {
        const uint32_t want = watch_tdata1(match[b], ops);
        for (unsigned i = 0; i < kCount; ++i) {
            if ((tdata1_[i] & ~kHit0) != want || tdata2_[i] != tdata2[b]) continue;
            tdata1_[i] = kDisabled;
            tdata2_[i] = 0;
            ++removed;
            break;
        }
    }
    update();
    return n > 0 && removed == n;
}

void Triggers::remove_debugger_triggers() {
    for (unsigned i = 0; i < kCount; ++i)
        if (tdata1_[i] & kDmode) tdata1_[i] = kDisabled, tdata2_[i] = 0;
    update();
}

}  // namespace stvp
