#include "accel/engine/command.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <utility>

#include "stvp/hw/accel_names.h"

namespace stvp::accel {

namespace {

constexpr uint32_t bit(uint32_t field) { return 1u << (field / 4); }

constexpr uint32_t kHeaderFields =
    bit(STVP_ACCEL_FIELD_OPCODE) | bit(STVP_ACCEL_FIELD_FLAGS) | bit(STVP_ACCEL_FIELD_LAYER) | bit(STVP_ACCEL_FIELD_FORMAT);
constexpr uint32_t kFcFields = bit(STVP_ACCEL_FIELD_N) | bit(STVP_ACCEL_FIELD_C) | bit(STVP_ACCEL_FIELD_K);
constexpr uint32_t kPoolFields = bit(STVP_ACCEL_FIELD_N) | bit(STVP_ACCEL_FIELD_C) | bit(STVP_ACCEL_FIELD_H) |
                                 bit(STVP_ACCEL_FIELD_W) | bit(STVP_ACCEL_FIELD_R) | bit(STVP_ACCEL_FIELD_S) |
                                 bit(STVP_ACCEL_FIELD_STRIDE_H) | bit(STVP_ACCEL_FIELD_STRIDE_W);
constexpr uint32_t kConvFields =
    kPoolFields | bit(STVP_ACCEL_FIELD_K) | bit(STVP_ACCEL_FIELD_PAD_H) | bit(STVP_ACCEL_FIELD_PAD_W);
constexpr uint32_t kXentFields = bit(STVP_ACCEL_FIELD_N) | bit(STVP_ACCEL_FIELD_K);
constexpr uint32_t kSgdFields = bit(STVP_ACCEL_FIELD_N) | bit(STVP_ACCEL_FIELD_ALPHA) | bit(STVP_ACCEL_FIELD_BETA);
constexpr uint32_t kCopyFields = bit(STVP_ACCEL_FIELD_N);
constexpr uint32_t kWeightFields =
    bit(STVP_ACCEL_FIELD_K) | bit(STVP_ACCEL_FIELD_C) | bit(STVP_ACCEL_FIELD_R) | bit(STVP_ACCEL_FIELD_S);

// The shape an op reads (accel_ops.def, KIND). WEIGHTS: a layer's W[K][C][R][S] named by k, c,
// r, s (sparse ops); PRUNE: n elements.
enum class Kind : uint8_t { FC, CONV, POOL, XENT, SGD, COPY, WEIGHTS, PRUNE };

// Which weight formats an operand slot belongs to (accel_ops.def, FORMATS).
enum class SlotFormats : uint8_t { ANY, DENSE, SPARSE };

// One operand slot of an opcode (accel_ops.def, STVP_ACCEL_SLOT).
struct Slot {
    uint32_t opcode;
    uint32_t field;
    OperandAccess access;
    uint32_t needs_flag;  // 0 = always used
    SlotFormats formats;

