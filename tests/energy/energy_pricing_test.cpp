// price_events on a hand-computed example, and the default sample rate of the ADC models.
#include <gtest/gtest.h>

#include "sim/energy/energy_pricing.h"
#include "tests/energy/energy_test_util.h"

namespace cimsim {
namespace {

using energy_test::near_rel;
using energy_test::params_for;

EventCounts example_counts() {
  EventCounts counts;
  counts.conversions_by_bits = {{4, 100}, {8, 10}};
  counts.conversions = 110;
  counts.dac_activations = 1000;
  counts.cell_reads = 2000;
  counts.shift_adds = 110;
  counts.input_buffer_reads = 64;
  counts.partial_sum_adds = 30;
  return counts;
}

TEST(PriceEvents, HandComputedExampleSumsToItsParts) {
  const auto walden = make_adc_energy_model(params_for("walden"));
  ComponentEnergyParams params;  // cell 1.83, DAC 3.5, S+H 0.98, S+A 45 fJ
  params.input_buffer_read_fj_per_byte = 1000.0;
  params.input_bits_per_read = 4;  // half a byte per read
  params.partial_sum_add_fj = 250.0;
  ModelWarnings warnings;
  const EnergyBreakdown energy = price_events(
      example_counts(), *walden, params, [](int) { return 1e8; }, warnings);

  EXPECT_TRUE(near_rel(energy.adc_pj, 100 * 0.09765625 + 10 * 1.5625));  // 25.390625
  EXPECT_TRUE(near_rel(energy.dac_pj, 3.5));                             // 1000 x 3.5 fJ
  EXPECT_TRUE(near_rel(energy.crossbar_pj, 3.66));                       // 2000 x 1.83 fJ
  EXPECT_TRUE(near_rel(energy.sample_hold_pj, 0.1078));                  // 110 x 0.98 fJ
  EXPECT_TRUE(near_rel(energy.shift_add_pj, 4.95));                      // 110 x 45 fJ
  EXPECT_TRUE(near_rel(energy.buffer_pj, 32.0));                         // 64 x 0.5 B x 1 pJ/B
  EXPECT_TRUE(near_rel(energy.partial_sum_pj, 7.5));                     // 30 x 250 fJ
  EXPECT_DOUBLE_EQ(energy.leakage_pj(), 0.0);
  const double parts = 25.390625 + 3.5 + 3.66 + 0.1078 + 4.95 + 32.0 + 7.5;
  EXPECT_TRUE(near_rel(energy.total_pj(), parts, 1e-12));
  EXPECT_EQ(warnings.clamped_conversions, 0u);
  EXPECT_TRUE(warnings.messages.empty());

  const auto json = energy.to_json();
  for (const char* key : {"adc", "dac", "crossbar", "sample_hold", "shift_add", "buffer",
                          "partial_sum", "leakage", "total"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_DOUBLE_EQ(json.at("total").get<double>(), energy.total_pj());
}

TEST(PriceEvents, DefaultsComeFromIsaacAndPuma) {
  const ComponentEnergyParams params;
  EXPECT_DOUBLE_EQ(params.input_buffer_read_fj_per_byte, 968.75);
  EXPECT_TRUE(near_rel(params.partial_sum_add_fj, 265.2444444));
  EXPECT_EQ(params.input_bits_per_read, 8);
  EXPECT_NO_THROW(validate(params));
}

TEST(PriceEvents, ClampedConversionsAreCountedOncePerConversion) {
  const auto cimloop = make_adc_energy_model(params_for("cimloop", 32.0));
  EventCounts counts;
  counts.conversions_by_bits = {{2, 1000}, {3, 7}, {8, 5}};
  counts.conversions = 1012;
  ModelWarnings warnings;
  const auto energy = price_events(
      counts, *cimloop, ComponentEnergyParams{}, [](int) { return 1e8; }, warnings);
  EXPECT_EQ(warnings.clamped_conversions, 1007u);
  EXPECT_EQ(warnings.messages.size(), 2u);
  EXPECT_TRUE(near_rel(energy.adc_pj, 1007 * 0.92375 + 5 * 1.7137));
}

TEST(PriceEvents, BitWidthsWithoutConversionsAreNotPriced) {
  auto params = params_for("table");
  params.table = {{8, 2.0, std::nullopt, std::nullopt}};
  const auto table = make_adc_energy_model(params);
  EventCounts counts;
  counts.conversions_by_bits = {{5, 0}, {8, 3}};
  ModelWarnings warnings;
  const auto energy = price_events(
      counts, *table, ComponentEnergyParams{}, [](int) { return 1e8; }, warnings);
  EXPECT_DOUBLE_EQ(energy.adc_pj, 6.0);
}

TEST(PriceEvents, RejectsNegativeComponentEnergy) {
  ComponentEnergyParams params;
  params.cell_read_fj = -1.0;
  EXPECT_THROW(validate(params), ConfigError);
}

TEST(EnergyBreakdown, AddsComponentwise) {
  EnergyBreakdown a;
  a.adc_pj = 1;
  a.buffer_pj = 2;
  EnergyBreakdown b;
  b.adc_pj = 10;
  b.partial_sum_pj = 5;
  a += b;
  EXPECT_DOUBLE_EQ(a.adc_pj, 11);
  EXPECT_DOUBLE_EQ(a.partial_sum_pj, 5);
  EXPECT_DOUBLE_EQ(a.total_pj(), 18);
}

TEST(SampleRate, IsOneOverTheConversionTimeUnlessSet) {
  const AdcEnergyParams params;
  const auto sar = make_sample_rate_fn(params, "sar", 1.0, 1.0);
  EXPECT_DOUBLE_EQ(sar(8), 1.25e8);
  EXPECT_DOUBLE_EQ(sar(4), 2.5e8);
  const auto flash = make_sample_rate_fn(params, "flash", 1.0, 2.0);
  EXPECT_DOUBLE_EQ(flash(8), 5e8);
  AdcEnergyParams fixed;
  fixed.sample_rate_hz = 1.28e9;
  EXPECT_DOUBLE_EQ(make_sample_rate_fn(fixed, "sar", 1.0, 1.0)(3), 1.28e9);
  EXPECT_THROW((void)make_sample_rate_fn(params, "pipelined", 1.0, 1.0), ConfigError);
  EXPECT_THROW((void)make_sample_rate_fn(params, "sar", 0.0, 1.0), ConfigError);
}

}  // namespace
}  // namespace cimsim
