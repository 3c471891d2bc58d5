// The workload.* keys (firmware/include/stvp/hw/workload.def): defaults, the SIMCTRL
// WORKLOAD registers they become, overrides of one key, and errors naming file, line and key.
#include <cstring>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_errors.h"
#include "platform_config.h"
#include "train_defs.h"

using namespace stvp;
using ::testing::HasSubstr;
using stvp::test::error_of;
using stvp::test::write_temp;

namespace {

uint32_t f32_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

}  // namespace

// The registers of the defaults, derived by hand from the former packed arguments' defaults.
TEST(WorkloadConfig, DefaultsBecomeTheseRegisters) {
    const workload::Registers r = workload_registers(load_platform_config("", {}).workload);
    EXPECT_EQ(r[STVP_WL_NETWORK], 0u);            // lenet300
    EXPECT_EQ(r[STVP_WL_MODE], 0u);               // dense
    EXPECT_EQ(r[STVP_WL_PROCRUSTES_BUDGET], 10u); // 10 %
    EXPECT_EQ(r[STVP_WL_NM_N], 2u);
    EXPECT_EQ(r[STVP_WL_NM_M], 4u);
    EXPECT_EQ(r[STVP_WL_PRUNE_RATE], 90u);
    EXPECT_EQ(r[STVP_WL_EPOCHS], 1u);
    EXPECT_EQ(r[STVP_WL_MAX_STEPS], 0u);
    EXPECT_EQ(r[STVP_WL_SEED], 1u);
    EXPECT_EQ(r[STVP_WL_PRINT_EVERY], 100u);
    EXPECT_EQ(r[STVP_WL_BATCH], 64u);
    EXPECT_EQ(r[STVP_WL_LR], f32_bits(1000.0f / 10000.0f));
    EXPECT_EQ(r[STVP_WL_WEIGHT_DECAY], f32_bits(5e-4f));
    EXPECT_EQ(r[STVP_WL_LR_DECAY], f32_bits(0.8f));  // the former fixed factor
    EXPECT_EQ(r, workload::default_registers());  // what the SimCtrl model holds without a platform
}

// configs/default.yaml states the declared defaults (workload.def, and every other key's).
TEST(WorkloadConfig, DefaultYamlEqualsTheDeclarations) {
    const PlatformConfig yaml = load_platform_config(std::string(STVP_SOURCE_DIR) + "/configs/default.yaml", {});
    EXPECT_EQ(workload_registers(yaml.workload), workload::default_registers());
    EXPECT_EQ(dump_platform_config(yaml), dump_platform_config(PlatformConfig{}));
}

TEST(WorkloadConfig, NamedKeysAndOneKeyOverride) {
    const std::string path = write_temp("wl.yaml",
                                        "workload:\n  network: lenet5\n  mode: procrustes+sparsetrain\n"
                                        "  procrustes: {budget: 0.2}\n  sparsetrain: {prune_rate: 0.5}\n"
                                        "  epochs: 5\n  lr: 0.05\n  lr_decay: 0.85\n");
    const PlatformConfig c = load_platform_config(path, {"workload.epochs=3"});
    const workload::Registers r = workload_registers(c.workload);
    EXPECT_EQ(r[STVP_WL_NETWORK], TRAIN_NET_LENET5);
    EXPECT_EQ(r[STVP_WL_MODE], TRAIN_MODE_PROCRUSTES | TRAIN_MODE_SPARSETRAIN);
    EXPECT_EQ(r[STVP_WL_PROCRUSTES_BUDGET], 20u);
    EXPECT_EQ(r[STVP_WL_PRUNE_RATE], 50u);
    EXPECT_EQ(r[STVP_WL_EPOCHS], 3u);  // --set replaced this key only
    EXPECT_EQ(r[STVP_WL_LR], f32_bits(500.0f / 10000.0f));
    EXPECT_EQ(r[STVP_WL_LR_DECAY], f32_bits(0.85f));
    EXPECT_EQ(r[STVP_WL_BATCH], 64u);
    EXPECT_EQ(r[STVP_WL_NM_BACKWARD], 0u) << "master by default";
    const workload::Registers m = workload_registers(load_platform_config("", {"workload.mode=nm+sparsetrain"}).workload);
    EXPECT_EQ(m[STVP_WL_MODE], TRAIN_MODE_NM | TRAIN_MODE_SPARSETRAIN);
    const workload::Registers f = workload_registers(load_platform_config("", {"workload.nm.backward=forward"}).workload);
    EXPECT_EQ(f[STVP_WL_NM_BACKWARD], 1u);
    EXPECT_EQ(r[STVP_WL_AUGMENT], uint32_t(TRAIN_AUGMENT_NONE)) << "no augmentation by default";
    const workload::Registers a = workload_registers(load_platform_config("", {"workload.augment=flip"}).workload);
    EXPECT_EQ(a[STVP_WL_AUGMENT], uint32_t(TRAIN_AUGMENT_FLIP));
}

