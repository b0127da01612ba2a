// The fast kernels (bit planes, exact product) never change results: against the reference
// kernel, outputs, every count and the cycles are identical, also where ADCs below the lossless
// width clip or round and where accumulators overflow.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sim/hw/accelerator.h"
#include "sim/mapping/mapping_policy.h"
#include "tests/systemc_test.h"
#include "tests/test_util.h"

namespace cimsim {
namespace {

class KernelEquivalence : public testing::SystemCTest {
 protected:
  LayerResult run(const MappedLayer& layer, const IntMatrix& x, MacroSettings settings,
                  const std::string& kernel) {
    settings.kernel = kernel;
    fresh_context();
    Accelerator top("top", {&layer}, settings);
    exact_layers_ += top.layer_is_exact(0) ? 1 : 0;
    return top.run_layer(0, x);
  }
  int exact_layers_ = 0;  // runs that took the whole-layer exact product
};

void expect_same_counts(const EventCounts& a, const EventCounts& b) {
  EXPECT_EQ(a.conversions_by_bits, b.conversions_by_bits);
  EXPECT_EQ(a.conversions, b.conversions);
  EXPECT_EQ(a.skipped_conversions, b.skipped_conversions);
  EXPECT_EQ(a.clipped_conversions, b.clipped_conversions);
  EXPECT_EQ(a.dac_activations, b.dac_activations);
  EXPECT_EQ(a.nonzero_row_digits, b.nonzero_row_digits);
  EXPECT_EQ(a.cell_reads, b.cell_reads);
  EXPECT_EQ(a.shift_adds, b.shift_adds);
  EXPECT_EQ(a.input_buffer_reads, b.input_buffer_reads);
  EXPECT_EQ(a.partial_sum_adds, b.partial_sum_adds);
  EXPECT_EQ(a.input_cycles, b.input_cycles);
  EXPECT_EQ(a.accumulator_overflows, b.accumulator_overflows);
  EXPECT_EQ(a.crossbars, b.crossbars);
  EXPECT_EQ(a.allocated_columns, b.allocated_columns);
  EXPECT_EQ(a.gated_columns, b.gated_columns);
  EXPECT_EQ(a.allocated_cells, b.allocated_cells);
}

TEST_F(KernelEquivalence, RandomConfigurationsMatchTheReference) {
  std::mt19937_64 rng(77);
  const std::vector<std::string> policies = {"baseline", "sws", "sws_shared"};
  std::uint64_t clipped_somewhere = 0;
  std::uint64_t exact_crossbars = 0;
  for (int trial = 0; trial < 60; ++trial) {
    std::uniform_int_distribution<int> pick(0, 1000);
    MappingGeometry g;
    g.rows = 8 + pick(rng) % 130;  // some above 64 and 128: several words per plane
    g.cols = 16 + pick(rng) % 64;
    g.cell_bits = std::vector<int>{1, 2, 4}[static_cast<std::size_t>(pick(rng) % 3)];
    g.dac_bits = 1 + pick(rng) % 3;
    g.weight_bits = 3 + pick(rng) % 6;
    g.input_bits = 2 + pick(rng) % 7;
    const std::string policy = policies[static_cast<std::size_t>(pick(rng) % 3)];
    g.encoding = (policy == "baseline" && pick(rng) % 2 == 0) ? "offset" : "differential";
    g.section_rows = 1 + pick(rng) % g.rows;
    if (g.cols < g.cols_per_output()) g.cols = g.cols_per_output();
    const std::size_t k = 1 + static_cast<std::size_t>(pick(rng) % 300);
    const std::size_t n = 1 + static_cast<std::size_t>(pick(rng) % 9);
    const std::int32_t w_max = (1 << (g.weight_bits - 1)) - 1;
    const IntMatrix w = testing::random_matrix(rng, k, n, -w_max, w_max, (pick(rng) % 10) / 10.0);
    MacroSettings s;
    s.input_signed = pick(rng) % 2 == 0;
    const std::int32_t lo = s.input_signed ? -(1 << (g.input_bits - 1)) : 0;
    const std::int32_t hi =
        s.input_signed ? (1 << (g.input_bits - 1)) - 1 : (1 << g.input_bits) - 1;
    const IntMatrix x = testing::random_matrix(rng, 1 + static_cast<std::size_t>(pick(rng) % 6), k,
                                               lo, hi, (pick(rng) % 10) / 10.0);
    s.adc.policy = std::vector<std::string>{"fixed", "capped",
                                            "lossless"}[static_cast<std::size_t>(pick(rng) % 3)];
    s.adc.mode = pick(rng) % 2 == 0 ? "clip" : "scale";
    s.adc.bits = 1 + pick(rng) % 9;
    s.adc.power_gating = pick(rng) % 4 != 0;
    s.adc.skip_zero_input_cycles = pick(rng) % 3 == 0;
    s.adc.kind = pick(rng) % 2 == 0 ? "sar" : "flash";
    s.adc.per_crossbar = 1 + pick(rng) % g.cols;
    s.dac_skip_zero_digits = pick(rng) % 2 == 0;
    s.sample_hold = pick(rng) % 2 == 0;
    s.accumulator_bits = pick(rng) % 5 == 0 ? 12 : 40;
    const MappedLayer layer = map_layer(policy, w, g, "layer");
    const LayerResult reference = run(layer, x, s, "reference");
    const LayerResult fast = run(layer, x, s, "fast");
    SCOPED_TRACE("trial " + std::to_string(trial) + " policy " + policy + " adc " + s.adc.policy +
                 " " + std::to_string(s.adc.bits) + " " + s.adc.mode);
    EXPECT_EQ(reference.outputs.data, fast.outputs.data);
    expect_same_counts(reference.counts, fast.counts);
    EXPECT_DOUBLE_EQ(reference.latency_ns, fast.latency_ns);
    clipped_somewhere += reference.counts.clipped_conversions;
    for (const auto& crossbar : layer.crossbars) {
      exact_crossbars += CrossbarEngine(crossbar, g, s).exact() ? 1 : 0;
    }
  }
  // The trials exercise both kernels of the fast path: clipping and exact crossbars.
  EXPECT_GT(clipped_somewhere, 0U);
  EXPECT_GT(exact_crossbars, 0U);
  EXPECT_GT(exact_layers_, 0);
}

}  // namespace
}  // namespace cimsim
