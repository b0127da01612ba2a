// Area per component of a mapped layer: ISAAC Table I figures, ADC area from the model.
#include <gtest/gtest.h>

#include "sim/energy/area_model.h"
#include "tests/energy/energy_test_util.h"

namespace cimsim {
namespace {

using energy_test::near_rel;
using energy_test::params_for;

// One ISAAC IMA: 8 crossbars of 128 x 128, one 8-bit ADC per crossbar, 8 x 128 DACs, 4 S+A.
AreaInputs isaac_ima() {
  AreaInputs inputs;
  inputs.crossbars = 8;
  inputs.rows = 128;
  inputs.cols = 128;
  inputs.adcs = inputs.crossbars;
  inputs.adc_max_bits = 8;
  inputs.adc_sample_rate_hz = 1.28e9;
  inputs.dacs = std::uint64_t{8} * 128;
  inputs.accumulators = 4;
  return inputs;
}

TEST(AreaModel, ReproducesIsaacTableOneForOneIma) {
  // walden has no area, so the ADCs take ISAAC's per-ADC figure.
  const auto walden = make_adc_energy_model(params_for("walden"));
  const AreaBreakdown area = estimate_area(isaac_ima(), *walden);
  EXPECT_TRUE(near_rel(area.crossbar_um2, 200.0));    // 0.0002 mm^2
  EXPECT_TRUE(near_rel(area.adc_um2, 9600.0));        // 0.0096 mm^2
  EXPECT_TRUE(near_rel(area.dac_um2, 170.0));         // 0.00017 mm^2
  EXPECT_TRUE(near_rel(area.sample_hold_um2, 40.0));  // 0.00004 mm^2
  EXPECT_TRUE(near_rel(area.shift_add_um2, 240.0));   // 0.00024 mm^2
  EXPECT_TRUE(near_rel(area.total_um2(), 200.0 + 9600.0 + 170.0 + 40.0 + 240.0));
  EXPECT_FALSE(area.adc_from_model);
  EXPECT_EQ(area.to_json().at("adc_area_source"), "ISAAC per-ADC default");
}

TEST(AreaModel, UsesTheAdcModelsAreaWhereItHasOne) {
  const auto cimloop = make_adc_energy_model(params_for("cimloop", 32.0));
  const AreaBreakdown area = estimate_area(isaac_ima(), *cimloop);
  EXPECT_TRUE(near_rel(area.adc_um2, 8 * 6469.0));  // energy-models.md: 8 bits, 1.28e9 S/s
  EXPECT_TRUE(area.adc_from_model);
  const auto puma = make_adc_energy_model(params_for("puma_linear"));
  EXPECT_TRUE(near_rel(estimate_area(isaac_ima(), *puma).adc_um2, 8 * 1200.0));
}

TEST(AreaModel, EmptyLayerHasNoArea) {
  const auto cimloop = make_adc_energy_model(params_for("cimloop", 32.0));
  AreaInputs inputs;
  inputs.adc_sample_rate_hz = 0.0;  // never asked of the model without crossbars
  EXPECT_DOUBLE_EQ(estimate_area(inputs, *cimloop).total_um2(), 0.0);
}

TEST(AreaModel, AddsComponentwise) {
  const auto walden = make_adc_energy_model(params_for("walden"));
  AreaBreakdown total = estimate_area(isaac_ima(), *walden);
  total += estimate_area(isaac_ima(), *walden);
  EXPECT_TRUE(near_rel(total.total_um2(), 2 * 10250.0));
}

}  // namespace
}  // namespace cimsim
