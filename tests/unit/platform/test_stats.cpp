// The stats file's structured parts: the configuration as a JSON object, the training block.
#include <cstring>

#include <gtest/gtest.h>

#include "simctrl/training_results.h"
#include "stats.h"

using namespace stvp;

TEST(Stats, ConfigBecomesAJsonObjectWithTypedScalars) {
    const Json j = config_json(
        "accel:\n  clock_hz: 500000000\n  gb_write_pj: 23.4\n  dataflow: CxN\n  spad_bytes: 0x20000\n"
        "  double_buffering: true\n  lambda: 1e-6\nargs: [\"0\", \"0x1401\"]\ntrace:\n  vcd: \"\"\n  signals: [\"*\"]\n"
        "none: ~\n");
    EXPECT_EQ(j["accel"]["clock_hz"], 500000000);
    EXPECT_TRUE(j["accel"]["clock_hz"].is_number_integer());
    EXPECT_DOUBLE_EQ(j["accel"]["gb_write_pj"].get<double>(), 23.4);
    EXPECT_EQ(j["accel"]["dataflow"], "CxN");
    EXPECT_EQ(j["accel"]["spad_bytes"], 0x20000);
    EXPECT_EQ(j["accel"]["double_buffering"], true);
    EXPECT_DOUBLE_EQ(j["accel"]["lambda"].get<double>(), 1e-6);
    EXPECT_EQ(j["args"][1], "0x1401");  // quoted in the YAML: stays a string
    EXPECT_EQ(j["trace"]["vcd"], "");
    EXPECT_EQ(j["trace"]["signals"][0], "*");
    EXPECT_TRUE(j["none"].is_null());
    EXPECT_EQ(j.begin().key(), "accel");  // order kept
}

TEST(Stats, ConfigThatIsNotYamlIsRefused) {
    EXPECT_THROW(config_json("a: [1, 2\n"), std::runtime_error);
}

TEST(Stats, TrainingBlockHasEpochRecordsAndRunFields) {
    auto f32 = [](float f) {
        uint32_t u;
        std::memcpy(&u, &f, sizeof u);
        return uint64_t(u);
    };
    TrainingResults r;
    ASSERT_EQ(r.put(result_key::EPOCH, 1), "");
    ASSERT_EQ(r.put(result_key::EPOCH_TEST_ACCURACY, f32(0.6738f)), "");
    ASSERT_EQ(r.put(result_key::EPOCH_SIM_NS, 45430000123ull), "");
    ASSERT_EQ(r.put(result_key::FINAL_ACCURACY, f32(0.8812f)), "");
    ASSERT_EQ(r.put(result_key::KEPT_WEIGHTS, 26620), "");
    const Json t = training_json(r);
    ASSERT_EQ(t["epochs"].size(), 1u);
    EXPECT_EQ(t["epochs"][0]["epoch"], 1);
    // float32 values as their 7 significant digits, not 0.67379999...
    EXPECT_EQ(t["epochs"][0]["test_accuracy"].get<double>(), 0.6738);
    EXPECT_EQ(t["epochs"][0]["sim_time_ns"], 45430000123ull);
    EXPECT_EQ(t["final_accuracy"].get<double>(), 0.8812);
    EXPECT_EQ(t["kept_weights"], 26620);
    EXPECT_EQ(t.dump(), "{\"epochs\":[{\"epoch\":1,\"test_accuracy\":0.6738,\"sim_time_ns\":45430000123}],"
                        "\"final_accuracy\":0.8812,\"kept_weights\":26620}");
}
