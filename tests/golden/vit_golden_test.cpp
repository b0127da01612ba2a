// The ViT encoder end to end through the real binary: its layers as crossbar work (one vector per
// token), SWS against the unsorted baseline on the 90 % sparse model, a model trained on another
// data set refused.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/golden/run_binary.h"

namespace cimsim {
namespace {

using testing::read_file;
using testing::run_cimsim;
using testing::source_path;

class VitGolden : public testing::TempDirTest {
 protected:
  nlohmann::json run(const std::string& sets) {
    const auto out = dir_ / "run";
    const auto result =
        run_cimsim("run " + source_path("configs/experiments/vit_smoke.yaml").string() + " --out " +
                   out.string() + " " + sets);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    auto report = nlohmann::json::parse(read_file(out / "report.json"));
    std::filesystem::remove_all(out);
    return report;
  }
  static std::string model(const std::string& variant) {
    return "--set workload.model=" + source_path("models/vit_fashion/" + variant).string();
  }
};

TEST_F(VitGolden, LayersAreTheEncodersCrossbarWork) {
  const auto report = run("--set workload.samples=20 --set mapping.policy=baseline");
  ASSERT_EQ(report["layers"].size(), 14U);
  const std::vector<std::string> names{"patch_embed", "block0_q",    "block0_k",    "block0_v",
                                       "block0_o",    "block0_ffn1", "block0_ffn2", "block1_q",
                                       "block1_k",    "block1_v",    "block1_o",    "block1_ffn1",
                                       "block1_ffn2", "head"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& layer = report["layers"][i];
    EXPECT_EQ(layer["name"], names[i]);
    EXPECT_EQ(layer["vectors"], i + 1 == names.size() ? 20 : 20 * 16) << names[i];
  }
  EXPECT_EQ(report["layers"][0]["inputs_k"], 49);
  EXPECT_EQ(report["layers"][5]["outputs_n"], 256);
  EXPECT_EQ(report["layers"][6]["inputs_k"], 256);
  // 256 x 64 on 128 x 128 crossbars, 14 columns per output: 2 row tiles x ceil(64 / 9) = 8
  // column groups.
  EXPECT_EQ(report["layers"][6]["crossbars"], 2 * 8);
  EXPECT_EQ(report["accuracy"]["samples"], 20);
}

TEST_F(VitGolden, SortedSectionsConvertLessOnTheSparseModel) {
  const auto base = run("--set workload.samples=50 " + model("sparse90") +
                        " --set mapping.policy=baseline --set hardware.adc.policy=fixed "
                        "--set hardware.adc.power_gating=false");
  const auto sws = run("--set workload.samples=50 " + model("sparse90"));
  EXPECT_LT(sws["totals"]["energy_pj"]["adc"].get<double>(),
            0.5 * base["totals"]["energy_pj"]["adc"].get<double>());
  EXPECT_LT(sws["totals"]["adc"]["conversions"].get<double>(),
            base["totals"]["adc"]["conversions"].get<double>());
  // Both lossless at 8 bits on 128-row crossbars: the same integer outputs, the same accuracy.
  EXPECT_EQ(sws["accuracy"]["top1"], base["accuracy"]["top1"]);
  EXPECT_EQ(sws["accuracy"]["top1"], sws["accuracy"]["ideal_top1"]);
  EXPECT_EQ(base["totals"]["adc"]["clipped_conversions"], 0);
}

TEST_F(VitGolden, LowResolutionAdcsCostAccuracy) {
  const auto exact = run("--set workload.samples=50");
  const auto clipped = run("--set workload.samples=50 --set hardware.adc.bits=3");
  EXPECT_GT(clipped["totals"]["adc"]["clipped_conversions"].get<double>(), 0.0);
  EXPECT_EQ(clipped["accuracy"]["ideal_top1"], exact["accuracy"]["ideal_top1"]);
  EXPECT_LT(clipped["accuracy"]["top1"].get<double>(), exact["accuracy"]["top1"].get<double>());
}

TEST_F(VitGolden, RefusesAModelTrainedOnAnotherDataSet) {
  const auto result =
      run_cimsim("run " + source_path("configs/experiments/vit_smoke.yaml").string() + " --out " +
                 (dir_ / "run").string() + " --set workload.dataset=mnist");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("workload.dataset"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("fashion_mnist"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "run"));
}

TEST_F(VitGolden, IsRegisteredAndNeedsAModelFolder) {
  EXPECT_NE(run_cimsim("--list-components").output.find("vit "), std::string::npos);
  const auto file = dir_ / "no_model.yaml";
  std::ofstream(file) << "version: 1\nworkload:\n  kind: vit\n  dataset: fashion_mnist\n";
  const auto result = run_cimsim("validate " + file.string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("workload.model"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("train_vit.py"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace cimsim
