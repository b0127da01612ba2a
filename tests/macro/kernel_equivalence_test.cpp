// The fast kernels (bit planes, exact product) never change results: against the reference
// kernel, outputs, every count and the cycles are identical, also where ADCs below the lossless
// width clip or round and where accumulators overflow.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sim/hw/accelerator.h"
#include "sim/mapping/mapping_policy.h"
#include "tests/macro/random_layer_case.h"
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
  std::uint64_t clipped_somewhere = 0;
  std::uint64_t exact_crossbars = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const testing::RandomLayerCase c = testing::random_layer_case(rng, true);
    const MappingGeometry& g = c.geometry;
    const std::string& policy = c.policy;
    const IntMatrix& w = c.weights;
    const IntMatrix& x = c.inputs;
    const MacroSettings& s = c.settings;
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
