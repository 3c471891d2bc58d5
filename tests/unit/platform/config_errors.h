// Helpers of the configuration tests: a YAML file per test (CTest runs the cases in parallel
// processes, so every file name carries the test's name) and the error a configuration gives.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "platform_config.h"

namespace stvp::test {

inline std::string write_temp(const std::string& name, const std::string& text) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string path = ::testing::TempDir() + "stvp_" + info->name() + "_" + name;
    std::ofstream(path) << text;
    return path;
}

// The ConfigError message of loading `yaml` (as the file <test>_cfg.yaml) with `sets`; "" if none.
inline std::string error_of(const std::string& yaml, std::vector<std::string> sets = {}) {
    try {
        load_platform_config(write_temp("cfg.yaml", yaml), sets);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace stvp::test
