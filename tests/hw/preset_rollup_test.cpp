// The ISAAC-style preset (configs/hardware/isaac.yaml) rolls up to ISAAC's tile: one tile of its
// 96 crossbars and 96 ADCs, with the tile's buffers, bus and router share and digital units, has
// the area of ISAAC Table I's tile, 0.372 mm^2 (Shafiee et al., ISCA 2016, 32 nm); its chip of
// 168 tiles and HyperTransport links has the paper's 85.4 mm^2 and 65.8 W, within 1 %, from the
// report of a whole network run end to end.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "sim/config/experiment.h"
#include "sim/energy/area_model.h"
#include "sim/energy/energy_pricing.h"
#include "sim/report/chip_rollup.h"
#include "sim/report/run_report.h"
#include "tests/golden/run_binary.h"

namespace cimsim {
namespace {

TEST(PresetRollup, IsaacTileAreaMatchesTableOne) {
  const Experiment e = load_experiment(testing::source_path("configs/experiments/sparse_gemm.yaml"),
                                       {"hardware.preset=isaac", "mapping.policy=baseline"});
  ASSERT_EQ(e.macro.chip.tile_crossbars, 96);
  ASSERT_EQ(e.macro.chip.tile_adcs, 96);
  const auto adc = make_adc_energy_model(e.adc_energy);
  const SampleRateFn rate = make_sample_rate_fn(
      e.adc_energy, e.macro.adc.kind, e.macro.adc.timing.t_bit_ns, e.macro.adc.timing.t_flash_ns);
  const AreaBreakdown tile =
      estimate_area(area_inputs_for(e, 96, 96, rate(e.macro.adc.bits), 1), *adc);
  // Table I gives the tile to 3 digits: 0.372 mm^2 = 372 000 um^2, +- half a unit of 0.001 mm^2.
  EXPECT_NEAR(tile.total_um2(), 372000.0, 500.0);
  // Its 12 IMAs (crossbars, ADCs, DACs, S+H, 48 S+A, input and output registers): 0.157 mm^2.
  const double ima = tile.crossbar_um2 + tile.adc_um2 + tile.dac_um2 + tile.sample_hold_um2 +
                     48 * 60.0 + 12 * 2100.0 + 12 * 770.0;
  EXPECT_NEAR(ima, 157000.0, 500.0);
}

TEST(PresetRollup, IsaacChipMatchesThePapersTotals) {
  const Experiment e =
      load_experiment(testing::source_path("configs/experiments/sparse_gemm.yaml"),
                      {"hardware.preset=isaac", "hardware.tiles=168", "mapping.policy=baseline"});
  const ChipRollup chip = chip_rollup(e, 1);
  EXPECT_EQ(chip.tiles, 168U);  // the chip's tiles, not the mapping's
  // Table I: 330 mW per tile (ADCs 12 x 16 mW, DACs 12 x 4, arrays 12 x 2.4, ...).
  EXPECT_NEAR(chip.tile_peak_power_mw, 330.0, 3.3);
  EXPECT_NEAR(chip.tile_adc_mw, 192.0, 1e-9);
  EXPECT_NEAR(chip.tile_dac_mw, 48.0, 1e-9);
  EXPECT_NEAR(chip.area_mm2, 85.4, 0.854);
  EXPECT_NEAR(chip.peak_power_w, 65.8, 0.658);
}

class IsaacChip : public testing::TempDirTest {};

TEST_F(IsaacChip, AWholeNetworkOnItReportsThePapersChipTotals) {
  const auto dir = dir_ / "out";
  const auto result = testing::run_cimsim(
      "run " + testing::source_path("configs/experiments/mnist_cnn_smoke.yaml").string() +
      " --out " + dir.string() +
      " --set hardware.preset=isaac --set hardware.tiles=168 --set workload.samples=2"
      " --set mapping.policy=baseline --set hardware.schedule.kind=pipelined");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto report = nlohmann::json::parse(std::ifstream(dir / "report.json"));
  const auto& rollup = report["totals"]["chip"]["rollup"];
  EXPECT_NEAR(rollup["area_mm2"].get<double>(), 85.4, 0.854);
  EXPECT_NEAR(rollup["peak_power_w"].get<double>(), 65.8, 0.658);
  EXPECT_GT(report["totals"]["schedule"]["inference_latency_ns"].get<double>(), 0.0);
}

}  // namespace
}  // namespace cimsim
