// A mapping that does not fit a bounded chip is refused by the command line with the key's place
// in the experiment file, both crossbar counts, exit 2 and no results folder.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/golden/run_binary.h"

namespace cimsim {
namespace {

using testing::run_cimsim;
using testing::source_path;

class ChipCli : public testing::TempDirTest {};

TEST_F(ChipCli, AMappingLargerThanTheChipExitsTwoAtTheKey) {
  const auto data = source_path("configs/experiments/data");
  const auto experiment = dir_ / "small_chip.yaml";
  std::ofstream(experiment) << "version: 1\n"
                               "workload:\n"
                               "  kind: gemm\n"
                               "  weights: "
                            << (data / "sparse90_weights.npy").string()
                            << "\n"
                               "  inputs: "
                            << (data / "sparse90_inputs.npy").string()
                            << "\n"
                               "mapping:\n"
                               "  policy: sws\n"
                               "hardware:\n"
                               "  tile:\n"
                               "    crossbars: 4\n"
                               "  tiles: 2\n";
  const auto out = dir_ / "out";
  const auto result = run_cimsim("run " + experiment.string() + " --out " + out.string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("small_chip.yaml:11:"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("needs 40 crossbars"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("holds 8"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(out));
  // Ten tiles of four hold the 40 crossbars.
  const auto fits = run_cimsim("run " + experiment.string() + " --out " + out.string() +
                               " --set hardware.tiles=10");
  EXPECT_EQ(fits.exit_code, 0) << fits.output;
}

// Time is simulated per inference from the chip's schedule, so how the host groups its images
// into batches changes no reported time (and no count).
TEST_F(ChipCli, TheBatchSizeChangesNoReportedTime) {
  const auto smoke = source_path("configs/experiments/mnist_cnn_smoke.yaml").string();
  std::vector<nlohmann::json> reports;
  for (const char* batch : {"1", "4"}) {
    const auto out = dir_ / (std::string("batch") + batch);
    const auto result = run_cimsim("run " + smoke + " --out " + out.string() +
                                   " --set workload.samples=4 --set workload.batch=" + batch +
                                   " --set hardware.schedule.kind=pipelined");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    reports.push_back(nlohmann::json::parse(std::ifstream(out / "report.json")));
  }
  const auto& a = reports[0]["totals"];
  const auto& b = reports[1]["totals"];
  EXPECT_EQ(a["schedule"], b["schedule"]);
  EXPECT_EQ(a["latency_ns"], b["latency_ns"]);
  EXPECT_EQ(a["energy_pj"], b["energy_pj"]);
  EXPECT_GT(a["schedule"]["inference_latency_ns"].get<double>(), 0.0);
}

}  // namespace
}  // namespace cimsim
