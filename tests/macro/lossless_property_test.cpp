// Property: with lossless ADCs (or capped at a width no column exceeds), every mapping, encoding,
// cell width, DAC width and input signedness reproduces the integer product exactly, on every
// kernel: the fast path (which takes the whole-layer exact product here, so its clip and
// overflow counts hold by construction), and the reference and analog kernels, which convert
// every column sum in every cycle and count each clip and overflow as they happen.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sim/hw/accelerator.h"
#include "sim/mapping/mapping_policy.h"
#include "tests/systemc_test.h"
#include "tests/test_util.h"

namespace cimsim {
namespace {

struct Case {
  std::string policy;
  std::string encoding;
  int cell_bits;
  int dac_bits;
  bool input_signed;
  std::string adc_policy;
  std::string kernel;  // simulation.kernel
};

class LosslessProperty : public testing::SystemCTest, public ::testing::WithParamInterface<Case> {};

TEST_P(LosslessProperty, OutputsEqualIntegerProduct) {
  const Case& c = GetParam();
  std::mt19937_64 rng(1234);
  for (int trial = 0; trial < 3; ++trial) {
    MappingGeometry geometry;
    geometry.rows = 16 + 8 * trial;
    geometry.cols = 32;
    geometry.cell_bits = c.cell_bits;
    geometry.dac_bits = c.dac_bits;
    geometry.weight_bits = 4 + 2 * trial;
    geometry.input_bits = 3 + 2 * trial;
    geometry.encoding = c.encoding;
    geometry.section_rows = geometry.rows / 2 + 1;
    // K not a multiple of R, N not a multiple of the outputs per crossbar.
    const std::size_t k = static_cast<std::size_t>(geometry.rows * 2 + 5);
    const std::size_t n = 7;
    const std::int32_t w_max = (1 << (geometry.weight_bits - 1)) - 1;
    const IntMatrix w = testing::random_matrix(rng, k, n, -w_max, w_max, 0.4);
    const std::int32_t x_lo = c.input_signed ? -(1 << (geometry.input_bits - 1)) : 0;
    const std::int32_t x_hi =
        c.input_signed ? (1 << (geometry.input_bits - 1)) - 1 : (1 << geometry.input_bits) - 1;
    const IntMatrix x = testing::random_matrix(rng, 5, k, x_lo, x_hi, 0.2);
    const MappedLayer layer = map_layer(c.policy, w, geometry, "layer");

    fresh_context();
    MacroSettings settings;
    settings.input_signed = c.input_signed;
    settings.adc.policy = c.adc_policy;
    settings.adc.bits = 16;  // capped at 16 bits: above every column's bound here
    settings.adc.per_crossbar = 4;
    settings.accumulator_bits = 48;
    settings.kernel = c.kernel;
    Accelerator top("top", {&layer}, settings);
    // The fast path must take its exact product here; the others must not.
    EXPECT_EQ(top.layer_is_exact(0), c.kernel == "fast");
    const LayerResult result = top.run_layer(0, x);
    const WideMatrix expected = testing::integer_product(x, w);
    ASSERT_EQ(result.outputs.data, expected.data) << "trial " << trial;
    EXPECT_EQ(result.counts.clipped_conversions, 0U);
    EXPECT_EQ(result.counts.accumulator_overflows, 0U);
  }
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  // Every registered mapping policy: a new one is covered without editing this test.
  for (const std::string& policy : MappingPolicyRegistry::instance().names()) {
    for (const std::string encoding : {"differential", "offset"}) {
      if (policy != "baseline" && encoding == "offset") continue;
      for (int cell_bits : {1, 2, 4}) {
        for (int dac_bits : {1, 2}) {
          for (bool input_signed : {false, true}) {
            for (const std::string adc : {"lossless", "capped"}) {
              for (const std::string kernel : {"fast", "reference", "analog"}) {
                cases.push_back({policy, encoding, cell_bits, dac_bits, input_signed, adc, kernel});
              }
            }
          }
        }
      }
    }
  }
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  const Case& c = info.param;
  return c.policy + "_" + c.encoding + "_c" + std::to_string(c.cell_bits) + "_v" +
         std::to_string(c.dac_bits) + (c.input_signed ? "_signed_" : "_unsigned_") + c.adc_policy +
         "_" + c.kernel;
}

INSTANTIATE_TEST_SUITE_P(AllConfigurations, LosslessProperty, ::testing::ValuesIn(all_cases()),
                         case_name);

}  // namespace
}  // namespace cimsim
