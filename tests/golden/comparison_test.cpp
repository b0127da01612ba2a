// A comparison run's percentages follow from its own absolute numbers, each variant against the
// baseline it names, and every variant folder is a complete run of its own.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/golden/run_binary.h"

namespace cimsim {
namespace {

using testing::read_file;
using testing::run_cimsim;
using testing::source_path;

class Comparison : public testing::TempDirTest {};

double total(const nlohmann::json& report, const std::string& key) {
  const auto& t = report["totals"];
  if (key == "energy_adc_pj") return t["energy_pj"]["adc"];
  if (key == "energy_total_pj") return t["energy_pj"]["total"];
  if (key == "adc_conversions") return t["adc"]["conversions"];
  if (key == "latency_ns") return t["latency_ns"];
  return t["crossbars"];
}

TEST_F(Comparison, PercentagesFollowFromTheAbsoluteNumbers) {
  const auto out = dir_ / "cmp";
  const auto result =
      run_cimsim("run " + source_path("configs/experiments/compare_sparse_gemm.yaml").string() +
                 " --out " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto comparison = nlohmann::json::parse(read_file(out / "comparison.json"));
  ASSERT_EQ(comparison["variants"].size(), 4U);
  for (const auto& v : comparison["variants"]) {
    const std::string name = v["name"];
    const std::string baseline = v["baseline"];
    const auto mine = nlohmann::json::parse(read_file(out / name / "report.json"));
    const auto theirs = nlohmann::json::parse(read_file(out / baseline / "report.json"));
    for (const char* key :
         {"energy_adc_pj", "energy_total_pj", "adc_conversions", "latency_ns", "crossbars"}) {
      const double expected = 100.0 * (total(mine, key) - total(theirs, key)) / total(theirs, key);
      EXPECT_NEAR(v[std::string(key) + "_change_pct"].get<double>(), expected, 1e-9)
          << name << " " << key;
      EXPECT_DOUBLE_EQ(v[key].get<double>(), total(mine, key));
    }
    EXPECT_TRUE(std::filesystem::exists(out / name / "summary.csv"));
    EXPECT_TRUE(std::filesystem::exists(out / name / "resolved_config.yaml"));
  }
  // The SWS variants name their own energy model's baseline and convert less.
  EXPECT_EQ(comparison["variants"][1]["baseline"], "baseline_cimloop");
  EXPECT_EQ(comparison["variants"][3]["baseline"], "baseline_walden");
  EXPECT_LT(comparison["variants"][1]["energy_adc_pj_change_pct"].get<double>(), 0.0);
  EXPECT_LT(comparison["variants"][3]["energy_adc_pj_change_pct"].get<double>(), 0.0);
  // The comparison's CSV has one row per variant.
  const std::string csv = read_file(out / "comparison.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
}

TEST_F(Comparison, BadVariantsAreConfigErrors) {
  const auto exp = dir_ / "exp.yaml";
  std::ofstream(exp) << "workload: {kind: gemm, weights: "
                     << source_path("configs/experiments/data/sparse90_weights.npy").string()
                     << ", inputs: "
                     << source_path("configs/experiments/data/sparse90_inputs.npy").string()
                     << "}\n"
                     << "compare:\n  - name: a\n    set: {hardware.adc.bitz: 4}\n";
  auto result = run_cimsim("validate " + exp.string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("variant 'a'"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("did you mean 'hardware.adc.bits'"), std::string::npos)
      << result.output;
  std::ofstream(exp) << "workload: {kind: gemm, weights: w.npy, inputs: x.npy}\n"
                     << "compare:\n  - name: a\n  - name: b\n    baseline: c\n";
  result = run_cimsim("validate " + exp.string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("baseline 'c' is not a variant"), std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace cimsim
