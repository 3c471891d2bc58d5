// The firmware's tables and the model's are the same rows: names and roles compiled as C (the
// firmware's language, op_tables_c.c) from the .def tables equal the model's lookups, every
// opcode the model accepts has a name in both, and every operand the model's decoder builds has
// a role the firmware can print.
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "accel/engine/command.h"
#include "op_tables_c.h"

namespace stvp::accel {
namespace {

std::string s(const char* p) { return p ? p : "(null)"; }

TEST(AccelOpTables, OpcodeNamesAndSupportedBitsAgree) {
    uint32_t named = 0;
    for (uint32_t op = 0; op < STVP_ACCEL_OP_LIMIT; ++op) {
        const bool supported = supported_opcodes() >> op & 1u;
        EXPECT_EQ(c_opcode_text(op) != nullptr, supported) << "opcode " << op;
        if (supported) {
            EXPECT_EQ(s(c_opcode_text(op)), s(opcode_name(op))) << "opcode " << op;
            ++named;
        } else {
            EXPECT_STREQ(opcode_name(op), "?") << "opcode " << op;
        }
    }
    EXPECT_EQ(named, c_opcode_count());
    EXPECT_EQ(std::string(opcode_name(STVP_ACCEL_OP_GRAD_PRUNE)), "GRAD_PRUNE");
}

TEST(AccelOpTables, ErrorFieldAndPhaseNamesAgree) {
    for (uint32_t code = 0; code < 64; ++code)
        if (c_error_text(code)) {
            EXPECT_EQ(s(c_error_text(code)), s(error_name(code))) << "code " << code;
        }
    EXPECT_STREQ(error_name(STVP_ACCEL_ERR_ALIGN), "operand address not 4-byte aligned");
    EXPECT_STREQ(error_name(999), "unknown error code");
    for (uint32_t f = 0; f < STVP_ACCEL_DESC_SIZE; f += 4) {
        ASSERT_NE(c_field_text(f), nullptr) << "every descriptor word has a name: " << f;
        EXPECT_EQ(s(c_field_text(f)), s(field_name(f)));
    }
    EXPECT_STREQ(field_name(STVP_ACCEL_FIELD_RESERVED1 + 8), "reserved1[2]");
    EXPECT_STREQ(field_name(STVP_ACCEL_FIELD_NONE), "none");
    for (uint32_t p = 0; p <= STVP_ACCEL_PHASE_SPARSE; ++p) EXPECT_EQ(s(c_phase_text(p)), s(phase_name(p)));
}

// Decodes a descriptor of `op` with every optional slot on (all flags the op accepts that add a
// slot) in `format`, and checks that the firmware names each operand's role.
void expect_roles(uint32_t op, uint32_t format, const stvp_accel_desc& base) {
    stvp_accel_desc d = base;
    d.opcode = op;
    d.format = format;
    Command c;
    const CommandError e = decode(d, c);
    ASSERT_FALSE(e) << opcode_name(op) << ": " << error_name(e.code) << " " << field_name(e.field);
    ASSERT_FALSE(c.operands.empty());
    for (const Operand& o : c.operands) {
        EXPECT_NE(c_role_text(op, o.field), nullptr) << opcode_name(op) << " " << field_name(o.field);
        EXPECT_EQ(s(c_role_text(op, o.field)), s(operand_role(op, o.field)));
    }
}

TEST(AccelOpTables, EveryDecodedOperandHasTheFirmwaresRole) {
    stvp_accel_desc d{};
    // A shape valid for every kind: FC, CONV, POOL (2x2 kernel on 4x4), XENT, SGD, COPY (8 bytes),
    // the sparse ops' W[K][C][R][S] and GRAD_PRUNE's n.
    d.n = 8, d.c = 2, d.h = 4, d.w = 4, d.k = 2, d.r = 2, d.s = 2, d.stride_h = 2, d.stride_w = 2;
    uint32_t a = 0x80000000u;
    for (uint32_t f = STVP_ACCEL_FIELD_SRC0; f <= STVP_ACCEL_FIELD_META1; f += 4, a += 0x10000)
        std::memcpy(reinterpret_cast<uint8_t*>(&d) + f, &a, 4);
    d.alpha = 0.5f, d.beta = 0.5f;
    d.param0 = 2, d.param1 = 4;
    for (uint32_t op = 1; op < STVP_ACCEL_OP_LIMIT; ++op) {
        if (!(supported_opcodes() >> op & 1u)) continue;
        SCOPED_TRACE(opcode_name(op));
        stvp_accel_desc e = d;
        // Zero what this op does not use: decode once with everything, clear the unused word
        // it names, until it decodes.
        e.opcode = op;
        e.flags = STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_RELU_MASK | STVP_ACCEL_FLAG_RESULT;
        Command c;
        for (int guard = 0; guard < 40; ++guard) {
            const CommandError err = decode(e, c);
            if (!err) break;
            if (err.code == STVP_ACCEL_ERR_FLAGS) {
                e.flags &= e.flags - 1;  // drop the lowest flag and retry
                continue;
            }
            ASSERT_EQ(err.code, uint32_t(STVP_ACCEL_ERR_UNUSED)) << error_name(err.code) << " " << field_name(err.field);
            const uint32_t zero = 0;
            std::memcpy(reinterpret_cast<uint8_t*>(&e) + err.field, &zero, 4);
        }
        if (op == STVP_ACCEL_OP_COPY) e.n = 8;
        expect_roles(op, STVP_ACCEL_FORMAT_DENSE, e);
        if (op == STVP_ACCEL_OP_FC_FWD || op == STVP_ACCEL_OP_CONV_FWD || op == STVP_ACCEL_OP_FC_BWD_DATA ||
            op == STVP_ACCEL_OP_CONV_BWD_DATA) {
            stvp_accel_desc sp = e;
            sp.src1 = 0;
            sp.meta0 = 0x80F00000u;
            expect_roles(op, STVP_ACCEL_FORMAT_BLOCK, sp);
        }
    }
}

}  // namespace
}  // namespace stvp::accel
