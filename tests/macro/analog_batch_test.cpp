// The analog kernel's batch path (CrossbarEngine::run_batch: column-parallel conversions,
// accumulators summed per column unless saturation is possible) against its per-vector path
// (run_vector: one conversion at a time through take_conversion), on random configurations with
// every device and ADC non-ideality drawn: outputs and every count must agree bit for bit, the
// noise draws included, and the cases must reach clipping at both ends, accumulator saturation
// and both ways of adding up.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sim/macro/crossbar_engine.h"
#include "sim/mapping/mapping_policy.h"
#include "tests/macro/random_layer_case.h"

namespace cimsim {
namespace {

void expect_same_dynamic_counts(const EventCounts& a, const EventCounts& b) {
  EXPECT_EQ(a.conversions_by_bits, b.conversions_by_bits);
  EXPECT_EQ(a.conversions, b.conversions);
  EXPECT_EQ(a.skipped_conversions, b.skipped_conversions);
  EXPECT_EQ(a.clipped_conversions, b.clipped_conversions);
  EXPECT_EQ(a.clipped_negative, b.clipped_negative);
  EXPECT_EQ(a.dac_activations, b.dac_activations);
  EXPECT_EQ(a.nonzero_row_digits, b.nonzero_row_digits);
  EXPECT_EQ(a.cell_reads, b.cell_reads);
  EXPECT_EQ(a.shift_adds, b.shift_adds);
  EXPECT_EQ(a.input_buffer_reads, b.input_buffer_reads);
  EXPECT_EQ(a.input_cycles, b.input_cycles);
  EXPECT_EQ(a.accumulator_overflows, b.accumulator_overflows);
}

// Device and ADC non-idealities drawn per case, each on or off, with spreads large enough that
// sums cross code boundaries, go negative and clip.
void draw_nonidealities(std::mt19937_64& rng, DeviceSettings& device) {
  std::uniform_int_distribution<int> pick(0, 1000);
  device.variation = pick(rng) % 2 == 0 ? "gaussian" : "lognormal";
  device.variation_sigma = pick(rng) % 4 == 0 ? 0.0 : 0.02 + 0.3 * pick(rng) / 1000.0;
  device.read_noise_sigma = pick(rng) % 2 == 0 ? 0.0 : 0.1 * pick(rng) / 1000.0;
  device.adc_offset_sigma_lsb = pick(rng) % 2 == 0 ? 0.0 : 2.0 * pick(rng) / 1000.0;
  device.adc_noise_sigma_lsb = pick(rng) % 2 == 0 ? 0.0 : 1.0 * pick(rng) / 1000.0;
  device.stuck_at_on = pick(rng) % 3 == 0 ? 0.02 : 0.0;
  device.stuck_at_off = pick(rng) % 3 == 0 ? 0.02 : 0.0;
  if (pick(rng) % 3 == 0) device.on_off_ratio = 5.0 + pick(rng) % 50;
  device.seed = static_cast<std::uint64_t>(pick(rng));
  if (!device.any()) device.adc_offset_sigma_lsb = 0.7;
}

TEST(AnalogBatch, BatchPathMatchesThePerVectorPathWithEveryNonideality) {
  std::mt19937_64 rng(2024);
  std::uint64_t batched = 0;
  std::uint64_t ordered = 0;
  std::uint64_t clipped = 0;
  std::uint64_t negative = 0;
  std::uint64_t overflows = 0;
  std::uint64_t signed_serial = 0;
  std::uint64_t multi_bit = 0;
  for (int trial = 0; trial < 80; ++trial) {
    testing::RandomLayerCase c = testing::random_layer_case(rng, false);
    draw_nonidealities(rng, c.settings.device);
    const MappedLayer layer = map_layer(c.policy, c.weights, c.geometry, "layer");
    SCOPED_TRACE("trial " + std::to_string(trial));
    const IntMatrix& x = c.inputs;
    const std::size_t n = c.weights.cols;
    for (std::size_t b = 0; b < layer.crossbars.size(); ++b) {
      const MappedCrossbar& crossbar = layer.crossbars[b];
      CrossbarEngine batch(crossbar, layer.geometry, c.settings, 1000 + b);
      CrossbarEngine single(crossbar, layer.geometry, c.settings, 1000 + b);
      ASSERT_TRUE(batch.analog());
      std::vector<std::int64_t> y_batch(x.rows * n, 0);
      std::vector<std::int64_t> y_single(x.rows * n, 0);
      EventCounts counts_batch;
      EventCounts counts_single;
      // Two batches: the noise draws' vector counter carries over from one to the next.
      const std::size_t half = x.rows / 2;
      IntMatrix first(half, x.cols);
      IntMatrix second(x.rows - half, x.cols);
      std::copy(x.row(0), x.row(0) + first.data.size(), first.data.begin());
      std::copy(x.row(half), x.row(half) + second.data.size(), second.data.begin());
      batch.run_batch(first, y_batch.data(), n, counts_batch);
      batch.run_batch(second, y_batch.data() + half * n, n, counts_batch);
      for (std::size_t t = 0; t < x.rows; ++t) {
        single.run_vector(x.row(t), y_single.data() + t * n, counts_single);
      }
      EXPECT_EQ(y_batch, y_single);
      expect_same_dynamic_counts(counts_batch, counts_single);
      batched += batch.analog_batched_vectors();
      ordered += batch.analog_ordered_vectors();
      clipped += counts_batch.clipped_conversions;
      negative += counts_batch.clipped_negative;
      overflows += counts_batch.accumulator_overflows;
      signed_serial += c.settings.input_signed && layer.geometry.dac_bits == 1 ? 1 : 0;
      multi_bit += layer.geometry.dac_bits > 1 ? 1 : 0;
    }
  }
  // Every path of the batch kernel was taken, and the cases reached what can go wrong.
  EXPECT_GT(batched, ordered);
  EXPECT_GT(ordered, 0U);
  EXPECT_GT(clipped, negative);
  EXPECT_GT(negative, 0U);
  EXPECT_GT(overflows, 0U);
  EXPECT_GT(signed_serial, 0U);
  EXPECT_GT(multi_bit, 0U);
}

}  // namespace
}  // namespace cimsim
