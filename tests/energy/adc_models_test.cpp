// The walden, neurosim_sar, puma_linear and table ADC models against energy-models.md, and the
// registry that selects them by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "sim/energy/adc_energy_model.h"
#include "tests/energy/energy_test_util.h"

namespace cimsim {
namespace {

using energy_test::near_rel;
using energy_test::params_for;

double energy_pj(const AdcEnergyParams& params, int bits, double sample_rate_hz = 1e8) {
  ModelWarnings warnings;
  const double pj =
      make_adc_energy_model(params)->conversion_energy_pj(bits, sample_rate_hz, warnings);
  EXPECT_EQ(warnings.clamped_conversions, 0u);
  return pj;
}

TEST(AdcEnergyModelRegistry, ContainsAllFiveModelsWithDescriptions) {
  const auto& registry = AdcEnergyModelRegistry::instance();
  for (const char* name : {"cimloop", "walden", "neurosim_sar", "puma_linear", "table"}) {
    EXPECT_TRUE(registry.contains(name)) << name;
  }
  for (const auto& entry : registry.entries()) EXPECT_FALSE(entry.description.empty());
}

TEST(AdcEnergyModelRegistry, UnknownModelListsTheRegisteredOnes) {
  try {
    (void)make_adc_energy_model(params_for("murmann"));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("walden"), std::string::npos) << error.what();
  }
}

TEST(WaldenAdcModel, EightBitsIsIsaacsConversionEnergyAndDoublesPerBit) {
  const auto params = params_for("walden");
  EXPECT_TRUE(near_rel(energy_pj(params, 8), 1.5625));
  EXPECT_TRUE(near_rel(energy_pj(params, 9), 2 * 1.5625));
  EXPECT_TRUE(near_rel(energy_pj(params, 1), 1.5625 / 128));
  const auto model = make_adc_energy_model(params);
  EXPECT_FALSE(model->area_um2(8, 1e8).has_value());
  EXPECT_EQ(model->describe().at("parameters").at("fom_fj_per_step"), 6.103515625);
}

TEST(NeurosimSarAdcModel, ReproducesTheVectorsWithoutColumnTerm) {
  const auto p22 = params_for("neurosim_sar", 22.0);
  EXPECT_TRUE(near_rel(energy_pj(p22, 1), 0.0098266));
  EXPECT_TRUE(near_rel(energy_pj(p22, 4), 0.032636));
  EXPECT_TRUE(near_rel(energy_pj(p22, 8), 0.078114));
  EXPECT_TRUE(near_rel(energy_pj(p22, 12), 0.14081));
  const auto p32 = params_for("neurosim_sar", 32.0);
  EXPECT_TRUE(near_rel(energy_pj(p32, 4), 0.067087));
  EXPECT_TRUE(near_rel(energy_pj(p32, 8), 0.16142));
}

TEST(NeurosimSarAdcModel, ReproducesTheVectorsWithColumnTerm) {
  auto p22 = params_for("neurosim_sar", 22.0);
  p22.neurosim_r_col_ohm = 10e3;
  EXPECT_TRUE(near_rel(energy_pj(p22, 8), 0.14961));
  auto p32 = params_for("neurosim_sar", 32.0);
  p32.neurosim_r_col_ohm = 10e3;
  EXPECT_TRUE(near_rel(energy_pj(p32, 8), 0.23599));
  EXPECT_EQ(make_adc_energy_model(p32)->describe().at("parameters").at("r_col_ohm"), 10e3);
}

TEST(NeurosimSarAdcModel, LatencyIsBitsPlusOneNanoseconds) {
  const auto model = make_adc_energy_model(params_for("neurosim_sar", 22.0));
  EXPECT_DOUBLE_EQ(*model->latency_ns(8), 9.0);
}

TEST(NeurosimSarAdcModel, UnsupportedNodeListsTheSupportedOnes) {
  try {
    (void)make_adc_energy_model(params_for("neurosim_sar", 45.0));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("22 and 32"), std::string::npos) << message;
    EXPECT_NE(message.find("45"), std::string::npos) << message;
  }
}

TEST(PumaLinearAdcModel, EightBitsIs1p8PicojoulesWithLatencyAndArea) {
  const auto params = params_for("puma_linear");
  EXPECT_TRUE(near_rel(energy_pj(params, 8), 1.8));
  EXPECT_TRUE(near_rel(energy_pj(params, 3), 0.675));
  const auto model = make_adc_energy_model(params);
  EXPECT_DOUBLE_EQ(*model->latency_ns(8), 100.0);
  EXPECT_DOUBLE_EQ(*model->area_um2(8, 1e8), 1200.0);
  EXPECT_DOUBLE_EQ(*model->area_um2(2, 1e8), 1200.0);
}

AdcEnergyParams table_params() {
  auto params = params_for("table");
  params.table = {{4, 0.5, 4.0, 900.0}, {8, 2.0, std::nullopt, std::nullopt}};
  return params;
}

TEST(TableAdcModel, LooksUpExactBits) {
  const auto model = make_adc_energy_model(table_params());
  EXPECT_DOUBLE_EQ(energy_pj(table_params(), 4), 0.5);
  EXPECT_DOUBLE_EQ(energy_pj(table_params(), 8), 2.0);
  EXPECT_DOUBLE_EQ(*model->latency_ns(4), 4.0);
  EXPECT_DOUBLE_EQ(*model->area_um2(4, 1e8), 900.0);
  EXPECT_FALSE(model->latency_ns(8).has_value());
  EXPECT_FALSE(model->area_um2(8, 1e8).has_value());
  EXPECT_EQ(model->describe().at("parameters").at("table").size(), 2u);
}

TEST(TableAdcModel, MissingBitsNameTheBitsAndTheTable) {
  const auto model = make_adc_energy_model(table_params());
  ModelWarnings warnings;
  try {
    (void)model->conversion_energy_pj(6, 1e8, warnings);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("6-bit"), std::string::npos) << message;
    EXPECT_NE(message.find("4, 8"), std::string::npos) << message;
  }
}

TEST(TableAdcModel, RejectsEmptyDuplicateAndNegativeRows) {
  auto params = params_for("table");
  EXPECT_THROW((void)make_adc_energy_model(params), ConfigError);
  params.table = {{4, 0.5, std::nullopt, std::nullopt}, {4, 0.6, std::nullopt, std::nullopt}};
  EXPECT_THROW((void)make_adc_energy_model(params), ConfigError);
  params.table = {{4, -0.5, std::nullopt, std::nullopt}};
  EXPECT_THROW((void)make_adc_energy_model(params), ConfigError);
}

}  // namespace
}  // namespace cimsim