// The network and mode names are the firmware's (train_defs.h) at their positions.
TEST(WorkloadConfig, ChoicesAreTheFirmwaresNames) {
    const auto nets = workload::choices_of(workload::keys[STVP_WL_NETWORK]);
    ASSERT_EQ(nets.size(), TRAIN_NET_COUNT);
    for (uint32_t i = 0; i < TRAIN_NET_COUNT; ++i) EXPECT_EQ(nets[i], train_nets[i].name);
    const auto modes = workload::choices_of(workload::keys[STVP_WL_MODE]);
    EXPECT_EQ(modes.at(TRAIN_MODE_PROCRUSTES), "procrustes");
    EXPECT_EQ(modes.at(TRAIN_MODE_NM), "nm");
    EXPECT_EQ(modes.at(TRAIN_MODE_SPARSETRAIN), "sparsetrain");
    EXPECT_EQ(modes.at(TRAIN_MODE_PROCRUSTES | TRAIN_MODE_NM), "");  // cannot be chosen
}

TEST(WorkloadConfig, BadKeysNameFileLineAndKey) {
    std::string e = error_of("dataset:\n  name: fashion-mnist\nworkload:\n  epochs: 2\n  mode: procrustes+nm\n");
    EXPECT_THAT(e, HasSubstr("_cfg.yaml:5: 'workload.mode'"));
    EXPECT_THAT(e, HasSubstr("'procrustes+nm' is not one of"));
    e = error_of("workload:\n  epocs: 2\n");
    EXPECT_THAT(e, HasSubstr("_cfg.yaml:2: 'workload.epocs': unknown key"));
    e = error_of("workload:\n  procrustes:\n    budget: 0.125\n");
    EXPECT_THAT(e, HasSubstr("_cfg.yaml:3: 'workload.procrustes.budget'"));
    EXPECT_THAT(e, HasSubstr("steps of 0.01"));
    EXPECT_THAT(error_of("workload:\n  procrustes: {budget: 1}\n"), HasSubstr("'workload.procrustes.budget'"));
    EXPECT_THAT(error_of("workload:\n  batch: 129\n"), HasSubstr("_cfg.yaml:2: 'workload.batch': must be between 1 and 128"));
    EXPECT_THAT(error_of("workload:\n  network: resnet\n"), HasSubstr("_cfg.yaml:2: 'workload.network'"));
    EXPECT_THAT(error_of("workload:\n  lr: 0\n"), HasSubstr("_cfg.yaml:2: 'workload.lr'"));
    EXPECT_THAT(error_of("workload:\n  weight_decay: -1\n"), HasSubstr("_cfg.yaml:2: 'workload.weight_decay'"));
    EXPECT_THAT(error_of("workload:\n  lr_decay: 0\n"), HasSubstr("_cfg.yaml:2: 'workload.lr_decay'"));
    EXPECT_THAT(error_of("workload:\n  lr_decay: 1.5\n"), HasSubstr("_cfg.yaml:2: 'workload.lr_decay'"));
    EXPECT_THAT(error_of("workload:\n  seed: 0\n"), HasSubstr("_cfg.yaml:2: 'workload.seed'"));
    e = error_of("workload:\n  epochs: 2\n  augment: rotate\n");
    EXPECT_THAT(e, HasSubstr("_cfg.yaml:3: 'workload.augment'"));
    EXPECT_THAT(e, HasSubstr("'rotate' is not one of: none, flip"));
    e = error_of("workload:\n  nm: {backward: transposed}\n");
    EXPECT_THAT(e, HasSubstr("_cfg.yaml:2: 'workload.nm.backward'"));
    EXPECT_THAT(e, HasSubstr("'transposed' is not one of"));
    EXPECT_THAT(error_of("workload: {nm: {n: 4, m: 4}}\n"), HasSubstr("'workload.nm.n' (4) must be less than 'workload.nm.m' (4)"));
    EXPECT_THAT(error_of("", {"workload.epochs=0"}), HasSubstr("--set workload.epochs:1: 'workload.epochs': must be between 1 and 100000 (got 0)"));
    EXPECT_THAT(error_of("", {"workload.epoch=3"}), HasSubstr("unknown key 'workload.epoch'"));
}
