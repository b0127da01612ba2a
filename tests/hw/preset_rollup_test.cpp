// The ISAAC-style preset (configs/hardware/isaac.yaml) rolls up to ISAAC's tile: one tile of its
// 96 crossbars and 96 ADCs, with the tile's buffers, bus and router share and digital units, has
// the area of ISAAC Table I's tile, 0.372 mm^2 (Shafiee et al., ISCA 2016, 32 nm).
#include <gtest/gtest.h>

#include "sim/config/experiment.h"
#include "sim/energy/area_model.h"
#include "sim/energy/energy_pricing.h"
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

}  // namespace
}  // namespace cimsim
