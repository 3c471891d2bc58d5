// Physical memory protection (privileged spec 1.12, section 3.7): 16 entries, pmpcfg0..3 and
// pmpaddr0..15, address matching OFF/TOR/NA4/NAPOT, the lock bit, granularity 4 bytes (G = 0).
//
// Pure register state and checks: the core asks allows() for an access and window() for the
// range around a pc in which every fetch has the same outcome (so it checks fetches only when
// the pc leaves that range).
#pragma once

#include <cstdint>

namespace stvp {

class Pmp {
public:
    static constexpr unsigned kEntries = 16;
    // pmpcfg permission bits, also used as the kind of access in allows()/window().
    static constexpr uint8_t kR = 1, kW = 2, kX = 4;
    static constexpr uint8_t kLock = 0x80;
    enum Mode : uint8_t { kOff = 0, kTor = 1, kNa4 = 2, kNapot = 3 };  // pmpcfg.A

    Pmp() { reset(); }
    void reset();  // every entry OFF and unlocked, addresses 0

    // CSR views: pmpcfg<n> (n < 4) packs entries 4n..4n+3, one byte each; pmpaddr<i> holds
    // bits 33:2 of an address. Writes are WARL: locked entries ignore them (and so does
    // pmpaddr<i-1> under a locked TOR entry i), R = 0 with W = 1 (reserved) clears W, the
    // reserved bits 6:5 read 0.
    uint32_t cfg_csr(unsigned n) const;
    void write_cfg_csr(unsigned n, uint32_t v);
    uint32_t addr_csr(unsigned i) const { return addr_[i]; }
    void write_addr_csr(unsigned i, uint32_t v);

    uint8_t cfg(unsigned i) const { return cfg_[i]; }
    bool any_locked() const { return any_locked_; }

    // May an access of `size` bytes at `addr` of kind `perm` (kR, kW or kX) go ahead? The
    // lowest-numbered entry that matches any byte decides; it must match every byte. No match:
    // allowed for M-mode, denied for U-mode. M-mode is checked against locked entries only.
    bool allows(uint32_t addr, unsigned size, uint8_t perm, bool machine) const;

    // The largest range [lo, hi] (inclusive) around addr in which the outcome of an access of
    // kind `perm` is the same as at addr. `allowed` is that outcome.
    struct Window {
        bool allowed;
        uint32_t lo, hi;
    };
    Window window(uint32_t addr, uint8_t perm, bool machine) const;

private:
    void update_regions();
    bool locked(unsigned i) const { return cfg_[i] & kLock; }

    uint8_t cfg_[kEntries];
    uint32_t addr_[kEntries];
    uint64_t lo_[kEntries], hi_[kEntries];  // region of entry i: [lo, hi) in bytes (34-bit); empty if lo >= hi
    bool any_locked_ = false;
};

}  // namespace stvp
