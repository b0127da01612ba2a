// The cimloop ADC model against every test vector of energy-models.md, and its handling of
// resolutions below the 4 bits the original supports.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/energy/adc_energy_model.h"
#include "tests/energy/energy_test_util.h"

namespace cimsim {
namespace {

using energy_test::near_rel;
using energy_test::params_for;

struct EnergyVector {
  int bits;
  double tech_nm;
  double sample_rate_hz;
  double energy_pj;
};

// energy-models.md, cimloop table: columns 22 nm 1e8, 32 nm 1e8, 32 nm 1.28e9, 65 nm 1e8,
// 65 nm 1.28e9 S/s.
std::vector<EnergyVector> energy_vectors() {
  const double rows[][6] = {
      {4, 0.45669, 0.92375, 0.92375, 3.5007, 3.5007},
      {5, 0.46287, 0.93625, 0.93625, 3.5481, 3.5481},
      {6, 0.52657, 1.0651, 1.0651, 4.0364, 4.0364},
      {7, 0.64873, 1.3122, 1.3122, 4.9728, 4.9728},
      {8, 0.84724, 1.7137, 1.9292, 6.4945, 7.3112},
      {9, 1.1569, 2.3401, 5.53, 8.8682, 20.957},
      {10, 1.6363, 3.3097, 16.418, 12.543, 62.221},
      {11, 4.5938, 9.292, 50.152, 35.214, 190.06},
      {12, 14.366, 29.058, 156.83, 110.12, 594.35},
  };
  const double columns[][2] = {{22, 1e8}, {32, 1e8}, {32, 1.28e9}, {65, 1e8}, {65, 1.28e9}};
  std::vector<EnergyVector> out;
  for (const auto& row : rows) {
    for (int c = 0; c < 5; ++c) {
      out.push_back({static_cast<int>(row[0]), columns[c][0], columns[c][1], row[c + 1]});
    }
  }
  return out;
}

TEST(CimloopAdcModel, ReproducesEveryEnergyTestVector) {
  const auto vectors = energy_vectors();
  ASSERT_EQ(vectors.size(), 45u);
  for (const auto& v : vectors) {
    SCOPED_TRACE("b=" + std::to_string(v.bits) + " tech=" + std::to_string(v.tech_nm) +
                 " f=" + std::to_string(v.sample_rate_hz));
    const auto model = make_adc_energy_model(params_for("cimloop", v.tech_nm));
    ModelWarnings warnings;
    EXPECT_TRUE(
        near_rel(model->conversion_energy_pj(v.bits, v.sample_rate_hz, warnings), v.energy_pj));
    EXPECT_EQ(warnings.clamped_conversions, 0u);
  }
}

TEST(CimloopAdcModel, ReproducesTheAreaTestVectorsAt32nm) {
  const auto model = make_adc_energy_model(params_for("cimloop", 32.0));
  const struct {
    int bits;
    double sample_rate_hz;
    double area_um2;
  } vectors[] = {{4, 1e8, 3274},    {4, 1.28e9, 5190}, {8, 1e8, 3939},
                 {8, 1.28e9, 6469}, {12, 1e8, 9185},   {12, 1.28e9, 24110}};
  for (const auto& v : vectors) {
    SCOPED_TRACE("b=" + std::to_string(v.bits) + " f=" + std::to_string(v.sample_rate_hz));
    const auto area = model->area_um2(v.bits, v.sample_rate_hz);
    ASSERT_TRUE(area.has_value());
    EXPECT_TRUE(near_rel(*area, v.area_um2));
  }
}

TEST(CimloopAdcModel, ClampChargesTheFourBitEnergyAndCountsEachCall) {
  const auto model = make_adc_energy_model(params_for("cimloop", 32.0));
  ModelWarnings warnings;
  const double four_bit = model->conversion_energy_pj(4, 1e8, warnings);
  EXPECT_EQ(warnings.clamped_conversions, 0u);
  for (int bits = 1; bits <= 3; ++bits) {
    EXPECT_DOUBLE_EQ(model->conversion_energy_pj(bits, 1e8, warnings), four_bit);
  }
  EXPECT_DOUBLE_EQ(model->conversion_energy_pj(2, 1e8, warnings), four_bit);
  EXPECT_EQ(warnings.clamped_conversions, 4u);
  // One message per clamped bit-width, not per call.
  EXPECT_EQ(warnings.messages.size(), 3u);
  EXPECT_NE(warnings.messages[0].find("1-bit"), std::string::npos);
}

TEST(CimloopAdcModel, ErrorModeRefusesBelowFourBitsAndSaysHowToFix) {
  auto params = params_for("cimloop", 32.0);
  params.below_min_bits = "error";
  const auto model = make_adc_energy_model(params);
  ModelWarnings warnings;
  EXPECT_TRUE(near_rel(model->conversion_energy_pj(4, 1e8, warnings), 0.92375));
  try {
    (void)model->conversion_energy_pj(3, 1e8, warnings);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("3-bit"), std::string::npos) << message;
    EXPECT_NE(message.find("below_min_bits: clamp"), std::string::npos) << message;
  }
  EXPECT_THROW((void)model->area_um2(2, 1e8), ConfigError);
  EXPECT_EQ(warnings.clamped_conversions, 0u);
}

TEST(CimloopAdcModel, RejectsInvalidParameters) {
  auto params = params_for("cimloop", 32.0);
  params.below_min_bits = "round";
  EXPECT_THROW((void)make_adc_energy_model(params), ConfigError);
  params = params_for("cimloop", 0.0);
  EXPECT_THROW((void)make_adc_energy_model(params), ConfigError);
  const auto model = make_adc_energy_model(params_for("cimloop", 32.0));
  ModelWarnings warnings;
  EXPECT_THROW((void)model->conversion_energy_pj(8, 0.0, warnings), ConfigError);
  EXPECT_THROW((void)model->conversion_energy_pj(0, 1e8, warnings), ConfigError);
}

TEST(CimloopAdcModel, DescribesItselfWithUnits) {
  const auto model = make_adc_energy_model(params_for("cimloop", 22.0));
  const auto json = model->describe();
  EXPECT_EQ(json.at("model"), "cimloop");
  EXPECT_EQ(json.at("parameters").at("tech_nm"), 22.0);
  EXPECT_EQ(json.at("parameters").at("below_min_bits"), "clamp");
  EXPECT_FALSE(model->latency_ns(8).has_value());
}

}  // namespace
}  // namespace cimsim
