// The crossbar engine with device and circuit non-idealities (docs/nonidealities.md): the analog
// kernel is exact with ideal devices, read noise and the ADC's offset and noise reach the codes
// with their configured spread (tolerances of 5 standard errors for the sample size), clipped
// conversions are counted at both ends, and no result depends on thread order or batching.
#include <gtest/gtest.h>

#include <tbb/task_arena.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "sim/device/device_model.h"
#include "sim/hw/accelerator.h"
#include "sim/mapping/mapping_policy.h"
#include "tests/macro/random_layer_case.h"
#include "tests/systemc_test.h"
#include "tests/test_util.h"

namespace cimsim {
namespace {

// One output of K = 100 weights on 128 x 128 crossbars, 1-bit cells, 2-bit weights (one
// magnitude slice per polarity) and 2-bit inputs (two bit-serial cycles).
MappingGeometry small_geometry() {
  MappingGeometry g;
  g.weight_bits = 2;
  g.input_bits = 2;
  return g;
}

IntMatrix constant_matrix(std::size_t rows, std::size_t cols, std::int32_t value) {
  IntMatrix m(rows, cols);
  std::fill(m.data.begin(), m.data.end(), value);
  return m;
}

// The codes of converting column 0 in cycle 0 over `vectors` runs of x = all ones: its cells
// sum to 100 (every weight 1) in cycle 0 and the digit of cycle 1 is 0.
std::vector<double> cycle0_codes(const MacroSettings& settings, int vectors) {
  const MappedLayer layer =
      map_layer("baseline", constant_matrix(100, 1, 1), small_geometry(), "l");
  CrossbarEngine engine(layer.crossbars[0], layer.geometry, settings, 7);
  const IntMatrix x = constant_matrix(1, 100, 1);
  std::vector<double> codes;
  std::vector<CycleTrace> trace;
  EventCounts counts;
  for (int t = 0; t < vectors; ++t) {
    std::int64_t y = 0;
    engine.run_vector(x.row(0), &y, counts, &trace);
    codes.push_back(static_cast<double>(trace[0].codes[0]));
  }
  return codes;
}

void expect_mean_and_variance(const std::vector<double>& values, double mean, double variance) {
  const auto n = static_cast<double>(values.size());
  double m = 0.0;
  for (double v : values) m += v;
  m /= n;
  double var = 0.0;
  for (double v : values) var += (v - m) * (v - m);
  var /= n - 1.0;
  EXPECT_NEAR(m, mean, 5.0 * std::sqrt(variance / n));
  EXPECT_NEAR(var, variance, 5.0 * variance * std::sqrt(2.0 / (n - 1.0)));
}

TEST(NonidealEngine, ReadNoiseSpreadsTheColumnSumBySigmaTimesItsRootSumOfSquares) {
  MacroSettings s;
  s.device.read_noise_sigma = 0.1;  // 100 cells of conductance 1: std 0.1 sqrt(100) = 1 LSB
  // Rounding a normal of std 1 adds the variance of a unit uniform, 1/12 (Sheppard).
  expect_mean_and_variance(cycle0_codes(s, 20000), 100.0, 1.0 + 1.0 / 12.0);
}

TEST(NonidealEngine, AdcNoiseIsInputReferredInLsbs) {
  MacroSettings s;
  s.device.adc_noise_sigma_lsb = 2.0;
  expect_mean_and_variance(cycle0_codes(s, 20000), 100.0, 4.0 + 1.0 / 12.0);
}

TEST(NonidealEngine, AdcOffsetIsFixedPerColumnAndSpreadAcrossColumns) {
  MacroSettings s;
  s.device.adc_offset_sigma_lsb = 3.0;
  // The same column converts the same sum to the same code every time.
  const std::vector<double> codes = cycle0_codes(s, 50);
  for (double code : codes) EXPECT_EQ(code, codes.front());
  // Across crossbars the offsets are N(0, 3^2).
  const MappedLayer layer =
      map_layer("baseline", constant_matrix(100, 1, 1), small_geometry(), "l");
  std::vector<double> offsets;
  for (std::uint64_t id = 0; id < 20000; ++id) {
    offsets.push_back(CrossbarEngine(layer.crossbars[0], layer.geometry, s, id).adc_offset_lsb(0));
  }
  expect_mean_and_variance(offsets, 0.0, 9.0);
}

TEST(NonidealEngine, LeakyOffCellsClipALowResolutionColumnEveryCycle) {
  // One weight 1 and 99 zeros: the positive column's bound is 1, so its capped ADC has 1 bit.
  // With an on/off ratio of 2 the 99 OFF cells conduct 0.5 each: 50.5 saturates code 1.
  IntMatrix w(100, 1);
  w.data[0] = 1;
  const MappedLayer layer = map_layer("baseline", w, small_geometry(), "l");
  MacroSettings s;
  s.device.on_off_ratio = 2.0;
  CrossbarEngine engine(layer.crossbars[0], layer.geometry, s);
  ASSERT_TRUE(engine.analog());
  EventCounts counts;
  const IntMatrix x = constant_matrix(1, 100, 1);
  std::int64_t y = 0;
  for (int t = 0; t < 10; ++t) engine.run_vector(x.row(0), &y, counts);
  EXPECT_EQ(counts.conversions, 20U);          // one converting column, two cycles
  EXPECT_EQ(counts.clipped_conversions, 10U);  // cycle 0 of every vector
  EXPECT_EQ(counts.clipped_negative, 0U);
  EXPECT_EQ(y, 10);  // code 1 every time: the leak is invisible behind the clip
}

TEST(NonidealEngine, NegativeSumsReadAsZeroAndCountAsClipped) {
  // All-zero weights with power gating off: both columns convert a sum of 0 at 1 bit. With ADC
  // noise of 1 LSB the code would be negative when the noise is below -0.5 (probability
  // Phi(-0.5)) and above 1 when it is at least 1.5 (probability 1 - Phi(1.5)).
  const MappedLayer layer = map_layer("baseline", IntMatrix(100, 1), small_geometry(), "l");
  MacroSettings s;
  s.adc.power_gating = false;
  s.device.adc_noise_sigma_lsb = 1.0;
  CrossbarEngine engine(layer.crossbars[0], layer.geometry, s);
  EventCounts counts;
  const IntMatrix x = constant_matrix(1, 100, 1);
  std::int64_t y = 0;
  for (int t = 0; t < 20000; ++t) engine.run_vector(x.row(0), &y, counts);
  const auto phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  const double n = static_cast<double>(counts.conversions);
  ASSERT_EQ(counts.conversions, 80000U);
  const double p_negative = phi(-0.5);
  const double p_clipped = p_negative + 1.0 - phi(1.5);
  EXPECT_NEAR(static_cast<double>(counts.clipped_negative) / n, p_negative,
              5.0 * std::sqrt(p_negative * (1.0 - p_negative) / n));
  EXPECT_NEAR(static_cast<double>(counts.clipped_conversions) / n, p_clipped,
              5.0 * std::sqrt(p_clipped * (1.0 - p_clipped) / n));
}

TEST(NonidealEngine, EngineCellsAreTheDeviceModelsCellsOfThatCrossbar) {
  MacroSettings s;
  s.device.variation = "lognormal";
  s.device.variation_sigma = 0.2;
  s.device.stuck_at_off = 0.1;
  s.device.on_off_ratio = 50.0;
  std::mt19937_64 rng(3);
  const IntMatrix w = testing::random_matrix(rng, 100, 3, -1, 1);
  const MappedLayer layer = map_layer("baseline", w, small_geometry(), "l");
  const CrossbarEngine engine(layer.crossbars[0], layer.geometry, s, 42);
  const DeviceModel model(s.device, 1);
  const auto& columns = engine.converting_columns();
  ASSERT_FALSE(columns.empty());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const auto& cells = layer.crossbars[0].columns[columns[i]].cells;
    for (std::size_t r = 0; r < cells.size(); ++r) {
      EXPECT_EQ(engine.conductance(r, i),
                static_cast<float>(model.conductance(cells[r], 42, r, columns[i])));
    }
  }
}

class NonidealLayer : public testing::SystemCTest {
 protected:
  LayerResult run(const MappedLayer& layer, const IntMatrix& x, const MacroSettings& settings,
                  int threads = 2, std::size_t batches = 1) {
    fresh_context();
    Accelerator top("top", {&layer}, settings);
    LayerResult total;
    tbb::task_arena arena(threads);
    arena.execute([&] {
      const std::size_t per_batch = (x.rows + batches - 1) / batches;
      for (std::size_t first = 0; first < x.rows; first += per_batch) {
        IntMatrix part(std::min(per_batch, x.rows - first), x.cols);
        std::copy(x.row(first), x.row(first) + part.data.size(), part.data.begin());
        LayerResult batch = top.run_layer(0, part);
        WideMatrix outputs = std::move(batch.outputs);
        if (first == 0) {
          total = batch;
          total.outputs = outputs;
        } else {
          total.add_batch(batch);
          total.outputs.data.insert(total.outputs.data.end(), outputs.data.begin(),
                                    outputs.data.end());
          total.outputs.rows += outputs.rows;
        }
      }
    });
    return total;
  }
};

MacroSettings everything_on() {
  MacroSettings s;
  s.device.variation = "gaussian";
  s.device.variation_sigma = 0.1;
  s.device.read_noise_sigma = 0.05;
  s.device.stuck_at_on = 0.01;
  s.device.stuck_at_off = 0.01;
  s.device.on_off_ratio = 30.0;
  s.device.adc_offset_sigma_lsb = 0.3;
  s.device.adc_noise_sigma_lsb = 0.3;
  return s;
}

TEST_F(NonidealLayer, ResultsDoNotDependOnThreadsOrBatchesButOnTheSeed) {
  std::mt19937_64 rng(11);
  MappingGeometry g;
  g.rows = 64;
  g.cols = 32;
  const IntMatrix w = testing::random_matrix(rng, 300, 12, -127, 127, 0.5);
  const IntMatrix x = testing::random_matrix(rng, 24, 300, 0, 255, 0.3);
  for (const std::string policy : {"baseline", "sws"}) {
    SCOPED_TRACE(policy);
    const MappedLayer layer = map_layer(policy, w, g, "l");
    ASSERT_GT(layer.crossbars.size(), 4U);
    const MacroSettings s = everything_on();
    const LayerResult two_threads = run(layer, x, s, 2, 1);
    const LayerResult one_thread = run(layer, x, s, 1, 1);
    const LayerResult three_batches = run(layer, x, s, 2, 3);
    EXPECT_EQ(two_threads.outputs.data, one_thread.outputs.data);
    EXPECT_EQ(two_threads.outputs.data, three_batches.outputs.data);
    EXPECT_EQ(two_threads.counts.clipped_conversions, three_batches.counts.clipped_conversions);
    EXPECT_EQ(two_threads.counts.conversions, three_batches.counts.conversions);
    // The noise is real: the outputs differ from the exact product, and with another seed.
    EXPECT_NE(two_threads.outputs.data, testing::integer_product(x, w).data);
    MacroSettings other = s;
    other.device.seed = 2;
    EXPECT_NE(run(layer, x, other).outputs.data, two_threads.outputs.data);
  }
}

TEST_F(NonidealLayer, AllOffIsTheIntegerKernelBitForBit) {
  std::mt19937_64 rng(5);
  MappingGeometry g;
  const IntMatrix w = testing::random_matrix(rng, 200, 9, -127, 127, 0.6);
  const IntMatrix x = testing::random_matrix(rng, 10, 200, 0, 255, 0.2);
  const MappedLayer layer = map_layer("sws", w, g, "l");
  // Every non-ideality at its "off" value, the variation kind named but with sigma 0.
  MacroSettings off;
  off.device.variation = "gaussian";
  off.device.variation_sigma = 0.0;
  ASSERT_FALSE(off.device.any());
  fresh_context();
  Accelerator top("top", {&layer}, off);
  EXPECT_TRUE(top.layer_is_exact(0));
  const LayerResult result = top.run_layer(0, x);
  EXPECT_EQ(result.outputs.data, testing::integer_product(x, w).data);
  EXPECT_EQ(result.counts.clipped_conversions, 0U);
}

// The analog kernel with ideal devices against the reference kernel on random configurations:
// real-valued sums of integer conductances are the integer sums, so outputs and every count
// agree, clipping and rounding below the lossless width included.
TEST_F(NonidealLayer, AnalogKernelWithIdealDevicesMatchesTheReference) {
  std::mt19937_64 rng(99);
  std::uint64_t clipped = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const testing::RandomLayerCase c = testing::random_layer_case(rng, false);
    const MappingGeometry& g = c.geometry;
    const std::string& policy = c.policy;
    const IntMatrix& w = c.weights;
    const IntMatrix& x = c.inputs;
    const MacroSettings& s = c.settings;
    const MappedLayer layer = map_layer(policy, w, g, "layer");
    MacroSettings reference = s;
    reference.kernel = "reference";
    MacroSettings analog = s;
    analog.kernel = "analog";
    const LayerResult expected = run(layer, x, reference);
    const LayerResult actual = run(layer, x, analog);
    SCOPED_TRACE("trial " + std::to_string(trial));
    EXPECT_EQ(expected.outputs.data, actual.outputs.data);
    EXPECT_EQ(expected.counts.conversions_by_bits, actual.counts.conversions_by_bits);
    EXPECT_EQ(expected.counts.clipped_conversions, actual.counts.clipped_conversions);
    EXPECT_EQ(expected.counts.skipped_conversions, actual.counts.skipped_conversions);
    EXPECT_EQ(expected.counts.dac_activations, actual.counts.dac_activations);
    EXPECT_EQ(expected.counts.cell_reads, actual.counts.cell_reads);
    EXPECT_EQ(expected.counts.accumulator_overflows, actual.counts.accumulator_overflows);
    EXPECT_EQ(actual.counts.clipped_negative, 0U);
    EXPECT_DOUBLE_EQ(expected.latency_ns, actual.latency_ns);
    clipped += expected.counts.clipped_conversions;
  }
  EXPECT_GT(clipped, 0U);
}

}  // namespace
}  // namespace cimsim
