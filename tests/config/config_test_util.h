// Writes experiment YAML into a fresh temporary folder for configuration tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/config/resolved_config.h"
#include "sim/core/errors.h"

namespace cimsim::testing {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/cimsim-config-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const std::filesystem::path file = dir_ / name;
    std::ofstream(file) << text;
    return file;
  }

  // The ConfigError message of loading `text` (with overrides); fails the test if none is thrown.
  std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
    const auto file = write("exp.yaml", text);
    try {
      (void)load_config(file, overrides);
    } catch (const ConfigError& error) {
      return error.what();
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return "";
  }

  std::filesystem::path dir_;
};

// A minimal valid experiment (a gemm workload's files need not exist to validate).
inline const char* const kMinimal = "workload:\n  kind: gemm\n  weights: w.npy\n  inputs: x.npy\n";

}  // namespace cimsim::testing
