#include "accel/engine/engine.h"

#include <cstring>

namespace stvp::accel {

namespace {

// NaN and Inf among n fp32 values: an all-ones exponent is non-finite, a non-zero mantissa
// then makes it a NaN. One pass of integer compares over memory the op just wrote.
void count_fp32(const uint8_t* p, uint64_t n, uint64_t& nan, uint64_t& inf) {
    uint64_t nonfinite = 0, nans = 0;
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t b;
        std::memcpy(&b, p + 4 * i, 4);
        const bool nf = (b & 0x7F800000u) == 0x7F800000u;
        nonfinite += nf;
        nans += nf & ((b & 0x007FFFFFu) != 0);
    }
    nan += nans;
    inf += nonfinite - nans;
}

// The dense W operand (src1) an op names, if any (the X or dY of ops without weights: the
// on_execute callback looks only at FC/CONV forward ops' weights).
const float* weights_of(const Command& c) {
    const Operand* o = c.operand(STVP_ACCEL_FIELD_SRC1);
    return o ? reinterpret_cast<const float*>(o->host) : nullptr;
}

}  // namespace

uint32_t HostMemoryView::resolve(Operand& op) {
    for (const MemoryRegion& r : regions_) {
        if (op.address < r.base || op.address - r.base >= r.size) continue;
        if (op.address - r.base + op.bytes > r.size) return STVP_ACCEL_ERR_CAPACITY;
        op.host = r.bytes + (op.address - r.base);
        op.in_scratchpad = r.scratchpad;
        return STVP_ACCEL_ERR_NONE;
    }
    return STVP_ACCEL_ERR_ADDRESS;
}

uint8_t* HostMemoryView::find(uint32_t address, uint64_t bytes) const {
    for (const MemoryRegion& r : regions_)
        if (address >= r.base && address - r.base < r.size)
            return address - r.base + bytes <= r.size ? r.bytes + (address - r.base) : nullptr;
    return nullptr;
}

void count_nonfinite(const Command& cmd, uint64_t& nan, uint64_t& inf) {
    const uint32_t op = cmd.desc.opcode;
    for (const Operand& o : cmd.operands) {
        if (!o.is_output() || !o.host) continue;
        uint64_t words = 0;
        if (o.field == STVP_ACCEL_FIELD_DST0 && op != STVP_ACCEL_OP_COPY)
            words = o.bytes / 4;
        else if (o.field == STVP_ACCEL_FIELD_DST1 &&
                 (op == STVP_ACCEL_OP_FC_BWD_WEIGHT || op == STVP_ACCEL_OP_CONV_BWD_WEIGHT))
            words = o.bytes / 4;
        else if (o.field == STVP_ACCEL_FIELD_DST1 && op == STVP_ACCEL_OP_SOFTMAX_XENT)
            words = 1;
        count_fp32(o.host, words, nan, inf);
    }
}

Engine::Engine(const EngineConfig& cfg) : cfg_(cfg), timing_(cfg.array), sparse_(cfg.sparse) {}

OpResult Engine::run(const stvp_accel_desc& d, MemoryResolver& mem) {
    OpResult r;
    Command cmd;
    if ((r.error = decode(d, cmd))) return r;
    if ((r.error = bind(cmd, mem))) return r;
    r.bound = true;
    r.opcode = d.opcode;
    r.phase = cmd.phase;
    // The copy an op reads is checked (and decoded) before any output is written.
    if ((r.error = sparse_.check(cmd))) return r;
    const float* w = d.format == STVP_ACCEL_FORMAT_DENSE ? weights_of(cmd) : sparse_.decoded_weights();
    if (on_execute_) on_execute_(cmd, w);
    const OpHandler& h = *op_handler(d.opcode);  // decode() accepted the opcode: it has a row
    const OpArgs args{cmd, w, sparse_};
    OpWork work;
    // The core validates before it writes, so a decoder/core disagreement (which decode() and
    // bind() are built to rule out) leaves the outputs untouched.
    if (!h.execute(args, work).empty()) {
        r.error = {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_NONE, 0};
        return r;
    }
    r.pruned = work.pruned;
    if (!cfg_.execute_only) {
        const OpCharge charge = h.cost(args, work, timing_);
        r.cost = charge.op;
        r.sparse = charge.extra;
        if (is_sparse(cmd)) r.sparse_pj = sparse::sparse_unit_energy(r.sparse, cfg_.energy, cfg_.sparse.energy).total_pj();
        count_nonfinite(cmd, r.nan, r.inf);
    }
    return r;
}

// Runs one descriptor of a chain at c.index; false (and c.error set) if it failed.
bool Engine::chain_step(ChainResult& c, const stvp_accel_desc& d, MemoryResolver& mem) {
    c.ops.push_back(run(d, mem));
    const OpResult& r = c.ops.back();
    if (r.error) {
        c.error = r.error;
        return false;
    }
    c.total += r.cost;
    ++c.done;
    return true;
}

ChainResult Engine::run_chain(const stvp_accel_desc* descs, uint32_t count, MemoryResolver& mem) {
    ChainResult c;
    for (c.index = 0; c.index < count; ++c.index)
        if (!chain_step(c, descs[c.index], mem)) return c;
    c.index = 0;
    return c;
}

ChainResult Engine::run_chain(uint32_t base, uint32_t count, const HostMemoryView& mem, uint32_t max_chain) {
    ChainResult c;
    if (base == 0 || base % STVP_ACCEL_DESC_ALIGN) {
        c.error = {STVP_ACCEL_ERR_DESC_BASE, STVP_ACCEL_FIELD_NONE, base};
        return c;
    }
    if (count == 0 || count > max_chain) {
        c.error = {STVP_ACCEL_ERR_DESC_COUNT, STVP_ACCEL_FIELD_NONE, count};
        return c;
    }
    HostMemoryView view = mem;  // resolve() is not const
    for (c.index = 0; c.index < count; ++c.index) {
        // A descriptor past the end of the 32-bit space or of memory is a fetch error.
        const uint64_t addr = uint64_t(base) + uint64_t(c.index) * STVP_ACCEL_DESC_SIZE;
        const uint8_t* raw = addr + STVP_ACCEL_DESC_SIZE <= (uint64_t{1} << 32)
                                 ? view.find(uint32_t(addr), STVP_ACCEL_DESC_SIZE)
                                 : nullptr;
        if (!raw) {
            c.error = {STVP_ACCEL_ERR_DESC_FETCH, STVP_ACCEL_FIELD_NONE, uint32_t(addr)};
            return c;
        }
        stvp_accel_desc d;
        std::memcpy(&d, raw, sizeof d);
        if (!chain_step(c, d, view)) return c;
    }
    c.index = 0;
    return c;
}

}  // namespace stvp::accel
