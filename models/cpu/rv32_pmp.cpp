#include "cpu/rv32_pmp.h"

#include <algorithm>
#include <cstring>

namespace stvp {

void Pmp::reset() {
    std::memset(cfg_, 0, sizeof cfg_);
    std::memset(addr_, 0, sizeof addr_);
    update_regions();
}

uint32_t Pmp::cfg_csr(unsigned n) const {
    uint32_t v = 0;
    for (unsigned k = 0; k < 4; ++k) v |= uint32_t{cfg_[4 * n + k]} << (8 * k);
    return v;
}

void Pmp::write_cfg_csr(unsigned n, uint32_t v) {
    for (unsigned k = 0; k < 4; ++k) {
        const unsigned i = 4 * n + k;
        if (locked(i)) continue;  // locked until reset
        uint8_t c = static_cast<uint8_t>(v >> (8 * k)) & 0x9f;  // bits 6:5 are reserved (read 0)
        if (!(c & kR)) c &= static_cast<uint8_t>(~kW);  // R = 0, W = 1 is reserved
        cfg_[i] = c;
    }
    update_regions();
}

void Pmp::write_addr_csr(unsigned i, uint32_t v) {
    if (locked(i)) return;
    // A locked TOR entry above uses this address as its lower bound: it is locked too.
    if (i + 1 < kEntries && locked(i + 1) && ((cfg_[i + 1] >> 3) & 3) == kTor) return;
    addr_[i] = v;
    update_regions();
}

void Pmp::update_regions() {
    any_locked_ = false;
    for (unsigned i = 0; i < kEntries; ++i) {
        const uint64_t a = uint64_t{addr_[i]} << 2;
        lo_[i] = hi_[i] = 0;
        switch ((cfg_[i] >> 3) & 3) {
        case kOff: break;
        case kTor:
            lo_[i] = i == 0 ? 0 : uint64_t{addr_[i - 1]} << 2;
            hi_[i] = a;  // lo >= hi: matches nothing
            break;
        case kNa4:
            lo_[i] = a;
            hi_[i] = a + 4;
            break;
        case kNapot: {
            // pmpaddr = base/4 with (size/8 - 1) in its low bits: n trailing ones give 2^(n+3) bytes.
            const unsigned ones = addr_[i] == ~0u ? 32u : static_cast<unsigned>(__builtin_ctz(~addr_[i]));
            const uint64_t size = uint64_t{8} << ones;  // ones = 32 (all ones) gives 2^35: the whole 34-bit space
            lo_[i] = a & ~(size - 1);
            hi_[i] = lo_[i] + size;
            break;
        }
        }
        if (locked(i)) any_locked_ = true;
    }
}

bool Pmp::allows(uint32_t addr, unsigned size, uint8_t perm, bool machine) const {
    if (machine && !any_locked_) return true;
    const uint64_t a0 = addr, a1 = a0 + size;
    for (unsigned i = 0; i < kEntries; ++i) {
        if (lo_[i] >= hi_[i] || a1 <= lo_[i] || a0 >= hi_[i]) continue;  // no byte matches
        if (a0 < lo_[i] || a1 > hi_[i]) return false;                   // only some bytes match
        if (machine && !locked(i)) return true;
        return (cfg_[i] & perm) == perm;
    }
    return machine;
}

Pmp::Window Pmp::window(uint32_t addr, uint8_t perm, bool machine) const {
    // Region boundaries are multiples of 4, so an entry matches all of addr's 4-byte granule
    // or none of it. The first entry holding addr decides; entries before it that do not
    // hold addr bound the window on either side (they would decide there).
    uint64_t lo = 0, hi = uint64_t{1} << 32;
    int first = -1;
    for (unsigned i = 0; i < kEntries; ++i) {
        if (lo_[i] >= hi_[i]) continue;
        if (addr >= lo_[i] && addr < hi_[i]) {
            first = static_cast<int>(i);
            lo = std::max(lo, lo_[i]);
            hi = std::min(hi, hi_[i]);
            break;
        }
        if (hi_[i] <= addr) lo = std::max(lo, hi_[i]);
        else hi = std::min(hi, lo_[i]);
    }
    bool allowed;
    if (first < 0) allowed = machine;
    else if (machine && !locked(static_cast<unsigned>(first))) allowed = true;
    else allowed = (cfg_[first] & perm) == perm;
    return {allowed, static_cast<uint32_t>(lo), static_cast<uint32_t>(hi - 1)};
}

}  // namespace stvp
