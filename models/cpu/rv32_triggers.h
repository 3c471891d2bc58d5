// The Sdtrig trigger module (RISC-V debug specification 1.0, chapter 5): tselect, tdata1..3
// and tinfo over kCount triggers of type 6 (mcontrol6).
//
// Supported: address or data (select) match on execute, load and store; match kinds equal,
// NAPOT (both: any byte of the access), >= and < (the access's first byte); modes M and U; action 0 (breakpoint exception) and 1 (enter debug mode,
// which stvp turns into a halt for gdb). Not supported (WARL: written values fall back to
// these): chain = 0, size = 0 (any access size), match kinds 4, 5 and the negated ones,
// hit1/uncertain read 0, tdata3 reads 0.
//
// dmode = 1 triggers belong to the debugger: only a debugger write (the GDB stub through
// Rv32Core::write_csr) may set dmode, and firmware writes to such a trigger are ignored.
// Action 1 needs dmode = 1. So that an action-0 trigger cannot fire again inside its own
// M-mode handler, M-mode triggers with action 0 do not fire while mstatus.MIE = 0 (the
// spec's "MIE" option for native triggers).
#pragma once

#include <cstdint>

namespace stvp {

class Triggers {
public:
    static constexpr unsigned kCount = 4;  // triggers implemented (tselect 0..3)
    // tdata1 bits of mcontrol6 that matter here.
    static constexpr uint32_t kLoad = 1u << 0, kStore = 1u << 1, kExecute = 1u << 2;
    static constexpr uint32_t kU = 1u << 3, kM = 1u << 6;
    static constexpr uint32_t kSelectData = 1u << 21, kHit0 = 1u << 22, kDmode = 1u << 27;
    static constexpr uint32_t kTypeShift = 28, kActionShift = 12, kMatchShift = 7;
    static constexpr uint32_t kTypeMcontrol6 = 6, kTypeDisabled = 15;
    static constexpr uint32_t kDisabled = kTypeDisabled << kTypeShift;  // tdata1 of an unused trigger

    Triggers() { reset(); }
    void reset();

    // tselect (0x7a0), tdata1..3 (0x7a1..0x7a3), tinfo (0x7a4). read() is false for other CSRs.
    bool read(uint32_t csr, uint32_t& v) const;
    // WARL write; `debugger`: written by the external debugger (may set dmode and action 1).
    void write(uint32_t csr, uint32_t v, bool debugger);

    bool any() const { return ops_ != 0; }
    bool any_execute() const { return ops_ & kExecute; }
    bool any_data() const { return ops_ & (kLoad | kStore); }

    // The first trigger that fires for an access of kind `op` (kExecute, kLoad or kStore) at
    // [addr, addr + size) with data `data` (the opcode for execute, the value for a store or
    // a loaded value), or -1. `data_known`: false checks address triggers only (a load before
    // its value is there), true checks data triggers only. machine: in M-mode; mie: mstatus.MIE.
    int match(uint32_t op, uint32_t addr, unsigned size, uint32_t data, bool data_known, bool machine,
              bool mie) const;
    unsigned action(int i) const { return (tdata1_[i] >> kActionShift) & 0xf; }
    void set_hit(int i) { tdata1_[i] |= kHit0; }

    // Debugger helpers (the GDB stub's hardware breakpoints): find a disabled trigger and make
    // it a dmode execute-address trigger with action 1; drop it again.
    int add_debugger_breakpoint(uint32_t pc);  // -1 if every trigger is in use
    bool remove_debugger_breakpoint(uint32_t pc);
    // gdb's watchpoints (Z2..Z4): [addr, addr + len) split into aligned power-of-two blocks,
    // each a dmode address trigger with action 1 on `ops` (kStore, kLoad or both): NAPOT, or
    // equal for a single byte. Like any load/store address trigger they fire before the
    // access. False, with nothing changed, if there are not enough free triggers (or len = 0).
    bool add_debugger_watchpoint(uint32_t addr, uint32_t len, uint32_t ops);
    bool remove_debugger_watchpoint(uint32_t addr, uint32_t len, uint32_t ops);  // false if not all set
    uint32_t tdata1(int i) const { return tdata1_[i]; }
    void remove_debugger_triggers();  // disables every dmode trigger (the debugger left)

private:
    void update();
    // The (tdata2, match kind) of each block of a debugger watchpoint (at most 2 x 32).
    static unsigned watch_blocks(uint32_t addr, uint32_t len, uint32_t (&tdata2)[64], uint32_t (&match)[64]);
    uint32_t watch_tdata1(uint32_t match, uint32_t ops) const;
    static bool value_matches(uint32_t tdata1, uint32_t tdata2, uint32_t lo, unsigned size);

    uint32_t tselect_ = 0;
    uint32_t tdata1_[kCount], tdata2_[kCount];
    uint32_t ops_ = 0;  // union of the enabled triggers' execute/store/load bits
};

}  // namespace stvp
