// The per-opcode handlers (accel/engine/handlers.h) and the engine's execute-only mode: every
// opcode has its execute/cost pair, cost() prices the work execute() reports, execute-only
// writes the same bytes as the full engine and charges nothing, and DROPBACK's selection hooks
// (the reference trainer's studies) replace or observe the device's selection.
#include <cmath>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "accel/engine/engine.h"
#include "accel/engine/handlers.h"
#include "accel/sparse/init_weights.h"
#include "../support/accel_host_memory.h"

namespace stvp::accel {
namespace {

constexpr uint32_t kMem = 0x80000000u, kMemSize = 1u << 16;
constexpr uint32_t kSpad = 0x12000000u, kSpadSize = 0x1000;

// Addresses of the test chain's tensors.
constexpr uint32_t kX = kMem + 0x1000, kW = kMem + 0x2000, kB = kMem + 0x3000, kY = kMem + 0x4000,
                   kG = kMem + 0x5000, kBlocks = kMem + 0x6000, kDropRes = kMem + 0x7000, kPruneRes = kMem + 0x7100,
                   kDy = kMem + 0x8000, kY2 = kMem + 0x9000, kDw = kMem + 0xA000;
constexpr uint32_t kN = 2, kC = 8, kK = 4;

struct Bench {
    explicit Bench(bool execute_only) : engine(config(execute_only)) {
        // Deterministic operands with zeros among the inputs (SKIP_ZEROS has something to skip).
        for (uint32_t i = 0; i < kN * kC; ++i) f(kX)[i] = i % 3 == 0 ? 0.0f : 0.25f * float(int(i % 7) - 3);
        for (uint32_t i = 0; i < kK * kC; ++i) {
            f(kW)[i] = 0.1f * float(int(i % 5) - 2) + 0.01f * float(i);
            f(kG)[i] = 0.5f * float(int(i % 4) - 1);
        }
        for (uint32_t i = 0; i < kK; ++i) f(kB)[i] = 0.125f * float(i);
        for (uint32_t i = 0; i < kN * kK; ++i) f(kDy)[i] = 0.3f * float(int(i % 5) - 2) + 0.05f;
    }
    static EngineConfig config(bool execute_only) {
        EngineConfig c;
        c.execute_only = execute_only;
        return c;
    }
    float* f(uint32_t addr) { return reinterpret_cast<float*>(mem.dram.data() + (addr - kMem)); }
    template <class T> T* at(uint32_t addr) { return reinterpret_cast<T*>(mem.dram.data() + (addr - kMem)); }

