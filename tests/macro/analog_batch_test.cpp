// The analog kernel's batch path (CrossbarEngine::run_batch: column-parallel conversions,
// accumulators summed per column unless saturation is possible) against its per-vector path
// (run_vector: one conversion at a time through take_conversion), on random configurations with
// every device and ADC non-ideality drawn: outputs and every count must agree bit for bit, the
// noise draws included (and so must batches read from the layer's shared input forms), and the
// cases must reach clipping at both ends, accumulator saturation and both ways of adding up.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sim/adc/adc_components.h"
#include "sim/device/device_model.h"
#include "sim/macro/analog_kernel.h"
#include "sim/macro/analog_lanes.h"
#include "sim/macro/crossbar_engine.h"
#include "sim/macro/shared_inputs.h"
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
  std::uint64_t shared = 0;  // vectors read from shared input forms
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
      // With 1-bit DACs the same batches from the layer's shared input forms (the accelerator's
      // way), their lists built from transposed planes by either list builder.
      CrossbarEngine from_shared(crossbar, layer.geometry, c.settings, 1000 + b);
      if (from_shared.reads_shared_inputs()) {
        AnalogKernel::use_portable_lists(trial % 2 == 1);
        kernels::force_portable_transpose(trial % 4 >= 2);
        std::vector<std::int64_t> y_shared(x.rows * n, 0);
        EventCounts counts_shared;
        for (const auto& [block, at] : {std::pair{&first, 0UL}, std::pair{&second, half}}) {
          SharedInputPlanes planes(*block, from_shared.serial_drive());
          for (std::size_t tile = 0; tile < planes.tiles(); ++tile) planes.fill(tile);
          from_shared.run_batch(*block, y_shared.data() + at * n, n, counts_shared, 0, &planes);
        }
        AnalogKernel::use_portable_lists(false);
        kernels::force_portable_transpose(false);
        EXPECT_EQ(y_shared, y_batch);
        expect_same_dynamic_counts(counts_shared, counts_batch);
        shared += from_shared.shared_input_vectors();
      }
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
  EXPECT_GT(shared, 0U);
}

