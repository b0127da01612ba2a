// The input quantizer is written in a branch-light form so that GCC vectorizes it
// (sim/mapping/quantize.h); it must still give, for every input, the code of its definition:
// value / scale rounded half up (floor(z + 0.5)), clamped to the input range.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "sim/mapping/quantize.h"

namespace cimsim {
namespace {

std::int32_t by_definition(double value, double scale, const InputCodeRange& range) {
  return static_cast<std::int32_t>(std::clamp(round_half_up(value / scale), range.lo, range.hi));
}

TEST(InputQuantizer, GivesTheClampedHalfUpCodeOfEveryInput) {
  std::mt19937_64 rng(19);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<double> scales = {1.0, 0.1, 1.0 / 128.0, 3.7e-3, 13.0, 1e-9};
  std::size_t checked = 0;
  for (int bits = 2; bits <= 16; ++bits) {
    for (bool is_signed : {false, true}) {
      const InputCodeRange range = input_code_range(bits, is_signed);
      for (double scale : scales) {
        std::vector<double> values;
        for (double code = range.lo - 3.0; code <= std::min(range.hi + 3.0, range.lo + 300.0);
             code += 1.0) {
          // Exact codes, the half-way points between them and their float neighbours.
          for (double z : {code, code + 0.5, code - 0.5}) {
            const auto value = static_cast<float>(z * scale);
            values.insert(values.end(),
                          {value, std::nextafter(value, 1e30F), std::nextafter(value, -1e30F)});
          }
        }
        for (int i = 0; i < 200; ++i) {
          values.push_back(uniform(rng) * (range.hi + 10.0) * scale);  // in range and out
          values.push_back(std::ldexp(uniform(rng), 40) * scale);      // far out of range
        }
        values.insert(values.end(), {0.0, -0.0, 1e300, -1e300});
        for (double value : values) {
          ASSERT_EQ(quantize_input(value, scale, range), by_definition(value, scale, range))
              << "value " << value << ", scale " << scale << ", " << bits << " bits"
              << (is_signed ? " signed" : " unsigned");
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 100000U);
}

}  // namespace
}  // namespace cimsim
