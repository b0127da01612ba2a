// One random layer configuration for the kernel-equivalence tests: geometry, mapping policy,
// weights, inputs and macro settings drawn from `rng` in a fixed order (so each test's cases stay
// the same from run to run). `all_settings` also draws the ADC kind, DAC zero-digit skipping and
// sample-and-hold, which only the digital kernels' test varies.
#pragma once

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sim/hw/accelerator.h"
#include "sim/mapping/mapping_policy.h"
#include "tests/test_util.h"

namespace cimsim::testing {

struct RandomLayerCase {
  MappingGeometry geometry;
  std::string policy;
  IntMatrix weights;
  IntMatrix inputs;
  MacroSettings settings;
};

inline RandomLayerCase random_layer_case(std::mt19937_64& rng, bool all_settings) {
  std::uniform_int_distribution<int> pick(0, 1000);
  RandomLayerCase c;
  MappingGeometry& g = c.geometry;
  g.rows = 8 + pick(rng) % 130;  // some above 64 and 128: several words per plane
  g.cols = 16 + pick(rng) % 64;
  g.cell_bits = std::vector<int>{1, 2, 4}[static_cast<std::size_t>(pick(rng) % 3)];
  g.dac_bits = 1 + pick(rng) % 3;
  g.weight_bits = 3 + pick(rng) % 6;
  g.input_bits = 2 + pick(rng) % 7;
  c.policy = std::vector<std::string>{"baseline", "sws", "sws_shared",
                                      "sws_packed"}[static_cast<std::size_t>(pick(rng) % 4)];
  g.encoding = (c.policy == "baseline" && pick(rng) % 2 == 0) ? "offset" : "differential";
  g.section_rows = 1 + pick(rng) % g.rows;
  if (g.cols < g.cols_per_output()) g.cols = g.cols_per_output();
  const std::size_t k = 1 + static_cast<std::size_t>(pick(rng) % 300);
  const std::size_t n = 1 + static_cast<std::size_t>(pick(rng) % 9);
  const std::int32_t w_max = (1 << (g.weight_bits - 1)) - 1;
  c.weights = random_matrix(rng, k, n, -w_max, w_max, (pick(rng) % 10) / 10.0);
  MacroSettings& s = c.settings;
  s.input_signed = pick(rng) % 2 == 0;
  const std::int32_t lo = s.input_signed ? -(1 << (g.input_bits - 1)) : 0;
  const std::int32_t hi = s.input_signed ? (1 << (g.input_bits - 1)) - 1 : (1 << g.input_bits) - 1;
  c.inputs = random_matrix(rng, 1 + static_cast<std::size_t>(pick(rng) % 6), k, lo, hi,
                           (pick(rng) % 10) / 10.0);
  s.adc.policy = std::vector<std::string>{"fixed", "capped",
                                          "lossless"}[static_cast<std::size_t>(pick(rng) % 3)];
  s.adc.mode = pick(rng) % 2 == 0 ? "clip" : "scale";
  s.adc.bits = 1 + pick(rng) % 9;
  s.adc.power_gating = pick(rng) % 4 != 0;
  s.adc.skip_zero_input_cycles = pick(rng) % 3 == 0;
  if (all_settings) s.adc.kind = pick(rng) % 2 == 0 ? "sar" : "flash";
  s.adc.per_crossbar = 1 + pick(rng) % g.cols;
  if (all_settings) {
    s.dac_skip_zero_digits = pick(rng) % 2 == 0;
    s.sample_hold = pick(rng) % 2 == 0;
  }
  s.accumulator_bits = pick(rng) % 5 == 0 ? 12 : 40;
  return c;
}

// The inputs' range [lo, hi] of `input_bits`-bit inputs, two's complement when signed.
inline std::pair<std::int32_t, std::int32_t> input_range(int input_bits, bool input_signed) {
  if (input_signed) return {-(1 << (input_bits - 1)), (1 << (input_bits - 1)) - 1};
  return {0, (1 << input_bits) - 1};
}

// One random layer of the split-kernel tests at a given cell and DAC width: rows in
// [min_rows, min_rows + row_span), a policy from `policies`, k in [min_k, min_k + k_span) inputs
// and 1 to n_span outputs of weights with the given share of zeros. Drawn from `rng` in a fixed
// order; only the geometry, policy and weights (settings and inputs are the caller's).
struct SplitLayerDraw {
  int min_rows = 16;
  int row_span = 150;
  std::vector<std::string> policies{"baseline", "sws"};
  std::size_t min_k = 20;
  std::size_t k_span = 200;
  std::size_t n_span = 6;
  double weight_zeros = 0.2;
};

inline RandomLayerCase random_split_layer(std::mt19937_64& rng, int cell_bits, int dac_bits,
                                          const SplitLayerDraw& draw) {
  std::uniform_int_distribution<int> pick(0, 1000);
  RandomLayerCase c;
  MappingGeometry& g = c.geometry;
  g.rows = draw.min_rows + pick(rng) % draw.row_span;
  g.cell_bits = cell_bits;
  g.dac_bits = dac_bits;
  g.weight_bits = 4 + pick(rng) % 5;
  g.input_bits = 2 + pick(rng) % 7;
  g.cols = std::max(16 + pick(rng) % 64, g.cols_per_output());
  c.policy = draw.policies[static_cast<std::size_t>(pick(rng)) % draw.policies.size()];
  g.encoding = (c.policy == "baseline" && pick(rng) % 2 == 0) ? "offset" : "differential";
  g.section_rows = 8 + pick(rng) % g.rows;
  const std::size_t k = draw.min_k + static_cast<std::size_t>(pick(rng)) % draw.k_span;
  const std::size_t n = 1 + static_cast<std::size_t>(pick(rng)) % draw.n_span;
  const std::int32_t w_max = (1 << (g.weight_bits - 1)) - 1;
  c.weights = random_matrix(rng, k, n, -w_max, w_max, draw.weight_zeros);
  return c;
}

}  // namespace cimsim::testing