// The lane kernel (sim/macro/analog_lanes.h: 1-bit DACs, no noise or offset, a block of up to
// 64 vectors from the layer's shared input forms) against the per-vector path on random layers
// with device variation, stuck cells and finite on/off ratios: outputs and every count bit for
// bit, with the AVX-512 and the portable variant, full and partial blocks, clipping, saturating
// accumulators and signed inputs reached.
TEST(AnalogBatch, LaneBlocksMatchThePerVectorPathOnBothVariants) {
  std::mt19937_64 rng(4242);
  std::uniform_int_distribution<int> pick(0, 1000);
  std::uint64_t lanes[2] = {0, 0};  // [portable]
  std::uint64_t ordered = 0;
  std::uint64_t clipped = 0;
  std::uint64_t signed_serial = 0;
  for (int trial = 0; trial < 40; ++trial) {
    testing::RandomLayerCase c = testing::random_layer_case(rng, false);
    c.geometry.dac_bits = 1;
    DeviceSettings& device = c.settings.device;
    device.variation = pick(rng) % 2 == 0 ? "gaussian" : "lognormal";
    device.variation_sigma = 0.02 + 0.3 * pick(rng) / 1000.0;
    device.stuck_at_on = pick(rng) % 3 == 0 ? 0.02 : 0.0;
    device.stuck_at_off = pick(rng) % 3 == 0 ? 0.02 : 0.0;
    if (pick(rng) % 3 == 0) device.on_off_ratio = 5.0 + pick(rng) % 50;
    device.seed = static_cast<std::uint64_t>(pick(rng));
    const auto [lo, hi] = testing::input_range(c.geometry.input_bits, c.settings.input_signed);
    // 64 vectors and a partial block.
    const IntMatrix x =
        testing::random_matrix(rng, 64 + 1 + static_cast<std::size_t>(pick(rng) % 40),
                               c.weights.rows, lo, hi, (pick(rng) % 10) / 10.0);
    const MappedLayer layer = map_layer(c.policy, c.weights, c.geometry, "layer");
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::size_t n = c.weights.cols;
    const bool portable = trial % 2 == 1;
    kernels::force_portable_analog_lanes(portable);
    for (std::size_t b = 0; b < layer.crossbars.size(); ++b) {
      CrossbarEngine lane(layer.crossbars[b], layer.geometry, c.settings, 1000 + b);
      CrossbarEngine single(layer.crossbars[b], layer.geometry, c.settings, 1000 + b);
      ASSERT_TRUE(lane.analog());
      std::vector<std::int64_t> y_lane(x.rows * n, 0);
      std::vector<std::int64_t> y_single(x.rows * n, 0);
      EventCounts counts_lane;
      EventCounts counts_single;
      for (std::size_t first = 0; first < x.rows; first += SharedInputPlanes::kLanes) {
        IntMatrix block(std::min(SharedInputPlanes::kLanes, x.rows - first), x.cols);
        std::copy(x.row(first), x.row(first) + block.data.size(), block.data.begin());
        SharedInputPlanes planes(block, lane.serial_drive());
        for (std::size_t tile = 0; tile < planes.tiles(); ++tile) planes.fill(tile);
        lane.run_batch(block, y_lane.data() + first * n, n, counts_lane, 0, &planes);
      }
      for (std::size_t t = 0; t < x.rows; ++t) {
        single.run_vector(x.row(t), y_single.data() + t * n, counts_single);
      }
      EXPECT_EQ(y_lane, y_single);
      expect_same_dynamic_counts(counts_lane, counts_single);
      lanes[portable ? 1 : 0] += lane.analog_lane_vectors();
      ordered += lane.analog_lane_vectors() > 0 ? lane.analog_ordered_vectors() : 0;
      clipped += counts_lane.clipped_conversions;
      signed_serial += c.settings.input_signed && lane.analog_lane_vectors() > 0 ? 1 : 0;
    }
  }
  kernels::force_portable_analog_lanes(false);
  EXPECT_GT(lanes[1], 0U);
  if (kernels::analog_lanes_use_avx512()) {
    EXPECT_GT(lanes[0], 0U);
  }
  EXPECT_GT(ordered, 0U);
  EXPECT_GT(clipped, 0U);
  EXPECT_GT(signed_serial, 0U);
}