    test::HostMemory mem{kMem, kMemSize, kSpad, kSpadSize};
    Engine engine;
};

stvp_accel_desc fc(uint32_t opcode, uint32_t flags, uint32_t src0, uint32_t src1, uint32_t dst0) {
    stvp_accel_desc d{};
    d.opcode = opcode, d.flags = flags, d.n = kN, d.c = kC, d.k = kK;
    d.src0 = src0, d.src1 = src1, d.dst0 = dst0;
    return d;
}

stvp_accel_desc dropback(uint32_t flags) {
    stvp_accel_desc d{};
    d.opcode = STVP_ACCEL_OP_DROPBACK, d.flags = flags | STVP_ACCEL_FLAG_RESULT, d.layer = 1;
    d.k = kK, d.c = kC, d.r = 1, d.s = 1, d.param0 = 7;
    d.alpha = 0.5f, d.beta = 0.25f;  // decay d, keep fraction f
    d.dst0 = kW, d.dst1 = kDropRes, d.meta0 = kBlocks;
    return d;
}

// A step in miniature: dense forward, SGD, DROPBACK, GRAD_PRUNE, a forward on the block copy
// with zero skipping and a zero-skipping weight gradient.
std::vector<stvp_accel_desc> test_chain() {
    std::vector<stvp_accel_desc> c;
    stvp_accel_desc d = fc(STVP_ACCEL_OP_FC_FWD, STVP_ACCEL_FLAG_BIAS | STVP_ACCEL_FLAG_RELU, kX, kW, kY);
    d.src2 = kB;
    c.push_back(d);
    d = {};
    d.opcode = STVP_ACCEL_OP_SGD, d.n = kK * kC, d.src0 = kG, d.dst0 = kW, d.alpha = 0.1f, d.beta = 0.001f;
    c.push_back(d);
    c.push_back(dropback(STVP_ACCEL_FLAG_FIRST));
    d = {};
    d.opcode = STVP_ACCEL_OP_GRAD_PRUNE, d.flags = STVP_ACCEL_FLAG_RESULT, d.n = kN * kK, d.alpha = 0.5f, d.param0 = 3;
    d.dst0 = kDy, d.dst1 = kPruneRes;
    c.push_back(d);
    d = fc(STVP_ACCEL_OP_FC_FWD, STVP_ACCEL_FLAG_SKIP_ZEROS, kX, 0, kY2);
    d.format = STVP_ACCEL_FORMAT_BLOCK, d.meta0 = kBlocks;
    c.push_back(d);
    c.push_back(fc(STVP_ACCEL_OP_FC_BWD_WEIGHT, STVP_ACCEL_FLAG_SKIP_ZEROS, kDy, kX, kDw));
    return c;
}

TEST(OpHandlers, EveryOpcodeOfTheTableHasOne) {
    const uint32_t ops = supported_opcodes();
    for (uint32_t op = 0; op < 32; ++op) {
        const OpHandler* h = op_handler(op);
        if (!(ops & (1u << op))) {
            EXPECT_EQ(h, nullptr) << op;
            continue;
        }
        ASSERT_NE(h, nullptr) << opcode_name(op);
        EXPECT_EQ(h->opcode, op);
        EXPECT_NE(h->execute, nullptr);
        EXPECT_NE(h->cost, nullptr);
    }
    EXPECT_EQ(op_handler(1000), nullptr);
}

TEST(OpHandlers, ExecuteOnlyWritesTheSameBytesAndChargesNothing) {
    Bench full(false), bare(true);
    const std::vector<stvp_accel_desc> chain = test_chain();
    const ChainResult a = full.engine.run_chain(chain.data(), uint32_t(chain.size()), full.mem);
    const ChainResult b = bare.engine.run_chain(chain.data(), uint32_t(chain.size()), bare.mem);
    ASSERT_TRUE(a) << error_name(a.error.code) << " at " << a.index;
    ASSERT_TRUE(b) << error_name(b.error.code) << " at " << b.index;
    EXPECT_EQ(full.mem.dram, bare.mem.dram);
    EXPECT_GT(full.at<stvp_accel_dropback_result>(kDropRes)->tracked, 0u);
    EXPECT_EQ(full.engine.tracked_this_step(), bare.engine.tracked_this_step());
    for (size_t i = 0; i < chain.size(); ++i) {
        EXPECT_GT(a.ops[i].cost.cycles, 0u) << i;
        EXPECT_EQ(b.ops[i].cost.cycles, 0u) << i;
        EXPECT_EQ(b.ops[i].cost.counts, ActionCounts{}) << i;
        EXPECT_EQ(b.ops[i].sparse_pj, 0.0) << i;
        EXPECT_EQ(b.ops[i].pruned, a.ops[i].pruned) << i;  // what the op did, not its cost
    }
    EXPECT_GT(a.ops[3].pruned, 0u);
    EXPECT_GT(a.ops[4].sparse.zero_checks, 0u);  // the zero-skipping walk was charged
    EXPECT_GT(a.ops[4].sparse_pj, 0.0);
    EXPECT_EQ(b.ops[4].sparse.zero_checks, 0u);
    EXPECT_EQ(b.total.cycles, 0u);
}

// DROPBACK's cost is a function of the work its execute() reports (accel_desc.h, BLOCK COPY:
// values + a 64-bit mask and a 20-bit pointer per block, packed), derived here by hand.
TEST(OpHandlers, DropbackCostPricesTheReportedWork) {
    Bench t(false);
    Command cmd;
    ASSERT_FALSE(decode(dropback(STVP_ACCEL_FLAG_FIRST), cmd));
    ASSERT_FALSE(bind(cmd, t.mem));
    OpWork work;
    work.vector_ops = 1000, work.units = 3, work.values = 10, work.unit_elements = 12;
    SparseEngine units{AccelSparseConfig{}};
    const OpCharge c = op_handler(STVP_ACCEL_OP_DROPBACK)->cost(OpArgs{cmd, nullptr, units}, work, t.engine.timing());
    const uint64_t meta = (3 * (12 + 20) + 7) / 8;  // 12 bytes
    const uint64_t bytes = 4 * 10 + meta;
    const OpCost want = vector_cost(t.engine.timing().config(), 1000, bytes, bytes);
    EXPECT_EQ(c.op.cycles, want.cycles);
    EXPECT_EQ(c.op.counts, want.counts);
    EXPECT_EQ(c.op.counts.dram_read_bytes, 52u);
    EXPECT_EQ(c.extra.decoded_units, 3u);
    EXPECT_EQ(c.extra.metadata_dram_bytes, 24u);
    EXPECT_EQ(c.extra.quantile_ops, uint64_t{kK * kC});  // the estimator saw every weight
}

TEST(SelectionHooks, HostSelectionReplacesTheDevicesAndIsReported) {
    Bench t(true);
    std::vector<float> w0(kK * kC);
    {
        sparse::InitWeightsConfig ic;
        ic.seed = 7;
        sparse::InitWeights(ic).fill(1, 0, kK * kC, kC, w0.data());
    }
    const std::vector<float> before(t.f(kW), t.f(kW) + kK * kC);
    std::vector<uint8_t> chosen(kK * kC, 0), seen;
    chosen[0] = chosen[5] = chosen[31] = 1;
    int asked = 0;
    SelectionHooks hooks;
    hooks.select = [&](const Command& c, uint8_t* mask) {
        ++asked;
        EXPECT_EQ(c.desc.opcode, uint32_t(STVP_ACCEL_OP_DROPBACK));
        std::memcpy(mask, chosen.data(), chosen.size());
        return true;
    };
    hooks.tracked = [&](const Command&, const uint8_t* mask) { seen.assign(mask, mask + kK * kC); };
    t.engine.set_selection_hooks(hooks);
    ASSERT_TRUE(t.engine.run(dropback(STVP_ACCEL_FLAG_FIRST), t.mem));
    EXPECT_EQ(asked, 1);
    EXPECT_EQ(seen, chosen);
    EXPECT_EQ(t.at<stvp_accel_dropback_result>(kDropRes)->tracked, 3u);
    for (uint32_t i = 0; i < kK * kC; ++i)  // tracked weights kept, the others reset to d * W0
        EXPECT_EQ(t.f(kW)[i], chosen[i] ? before[i] : 0.5f * w0[i]) << i;

    // A select hook that declines leaves the device's selection, which the tracked hook reports.
    hooks.select = [&](const Command&, uint8_t*) { return false; };
    t.engine.set_selection_hooks(hooks);
    ASSERT_TRUE(t.engine.run(dropback(0), t.mem));
    uint32_t ones = 0;
    for (uint8_t m : seen) ones += m;
    EXPECT_EQ(ones, t.at<stvp_accel_dropback_result>(kDropRes)->tracked);
}

}  // namespace
}  // namespace stvp::accel
