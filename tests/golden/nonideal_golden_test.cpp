// Device non-idealities through the real binary: with every non-ideality off the CNN's results
// are those of the integer kernels bit for bit, also through the real-valued path; with noise on,
// a run is reproducible byte for byte from its config and seed, another seed changes it, and the
// report carries the device settings, the clipped conversions and the accuracy change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/golden/run_binary.h"

namespace cimsim {
namespace {

using testing::read_file;
using testing::run_cimsim;
using testing::source_path;

class NonidealGolden : public testing::TempDirTest {
 protected:
  std::filesystem::path run(const std::string& experiment, const std::string& name,
                            const std::string& sets) {
    const auto out = dir_ / name;
    const auto result = run_cimsim("run " + source_path(experiment).string() + " --out " +
                                   out.string() + " " + sets);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return out;
  }
  static nlohmann::json report(const std::filesystem::path& out) {
    return nlohmann::json::parse(read_file(out / "report.json"));
  }
};

constexpr const char* kCnn = "configs/experiments/mnist_cnn_smoke.yaml";
constexpr const char* kGemm = "configs/experiments/sparse_gemm.yaml";
constexpr const char* kNoise =
    "--set hardware.device.variation.kind=gaussian --set hardware.device.variation.sigma=0.1 "
    "--set hardware.device.read_noise_sigma=0.02 --set hardware.device.stuck_at_on=0.001 "
    "--set hardware.device.stuck_at_off=0.001 --set hardware.device.on_off_ratio=100 "
    "--set hardware.adc.offset_sigma_lsb=0.2 --set hardware.adc.noise_sigma_lsb=0.2";

TEST_F(NonidealGolden, AllOffCnnIsTheIdealRunBitForBitOnEveryKernel) {
  const std::string common = "--set workload.samples=24 --set mapping.policy=baseline ";
  const auto ideal = report(run(kCnn, "ideal", common));
  // Every non-ideality named at its "off" value takes the integer kernels.
  const auto off = report(run(kCnn, "off",
                              common + "--set hardware.device.variation.kind=lognormal "
                                       "--set hardware.device.variation.sigma=0 "
                                       "--set hardware.device.on_off_ratio=inf"));
  // The real-valued path with ideal devices: sums of integer conductances.
  const auto analog = report(run(kCnn, "analog", common + "--set simulation.kernel=analog"));
  for (const auto* other : {&off, &analog}) {
    EXPECT_EQ((*other)["totals"], ideal["totals"]);
    EXPECT_EQ((*other)["layers"], ideal["layers"]);
    EXPECT_EQ((*other)["accuracy"], ideal["accuracy"]);
  }
  EXPECT_EQ(ideal["accuracy"]["change_vs_ideal_pp"], 0.0);
  EXPECT_FALSE(off["hardware"]["device"]["nonideal"].get<bool>());
}

TEST_F(NonidealGolden, NoisyRunsAreReproducibleAndSeeded) {
  const auto first = run(kGemm, "first", kNoise);
  const auto second = run(kGemm, "second", kNoise);
  EXPECT_EQ(read_file(first / "report.json"), read_file(second / "report.json"));
  EXPECT_EQ(read_file(first / "summary.csv"), read_file(second / "summary.csv"));
  EXPECT_EQ(read_file(first / "outputs.npy"), read_file(second / "outputs.npy"));
  const auto reseeded = run(kGemm, "reseeded", std::string(kNoise) + " --set seed=2");
  EXPECT_NE(read_file(first / "outputs.npy"), read_file(reseeded / "outputs.npy"));
  const auto ideal = run(kGemm, "ideal", "");
  EXPECT_NE(read_file(first / "outputs.npy"), read_file(ideal / "outputs.npy"));
}

TEST_F(NonidealGolden, ReportShowsDevicesClippingAndTheAccuracyChange) {
  // Leaky OFF cells (on/off ratio 5) push column sums past their capped ADCs' ranges.
  const auto out = run(kCnn, "leaky",
                       "--set workload.samples=16 --set mapping.policy=sws "
                       "--set hardware.device.on_off_ratio=5");
  const auto r = report(out);
  const auto& device = r["hardware"]["device"];
  EXPECT_TRUE(device["nonideal"].get<bool>());
  EXPECT_EQ(device["on_off_ratio"], 5.0);
  EXPECT_EQ(device["variation"]["kind"], "none");
  std::uint64_t layer_clipped = 0;
  for (const auto& layer : r["layers"]) {
    layer_clipped += layer["adc"]["clipped_conversions"].get<std::uint64_t>();
  }
  EXPECT_GT(layer_clipped, 0U);
  EXPECT_EQ(layer_clipped, r["totals"]["adc"]["clipped_conversions"].get<std::uint64_t>());
  const auto& a = r["accuracy"];
  EXPECT_DOUBLE_EQ(a["change_vs_ideal_pp"].get<double>(),
                   100.0 * (a["top1"].get<double>() - a["ideal_top1"].get<double>()));
  const std::string csv = read_file(out / "summary.csv");
  const std::string header = csv.substr(0, csv.find('\n'));
  for (const char* column :
       {"clipped_conversions", "clipped_negative", "device_variation_sigma", "device_on_off_ratio",
        "adc_offset_sigma_lsb", "ideal_top1", "top1_change_pp", "seed"}) {
    EXPECT_THAT(header, ::testing::HasSubstr(column));
  }
}

}  // namespace
}  // namespace cimsim