// The column sums that load_vector leaves (the register-held narrow and wide kernels, digits
// from the gathered inputs) against sums written out here one term at a time: each sum adds, in
// row order, digit * conductance for the rows whose digit is nonzero, and the read-noise
// variance digit^2 * g^2 the same way, float for float. Input widths up to 16 bits, so that
// crossbars with more than 8 cycles run the kernels' cycle groups in passes. Then the codes of
// convert_vector (in float lanes when no noise or offset is on, else in double) against
// AdcTransfer::convert_real of each perturbed sum, and the clip counts against its flags.
TEST(AnalogBatch, SumsAreRowOrderSumsOfCellsTimesDigitsAndCodesAreConvertReals) {
  std::mt19937_64 rng(77);
  std::uniform_int_distribution<int> pick(0, 1000);
  // Whether this machine lists digits with AVX-512: then odd trials take the portable lists.
  AnalogKernel::use_portable_lists(false);
  const bool avx512 = AnalogKernel::lists_avx512();
  std::uint64_t avx512_vectors = 0;
  std::uint64_t portable_vectors = 0;
  std::uint64_t eight_chunks = 0;
  std::uint64_t uneven_cycles = 0;
  std::uint64_t zero_and_nonzero = 0;
  std::uint64_t multi_bit = 0;
  std::uint64_t zero_cycles = 0;
  std::uint64_t narrow = 0;
  std::uint64_t wide = 0;
  std::uint64_t wide_chunks = 0;
  std::uint64_t long_inputs = 0;
  std::uint64_t variances = 0;
  std::uint64_t float_cycles = 0;
  std::uint64_t double_vectors = 0;
  std::uint64_t clipped_conversions = 0;
  for (int trial = 0; trial < 60; ++trial) {
    testing::RandomLayerCase c = testing::random_layer_case(rng, false);
    draw_nonidealities(rng, c.settings.device);
    MappingGeometry& g = c.geometry;
    AnalogKernel::use_portable_lists(trial % 2 == 1);
    // Some crossbars of more than 128 converting columns: the sum kernel's 8-chunk passes.
    if (pick(rng) % 4 == 0) {
      g.cols = 140 + pick(rng) % 200;
      const std::size_t n = g.cols / static_cast<std::size_t>(g.cols_per_output());
      const std::int32_t w_max = (1 << (g.weight_bits - 1)) - 1;
      c.weights = testing::random_matrix(rng, c.weights.rows, n, -w_max, w_max, 0.2);
    }
    if (pick(rng) % 2 == 0) {
      g.input_bits = 9 + pick(rng) % 8;
      g.dac_bits = 1 + pick(rng) % 2;
      const std::int32_t top = 1 << g.input_bits;
      c.inputs =
          testing::random_matrix(rng, 2, c.weights.rows, c.settings.input_signed ? -top / 2 : 0,
                                 c.settings.input_signed ? top / 2 - 1 : top - 1, 0.3);
    }
    const MappedLayer layer = map_layer(c.policy, c.weights, g, "layer");
    const MappingGeometry& geometry = layer.geometry;
    SCOPED_TRACE("trial " + std::to_string(trial));
    const bool signed_offset = c.settings.input_signed && geometry.dac_bits > 1;
    const std::int64_t offset = signed_offset ? std::int64_t{1} << (geometry.input_bits - 1) : 0;
    const auto input_mask = static_cast<std::uint32_t>((1U << geometry.input_bits) - 1U);
    const std::uint32_t digit_mask = (1U << geometry.dac_bits) - 1U;
    const int cycles = geometry.input_cycles();
    const DeviceModel model(c.settings.device, geometry.cell_bits);
    for (std::size_t b = 0; b < layer.crossbars.size(); ++b) {
      const MappedCrossbar& crossbar = layer.crossbars[b];
      const std::vector<ColumnAdcPlan> plan = plan_adc_columns(crossbar, geometry, c.settings.adc);
      std::vector<std::size_t> converting;
      for (std::size_t j = 0; j < plan.size(); ++j) {
        if (!plan[j].gated) converting.push_back(j);
      }
      AnalogKernel kernel(crossbar, geometry, c.settings.device, plan, converting, signed_offset,
                          500 + b);
      const bool read_noise = c.settings.device.read_noise_sigma > 0.0;
      const std::size_t rows = crossbar.gather.size();
      for (std::size_t t = 0; t < c.inputs.rows; ++t) {
        const std::int32_t* x = c.inputs.row(t);
        std::vector<std::uint64_t> nonzero(static_cast<std::size_t>(cycles), 99);
        kernel.load_vector(x, nonzero.data());
        avx512_vectors += AnalogKernel::lists_avx512() ? 1 : 0;
        portable_vectors += AnalogKernel::lists_avx512() ? 0 : 1;
        const auto [fewest, most] = std::minmax_element(nonzero.begin(), nonzero.end());
        uneven_cycles += *fewest != *most ? 1 : 0;
        zero_and_nonzero += *fewest == 0 && *most > 0 ? 1 : 0;
        for (int p = 0; p < cycles; ++p) {
          std::uint64_t expected_nonzero = 0;
          std::vector<float> digit(rows);
          for (std::size_t r = 0; r < rows; ++r) {
            const auto driven =
                static_cast<std::uint32_t>(x[crossbar.gather[r]] + offset) & input_mask;
            const std::uint32_t d =
                (driven >> static_cast<unsigned>(p * geometry.dac_bits)) & digit_mask;
            digit[r] = static_cast<float>(d);
            expected_nonzero += d != 0 ? 1 : 0;
          }
          ASSERT_EQ(nonzero[static_cast<std::size_t>(p)], expected_nonzero) << "cycle " << p;
          for (std::size_t i = 0; i < converting.size(); ++i) {
            const std::size_t j = converting[i];
            float sum = 0.0F;
            float variance = 0.0F;
            for (std::size_t r = 0; r < rows; ++r) {
              if (digit[r] == 0.0F) continue;
              const double cell = model.conductance(crossbar.columns[j].cells[r], 500 + b, r, j);
              sum += digit[r] * static_cast<float>(cell);
              variance += digit[r] * digit[r] * static_cast<float>(cell * cell);
            }
            ASSERT_EQ(kernel.loaded_sum(p, i), sum) << "cycle " << p << " column " << j;
            ASSERT_EQ(kernel.loaded_variance(p, i), read_noise ? variance : 0.0F)
                << "cycle " << p << " column " << j;
          }
        }
        // The column-parallel conversions (float lanes or double) against convert_real.
        if (!kernel.column_parallel()) continue;
        const std::vector<std::uint8_t> converts(static_cast<std::size_t>(cycles), 1);
        std::vector<std::int64_t> accumulators(crossbar.outputs.size(), 0);
        const std::uint64_t float_before = kernel.float_cycles();
        const std::uint64_t zero_before = kernel.zero_cycles();
        const AnalogTally tally =
            kernel.convert_vector(t, converts.data(), c.settings.input_signed && !signed_offset,
                                  std::int64_t{1} << 50, accumulators.data());
        std::uint64_t clipped = 0;
        std::uint64_t below = 0;
        for (int p = 0; p < cycles; ++p) {
          for (std::size_t i = 0; i < converting.size(); ++i) {
            const ColumnAdcPlan& column = plan[converting[i]];
            const AdcConversion expected = AdcTransfer::convert_real(
                kernel.perturbed_sum(p, i, t, column.step), column.step, column.bits);
            ASSERT_EQ(kernel.converted_code(p, i), expected.code)
                << "cycle " << p << " column " << converting[i];
            clipped += expected.clipped ? 1 : 0;
            below += expected.below_zero ? 1 : 0;
          }
        }
        EXPECT_EQ(tally.clipped, clipped);
        EXPECT_EQ(tally.below_zero, below);
        float_cycles += kernel.float_cycles() - float_before;
        zero_cycles += kernel.zero_cycles() - zero_before;
        double_vectors +=
            kernel.float_cycles() == float_before && kernel.zero_cycles() == zero_before ? 1 : 0;
        clipped_conversions += clipped;
      }
      narrow += kernel.narrow() ? 1 : 0;
      wide += kernel.narrow() ? 0 : 1;
      wide_chunks += converting.size() > 16 ? 1 : 0;
      eight_chunks += converting.size() > 128 ? 1 : 0;
      multi_bit += geometry.dac_bits > 1 ? 1 : 0;
      long_inputs += cycles > 8 ? 1 : 0;
      variances += read_noise ? 1 : 0;
    }
  }
  // Both kernels ran, the wide one over several 16-column chunks, with cycles in several
  // passes, and with the read-noise variances; both conversions ran and clipped.
  EXPECT_GT(narrow, 0U);
  EXPECT_GT(wide, 0U);
  EXPECT_GT(wide_chunks, 0U);
  EXPECT_GT(long_inputs, 0U);
  EXPECT_GT(variances, 0U);
  EXPECT_GT(float_cycles, 0U);
  EXPECT_GT(double_vectors, 0U);
  EXPECT_GT(clipped_conversions, 0U);
  // The digit lists: built both ways where the machine has AVX-512, for vectors with cycles of
  // different list lengths (padded passes) and with zero and nonzero cycles side by side, with
  // multi-bit digits, and over 8 chunks at a time; cycles without a nonzero digit were left
  // unconverted.
  AnalogKernel::use_portable_lists(false);
  EXPECT_GT(portable_vectors, 0U);
  EXPECT_EQ(avx512_vectors > 0, avx512);
  EXPECT_GT(uneven_cycles, 0U);
  EXPECT_GT(zero_and_nonzero, 0U);
  EXPECT_GT(multi_bit, 0U);
  EXPECT_GT(eight_chunks, 0U);
  EXPECT_GT(zero_cycles, 0U);
}

}  // namespace
}  // namespace cimsim