    bool used(const stvp_accel_desc& d) const {
        if (needs_flag && !(d.flags & needs_flag)) return false;
        if (formats == SlotFormats::DENSE) return d.format == STVP_ACCEL_FORMAT_DENSE;
        if (formats == SlotFormats::SPARSE) return d.format != STVP_ACCEL_FORMAT_DENSE;
        return true;
    }
};

constexpr OperandAccess R = OperandAccess::Read, W = OperandAccess::Write, RW = OperandAccess::ReadWrite;

constexpr Slot kSlots[] = {
#define STVP_ACCEL_SLOT(op, field, access, flag, formats, role) \
    {STVP_ACCEL_OP_##op, STVP_ACCEL_FIELD_##field, access, flag, SlotFormats::formats},
#include "stvp/hw/accel_ops.def"
};

// One opcode of the dispatch table (accel_ops.def, STVP_ACCEL_OP).
struct OpSpec {
    uint32_t opcode;
    const char* name;
    Kind kind;
    uint32_t phase;
    uint32_t flags;         // accepted flags
    uint32_t formats;       // accepted formats, bit per STVP_ACCEL_FORMAT_*
    uint32_t extra_fields;  // scalar / parameter fields always used (bit per word)
};

constexpr OpSpec kOps[] = {
#define STVP_ACCEL_OP(name, value, phase, kind, flags, formats, uses) \
    {STVP_ACCEL_OP_##name, #name, Kind::kind, STVP_ACCEL_PHASE_##phase, flags, formats, uses},
#include "stvp/hw/accel_ops.def"
};

constexpr uint32_t kParams = STVP_ACCEL_USES(PARAM0) | STVP_ACCEL_USES(PARAM1);
constexpr uint32_t kAlpha = STVP_ACCEL_USES(ALPHA), kBeta = STVP_ACCEL_USES(BETA);

const OpSpec* find_spec(uint32_t opcode) {
    for (const OpSpec& s : kOps)
        if (s.opcode == opcode) return &s;
    return nullptr;
}

uint32_t word(const stvp_accel_desc& d, uint32_t field) {
    uint32_t v;
    std::memcpy(&v, reinterpret_cast<const uint8_t*>(&d) + field, 4);
    return v;
}

uint32_t shape_mask(Kind k) {
    switch (k) {
        case Kind::FC: return kFcFields;
        case Kind::CONV: return kConvFields;
        case Kind::POOL: return kPoolFields;
        case Kind::XENT: return kXentFields;
        case Kind::SGD: return kSgdFields;
        case Kind::COPY: return kCopyFields;
        case Kind::WEIGHTS: return kWeightFields;
        case Kind::PRUNE: return bit(STVP_ACCEL_FIELD_N);
    }
    return 0;
}

// The descriptor field a core shape check is about. A tensor that is too large is reported on
// its first shape field (X[N].., W[K].., Y[N]..).
uint32_t field_of(ShapeField f) {
    switch (f) {
        case ShapeField::None: break;
        case ShapeField::Batch: return STVP_ACCEL_FIELD_N;
        case ShapeField::InChannels: return STVP_ACCEL_FIELD_C;
        case ShapeField::InH: return STVP_ACCEL_FIELD_H;
        case ShapeField::InW: return STVP_ACCEL_FIELD_W;
        case ShapeField::OutChannels: return STVP_ACCEL_FIELD_K;
        case ShapeField::KernelH: return STVP_ACCEL_FIELD_R;
        case ShapeField::KernelW: return STVP_ACCEL_FIELD_S;
        case ShapeField::StrideH: return STVP_ACCEL_FIELD_STRIDE_H;
        case ShapeField::StrideW: return STVP_ACCEL_FIELD_STRIDE_W;
        case ShapeField::PadH: return STVP_ACCEL_FIELD_PAD_H;
        case ShapeField::PadW: return STVP_ACCEL_FIELD_PAD_W;
        case ShapeField::Input:
        case ShapeField::Output: return STVP_ACCEL_FIELD_N;
        case ShapeField::Weight: return STVP_ACCEL_FIELD_K;
    }
    return STVP_ACCEL_FIELD_N;
}

CommandError shape_error(const stvp_accel_desc& d, const ShapeError& e) {
    if (!e) return {};
    const uint32_t f = field_of(e.field);
    return {STVP_ACCEL_ERR_SHAPE, f, word(d, f)};
}

// Product of the factors, or UINT64_MAX if it does not fit in 64 bits: no field value can
// make a size or a work count wrap.
uint64_t checked_product(std::initializer_list<uint64_t> factors) {
    uint64_t p = 1;
    for (uint64_t f : factors)
        if (__builtin_mul_overflow(p, f, &p)) return UINT64_MAX;
    return p;
}

// The work bound (accel_desc.h, STVP_ACCEL_MAX_MACS): an op asking for more multiply-
// accumulates (or pooling compares) would cost the host minutes for one descriptor; it is
// refused on the batch field, the one the firmware splits.
CommandError work_error(const stvp_accel_desc& d, uint64_t macs) {
    if (macs <= STVP_ACCEL_MAX_MACS) return {};
    return {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, d.n};
}

// Fills the shape of the command's kind and validates it with the core's rules.
CommandError decode_shape(Command& c, Kind kind) {
    const stvp_accel_desc& d = c.desc;
    switch (kind) {
        case Kind::FC:
            c.fc = FcShape{d.n, d.c, d.k};
            if (CommandError e = shape_error(d, check(c.fc))) return e;
            return work_error(d, checked_product({d.n, d.c, d.k}));
        case Kind::CONV: {
            c.conv = Conv2dShape{d.n, d.c, d.h, d.w, d.k, d.r, d.s, d.stride_h, d.stride_w, d.pad_h, d.pad_w};
            if (CommandError e = shape_error(d, check(c.conv))) return e;
            // Every phase does one MAC per (output pixel, input channel, tap).
            const Conv2dShape& v = c.conv;
            return work_error(d, checked_product({d.n, d.k, v.out_h(), v.out_w(), d.c, d.r, d.s}));
        }
        case Kind::POOL: {
            c.pool = Pool2dShape{d.n, d.c, d.h, d.w, d.r, d.s, d.stride_h, d.stride_w};
            if (CommandError e = shape_error(d, check(c.pool))) return e;
            const Pool2dShape& v = c.pool;
            return work_error(d, checked_product({d.n, d.c, v.out_h(), v.out_w(), d.r, d.s}));
        }
        case Kind::XENT:
            c.xent = SoftmaxXentShape{d.n, d.k};
            return shape_error(d, check(c.xent));
        case Kind::SGD:
            c.sgd = SgdShape{d.n};
            return shape_error(d, check(c.sgd));
        case Kind::COPY:
            if (d.n == 0 || d.n % 4) return {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, d.n};
            if (d.flags & STVP_ACCEL_FLAG_MIRROR) {  // rows of w words, each reversed
                if (d.w == 0) return {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_W, 0};
                if (d.n % (uint64_t{4} * d.w)) return {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, d.n};
            }
            return {};
        case Kind::WEIGHTS:
            for (uint32_t f : {STVP_ACCEL_FIELD_K, STVP_ACCEL_FIELD_C, STVP_ACCEL_FIELD_R, STVP_ACCEL_FIELD_S})
                if (word(d, f) == 0) return {STVP_ACCEL_ERR_SHAPE, f, 0};
            if (checked_product({d.k, d.c, d.r, d.s}) > uint64_t{1} << 31)
                return {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_K, d.k};
            return {};
        case Kind::PRUNE:
            if (d.n == 0 || d.n > 1u << 31) return {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_N, d.n};
            return {};
    }
    return {};
}

// The block copy's limits (accel_desc.h, BLOCK COPY): 20-bit pointers, a kernel per 64-bit mask.
CommandError block_shape_error(const stvp_accel_desc& d, uint64_t K, uint64_t C, uint64_t R, uint64_t S) {
    if (K * C * R * S > STVP_ACCEL_BLOCK_MAX_VALUES) return {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_K, d.k};
    if (R * S > 64) return {STVP_ACCEL_ERR_SHAPE, STVP_ACCEL_FIELD_R, d.r};
    return {};
}

}  // namespace

WeightDims weight_dims(const Command& c) {
    const stvp_accel_desc& d = c.desc;
    switch (d.opcode) {
        case STVP_ACCEL_OP_FC_FWD:
        case STVP_ACCEL_OP_FC_BWD_DATA:
        case STVP_ACCEL_OP_FC_BWD_WEIGHT: return {d.k, d.c, 1, 1};
        case STVP_ACCEL_OP_CONV_FWD:
        case STVP_ACCEL_OP_CONV_BWD_DATA:
        case STVP_ACCEL_OP_CONV_BWD_WEIGHT:
        case STVP_ACCEL_OP_INIT_WEIGHTS:
        case STVP_ACCEL_OP_DROPBACK:
        case STVP_ACCEL_OP_NM_PREGEN: return {d.k, d.c, d.r, d.s};
    }
    return {};
}

// The sizes are accel_desc.h's (BLOCK COPY, N:M COPY), the macros the firmware sizes its
// buffers with, here in 64-bit arithmetic (the shape is checked, the product is not).
uint64_t block_count(const WeightDims& w) { return STVP_ACCEL_BLOCK_COUNT(w.k, w.c, w.r, w.s); }

uint64_t block_copy_bytes(const WeightDims& w) { return STVP_ACCEL_BLOCK_BYTES(w.k, w.c, w.r, w.s); }

// N:M copy: lines = K (forward) or C (backward), groups of m along the other axis.
uint64_t nm_slots(const WeightDims& w, bool backward, uint32_t n, uint32_t m) {
    if (m == 0) return 0;
    const uint64_t lines = backward ? w.c : w.k, len = backward ? w.k : w.c;
    return STVP_ACCEL_NM_SLOTS(lines, w.r * w.s, len, uint64_t{n}, uint64_t{m});
}

uint64_t nm_copy_bytes(const WeightDims& w, bool backward, uint32_t n, uint32_t m) {
    if (m == 0) return 0;
    const uint64_t lines = backward ? w.c : w.k, len = backward ? w.k : w.c;
    return STVP_ACCEL_NM_BYTES(lines, w.r * w.s, len, uint64_t{n}, uint64_t{m});
}

namespace {

// Bytes of the tensor in `field` for a decoded command (shape already valid).
uint64_t operand_bytes(const Command& c, Kind kind, uint32_t field) {
    const uint32_t op = c.desc.opcode;
    auto f4 = [](int64_t elements) { return 4 * static_cast<uint64_t>(elements); };
    switch (kind) {
        case Kind::FC:
        case Kind::CONV: {
            const bool fc = kind == Kind::FC;
            const int64_t x = fc ? c.fc.x_elements() : c.conv.x_elements();
            const int64_t w = fc ? c.fc.w_elements() : c.conv.w_elements();
            const int64_t y = fc ? c.fc.y_elements() : c.conv.y_elements();
            const int64_t k = fc ? c.fc.out_features : c.conv.out_channels;
            const bool fwd = op == STVP_ACCEL_OP_FC_FWD || op == STVP_ACCEL_OP_CONV_FWD;
            const bool data = op == STVP_ACCEL_OP_FC_BWD_DATA || op == STVP_ACCEL_OP_CONV_BWD_DATA;
            switch (field) {
                case STVP_ACCEL_FIELD_SRC0: return f4(fwd ? x : y);           // X or dY
                case STVP_ACCEL_FIELD_SRC1: return f4(fwd || data ? w : x);   // W, W, X
                case STVP_ACCEL_FIELD_SRC2: return f4(fwd ? k : x);           // b or saved X
                case STVP_ACCEL_FIELD_DST0: return f4(fwd ? y : data ? x : w);  // Y, dX, dW
                case STVP_ACCEL_FIELD_DST1: return f4(k);                     // db
                case STVP_ACCEL_FIELD_META0:                                    // sparse W copy
                    return c.desc.format == STVP_ACCEL_FORMAT_BLOCK
                               ? block_copy_bytes(weight_dims(c))
                               : nm_copy_bytes(weight_dims(c), data, c.desc.param0, c.desc.param1);
            }
            break;
        }
        case Kind::POOL:
            switch (field) {
                case STVP_ACCEL_FIELD_SRC0: return f4(c.pool.x_elements());
                case STVP_ACCEL_FIELD_SRC1: return f4(c.pool.y_elements());  // dY
                case STVP_ACCEL_FIELD_DST0:
                    return f4(op == STVP_ACCEL_OP_MAXPOOL_FWD ? c.pool.y_elements() : c.pool.x_elements());
            }
            break;
        case Kind::XENT:
            switch (field) {
                case STVP_ACCEL_FIELD_SRC0:
                case STVP_ACCEL_FIELD_DST0: return f4(c.xent.elements());
                case STVP_ACCEL_FIELD_SRC1: return f4(c.xent.batch);
                case STVP_ACCEL_FIELD_DST1: return sizeof(stvp_accel_xent_result);
            }
            break;
        case Kind::SGD: return f4(c.sgd.count);
        case Kind::COPY: return c.desc.n;
        case Kind::WEIGHTS: {
            const WeightDims wd = weight_dims(c);
            switch (field) {
                case STVP_ACCEL_FIELD_SRC0:
                case STVP_ACCEL_FIELD_DST0: return 4 * wd.count();
                case STVP_ACCEL_FIELD_DST1: return 16;
                case STVP_ACCEL_FIELD_META0:
                    return op == STVP_ACCEL_OP_DROPBACK ? block_copy_bytes(wd)
                                                        : nm_copy_bytes(wd, false, c.desc.param0, c.desc.param1);
                case STVP_ACCEL_FIELD_META1: return nm_copy_bytes(wd, true, c.desc.param0, c.desc.param1);
            }
            break;
        }
        case Kind::PRUNE: return field == STVP_ACCEL_FIELD_DST1 ? 16 : f4(c.desc.n);
    }
    return 0;
}

bool overlaps(const Operand& a, const Operand& b) {
    return uint64_t(a.address) < uint64_t(b.address) + b.bytes && uint64_t(b.address) < uint64_t(a.address) + a.bytes;
}

}  // namespace

Operand* Command::operand(uint32_t field) {
    for (Operand& o : operands)
        if (o.field == field) return &o;
    return nullptr;
}

const Operand* Command::operand(uint32_t field) const { return const_cast<Command*>(this)->operand(field); }

// Texts from the .def tables (stvp/hw/accel_names.h), the ones the firmware driver prints;
// `fallback` for a value without a row.
static const char* text_or(const char* text, const char* fallback) { return text ? text : fallback; }

const char* error_name(uint32_t code) { return text_or(stvp_accel_error_text(code), "unknown error code"); }
const char* field_name(uint32_t field) { return text_or(stvp_accel_field_text(field), "none"); }
const char* opcode_name(uint32_t opcode) { return text_or(stvp_accel_opcode_text(opcode), "?"); }
const char* phase_name(uint32_t phase) { return text_or(stvp_accel_phase_text(phase), "?"); }
const char* operand_role(uint32_t opcode, uint32_t field) { return stvp_accel_role_text(opcode, field); }

bool is_sparse(const Command& c) {
    return c.desc.opcode >= STVP_ACCEL_OP_INIT_WEIGHTS || c.desc.format != STVP_ACCEL_FORMAT_DENSE ||
           (c.desc.flags & STVP_ACCEL_FLAG_SKIP_ZEROS);
}

uint32_t supported_opcodes() {
    uint32_t m = 0;
    for (const OpSpec& s : kOps) m |= 1u << s.opcode;
    return m;
}

uint32_t supported_formats() {
    uint32_t m = 0;
    for (const OpSpec& s : kOps) m |= s.formats;
    return m;
}

CommandError decode(const stvp_accel_desc& d, Command& cmd) {
    const OpSpec* spec = find_spec(d.opcode);
    if (!spec) return {STVP_ACCEL_ERR_OPCODE, STVP_ACCEL_FIELD_OPCODE, d.opcode};
    if (d.format >= 32 || !(spec->formats & (1u << d.format)))
        return {STVP_ACCEL_ERR_FORMAT, STVP_ACCEL_FIELD_FORMAT, d.format};
    if (d.flags & ~spec->flags) return {STVP_ACCEL_ERR_FLAGS, STVP_ACCEL_FIELD_FLAGS, d.flags};

    // A sparse weight format replaces W (src1) by its copy at meta0 (the table's DENSE and
    // SPARSE slots); N:M also uses N and M; COPY's MIRROR uses w.
    uint32_t extra = spec->extra_fields;
    if (d.format == STVP_ACCEL_FORMAT_NM) extra |= kParams;
    if (d.flags & STVP_ACCEL_FLAG_MIRROR) extra |= STVP_ACCEL_USES(W);  // COPY's row length
    uint32_t used = kHeaderFields | shape_mask(spec->kind) | extra;
    for (const Slot& s : kSlots)
        if (s.opcode == d.opcode && s.used(d)) used |= bit(s.field);
    for (uint32_t f = 0; f < STVP_ACCEL_DESC_SIZE; f += 4)
        if (!(used & bit(f)) && word(d, f) != 0) return {STVP_ACCEL_ERR_UNUSED, f, word(d, f)};

    cmd = Command{};
    cmd.desc = d;
    cmd.phase = spec->phase;
    if (CommandError e = decode_shape(cmd, spec->kind)) return e;
    if (d.format == STVP_ACCEL_FORMAT_BLOCK || d.opcode == STVP_ACCEL_OP_DROPBACK) {
        const WeightDims wd = weight_dims(cmd);
        if (CommandError e = block_shape_error(d, wd.k, wd.c, wd.r, wd.s)) return e;
    }
    if (used & kAlpha && !std::isfinite(d.alpha))
        return {STVP_ACCEL_ERR_SCALAR, STVP_ACCEL_FIELD_ALPHA, word(d, STVP_ACCEL_FIELD_ALPHA)};
    if (used & kBeta && !std::isfinite(d.beta))
        return {STVP_ACCEL_ERR_SCALAR, STVP_ACCEL_FIELD_BETA, word(d, STVP_ACCEL_FIELD_BETA)};
    // Ranges of the sparse parameters (STVP_ACCEL_ERR_PARAM, checked right after SCALAR).
    const uint32_t alpha_w = word(d, STVP_ACCEL_FIELD_ALPHA), beta_w = word(d, STVP_ACCEL_FIELD_BETA);
    if (d.opcode == STVP_ACCEL_OP_DROPBACK) {
        if (!(d.alpha >= 0)) return {STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_ALPHA, alpha_w};
        if (!(d.beta > 0 && d.beta <= 1)) return {STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_BETA, beta_w};
    }
    if (d.opcode == STVP_ACCEL_OP_GRAD_PRUNE && !(d.alpha >= 0 && d.alpha < 1))
        return {STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_ALPHA, alpha_w};
    if (d.opcode == STVP_ACCEL_OP_NM_PREGEN || d.format == STVP_ACCEL_FORMAT_NM) {
        if (d.param0 < 1 || d.param0 > 255) return {STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_PARAM0, d.param0};
        if (d.param1 <= d.param0 || d.param1 > 256) return {STVP_ACCEL_ERR_PARAM, STVP_ACCEL_FIELD_PARAM1, d.param1};
    }

    for (const Slot& s : kSlots) {
        if (s.opcode != d.opcode || !s.used(d)) continue;
        Operand o;
        o.field = s.field;
        o.address = word(d, s.field);
        o.bytes = operand_bytes(cmd, spec->kind, s.field);
        o.access = s.access;
        cmd.operands.push_back(o);
    }
    for (const Operand& o : cmd.operands)
        if (o.address % 4) return {STVP_ACCEL_ERR_ALIGN, o.field, o.address};
    return {};
}

CommandError bind(Command& cmd, MemoryResolver& mem) {
    uint32_t result[5] = {};
    for (size_t i = 0; i < cmd.operands.size(); ++i) result[i] = mem.resolve(cmd.operands[i]);
    for (uint32_t code : {uint32_t(STVP_ACCEL_ERR_ADDRESS), uint32_t(STVP_ACCEL_ERR_CAPACITY)})
        for (size_t i = 0; i < cmd.operands.size(); ++i)
            if (result[i] == code) return {code, cmd.operands[i].field, cmd.operands[i].address};

    for (const Operand& out : cmd.operands) {
        if (!out.is_output()) continue;
        for (const Operand& other : cmd.operands)
            if (&other != &out && overlaps(out, other))
                return {STVP_ACCEL_ERR_OVERLAP, out.field, out.address};
    }

    if (cmd.desc.opcode == STVP_ACCEL_OP_SOFTMAX_XENT) {
        const uint8_t* labels = cmd.operand(STVP_ACCEL_FIELD_SRC1)->host;
        for (uint32_t i = 0; i < cmd.xent.batch; ++i) {
            int32_t l;
            std::memcpy(&l, labels + 4 * size_t(i), 4);
            if (l < 0 || uint32_t(l) >= cmd.xent.classes) return {STVP_ACCEL_ERR_LABEL, STVP_ACCEL_FIELD_SRC1, i};
        }
    }
    return {};
}

}  // namespace stvp::accel
