// The fast kernels (bit planes, exact product, the split kernel of clipping crossbars) never
// change results: against the reference kernel, outputs, every count and the cycles are
// identical, also where ADCs below the lossless width clip or round and where accumulators
// overflow.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "sim/hw/accelerator.h"
#include "sim/macro/clip_kernel.h"
#include "sim/macro/int8_product.h"
#include "sim/macro/saturating_sums.h"
#include "sim/macro/shared_inputs.h"
#include "sim/macro/sliced_clip.h"
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
  std::uint64_t split_crossbars = 0;
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
      const CrossbarEngine engine(crossbar, g, s);
      exact_crossbars += engine.exact() ? 1 : 0;
      split_crossbars += engine.split() && engine.clipping_columns() > 0 ? 1 : 0;
    }
  }
  // The trials exercise every kernel of the fast path: exact, split and bit-plane crossbars.
  EXPECT_GT(clipped_somewhere, 0U);
  EXPECT_GT(exact_crossbars, 0U);
  EXPECT_GT(split_crossbars, 0U);
  EXPECT_GT(exact_layers_, 0);
}

// The split kernel on every cell width, DAC width, ADC transfer mode and input signedness, with
// ADCs far enough below the columns' lossless width that columns clip or round, and batches of
// up to 24 vectors. Each combination must take the split kernel on some crossbar and clip or
// round somewhere; a few draws with a narrow accumulator must overflow and fall back.
TEST_F(KernelEquivalence, SplitKernelMatchesTheReferenceOnEveryWidth) {
  std::mt19937_64 rng(19);
  std::uniform_int_distribution<int> pick(0, 1000);
  testing::SplitLayerDraw draw;
  draw.row_span = 120;
  draw.policies = {"baseline", "sws", "sws_shared"};
  std::uint64_t overflowing_runs = 0;
  std::uint64_t popcount = 0;  // split crossbars whose clip columns' sums are popcounts
  std::uint64_t row_adds = 0;  // ... and row adds
  std::uint64_t window = 0;    // split crossbars that read a window of the inputs
  for (int cell_bits : {1, 2, 4}) {
    for (int dac_bits : {1, 2, 3}) {
      for (const char* mode : {"clip", "scale"}) {
        for (bool input_signed : {false, true}) {
          const testing::RandomLayerCase c =
              testing::random_split_layer(rng, cell_bits, dac_bits, draw);
          const MappingGeometry& g = c.geometry;
          const std::string& policy = c.policy;
          const IntMatrix& w = c.weights;
          const std::size_t k = w.rows;
          MacroSettings s;
          s.input_signed = input_signed;
          const auto [lo, hi] = testing::input_range(g.input_bits, input_signed);
          const IntMatrix x = testing::random_matrix(
              rng, 1 + static_cast<std::size_t>(pick(rng) % 24), k, lo, hi, 0.3);
          s.adc.policy = pick(rng) % 2 == 0 ? "capped" : "fixed";
          s.adc.mode = mode;
          s.adc.bits = 1 + pick(rng) % 3;
          s.adc.power_gating = pick(rng) % 4 != 0;
          s.adc.skip_zero_input_cycles = pick(rng) % 3 == 0;
          s.adc.per_crossbar = 1 + pick(rng) % g.cols;
          s.dac_skip_zero_digits = pick(rng) % 2 == 0;
          s.accumulator_bits = pick(rng) % 6 == 0 ? 12 : 40;
          const MappedLayer layer = map_layer(policy, w, g, "layer");
          std::uint64_t split = 0;
          for (const auto& crossbar : layer.crossbars) {
            const CrossbarEngine engine(crossbar, g, s);
            if (!engine.split() || engine.clipping_columns() == 0) continue;
            ++split;
            (engine.split_popcount() ? popcount : row_adds) += 1;
            window += engine.split_window() ? 1 : 0;
          }
          const LayerResult reference = run(layer, x, s, "reference");
          const LayerResult fast = run(layer, x, s, "fast");
          SCOPED_TRACE(std::string("cell ") + std::to_string(cell_bits) + " dac " +
                       std::to_string(dac_bits) + " " + mode + (input_signed ? " signed" : "") +
                       " accumulator " + std::to_string(s.accumulator_bits));
          EXPECT_EQ(reference.outputs.data, fast.outputs.data);
          expect_same_counts(reference.counts, fast.counts);
          EXPECT_DOUBLE_EQ(reference.latency_ns, fast.latency_ns);
          if (reference.counts.accumulator_overflows > 0) {
            ++overflowing_runs;  // only crossbars that cannot overflow take the split kernel
          } else {
            EXPECT_GT(split, 0U);
            if (std::string(mode) == "clip") {
              EXPECT_GT(reference.counts.clipped_conversions, 0U);
            }
          }
        }
      }
    }
  }
  EXPECT_GT(overflowing_runs, 0U);
  EXPECT_GT(popcount, 0U);
  EXPECT_GT(row_adds, 0U);
  EXPECT_GT(window, 0U);
}

// The batched popcount kernel of bit-serial clipping crossbars (sim/macro/clip_kernel.h) runs a
// block of kernels::kClipBlock vectors at a time: batches of one vector up to several blocks and
// a partial one, every cell width, both ADC transfer modes, signed and unsigned inputs, with its
// AVX-512 variant and with the portable loop forced. Each run must take the batched kernel on some
// crossbar, some must span more than one block, and columns must clip; inputs with their top
// bits clear must leave whole planes of a block zero, which the kernel must skip.
TEST_F(KernelEquivalence, BatchedPopcountKernelMatchesTheReferenceAcrossBlocks) {
  std::mt19937_64 rng(1919);
  std::uniform_int_distribution<int> pick(0, 1000);
  testing::SplitLayerDraw draw;  // 64 to 213 rows: one to four words per plane
  draw.min_rows = 64;
  draw.min_k = 60;
  draw.k_span = 300;
  draw.n_span = 4;
  draw.weight_zeros = 0.3;
  std::uint64_t batched_runs = 0;      // runs with a crossbar on the batched popcount kernel
  std::uint64_t multi_block_runs = 0;  // ... over more than one block of vectors
  std::uint64_t clipped = 0;
  std::uint64_t dead_planes = 0;     // input planes zero in a whole block, skipped by the kernel
  std::uint64_t shared_vectors = 0;  // vectors a gathering crossbar read from shared forms
  int run_index = 0;
  for (bool portable : {false, true}) {
    kernels::force_portable_popcount_convert(portable);
    kernels::force_portable_transpose(portable);
    kernels::force_portable_sliced_clip(portable);
    for (int cell_bits : {1, 2, 4}) {
      for (const char* mode : {"clip", "scale"}) {
        for (bool input_signed : {false, true}) {
          const testing::RandomLayerCase c = testing::random_split_layer(rng, cell_bits, 1, draw);
          const MappingGeometry& g = c.geometry;
          const std::string& policy = c.policy;
          const IntMatrix& w = c.weights;
          const std::size_t k = w.rows;
          const std::size_t n = w.cols;
          MacroSettings s;
          s.input_signed = input_signed;
          const auto [lo, hi] = testing::input_range(g.input_bits, input_signed);
          const std::size_t vectors =
              1 + static_cast<std::size_t>(pick(rng)) % (3 * kernels::kClipBlock);
          IntMatrix x = testing::random_matrix(rng, vectors, k, lo, hi, 0.3);
          // Every other run as post-ReLU activations with small values: no negative input and
          // the top two bits clear, and the first 40 vectors of each block blank (an image's
          // border patches), so whole input planes are zero in a block and the kernel skips them.
          if (run_index++ % 2 == 1) {
            for (std::size_t t = 0; t < x.rows; ++t) {
              const bool blank = t % kernels::kClipBlock < 40;
              for (std::size_t j = 0; j < x.cols; ++j) {
                x.at(t, j) = blank ? 0 : std::max(x.at(t, j), 0) >> 2;
              }
            }
          }
          // Most columns exact at 6 bits, a few (the largest) clipping: the batched kernel's case.
          s.adc.policy = "capped";
          s.adc.mode = mode;
          s.adc.bits = 4 + pick(rng) % 3;
          s.adc.power_gating = pick(rng) % 4 != 0;
          s.adc.skip_zero_input_cycles = pick(rng) % 3 == 0;
          s.adc.per_crossbar = 1 + pick(rng) % g.cols;
          s.dac_skip_zero_digits = pick(rng) % 2 == 0;
          const MappedLayer layer = map_layer(policy, w, g, "layer");
          bool batched = false;
          for (const auto& crossbar : layer.crossbars) {
            CrossbarEngine engine(crossbar, g, s);
            if (!engine.split() || !engine.split_popcount() || engine.clipping_columns() == 0) {
              continue;
            }
            batched = true;
            WideMatrix y(x.rows, n);
            EventCounts counts;
            engine.run_batch(x, y.data.data(), n, counts);
            dead_planes += engine.popcount_dead_planes();
            if (!engine.reads_shared_inputs()) continue;
            // The same vectors from the layer's shared input forms, a block at a time as the
            // accelerator hands them out, through the bit-sliced kernel (sim/macro/sliced_clip.h):
            // the same outputs and counts.
            CrossbarEngine shared_engine(crossbar, g, s);
            WideMatrix y_shared(x.rows, n);
            EventCounts shared_counts;
            for (std::size_t first = 0; first < x.rows; first += kernels::kClipBlock) {
              const std::size_t rows = std::min(kernels::kClipBlock, x.rows - first);
              IntMatrix block(rows, k);
              std::copy(x.row(first), x.row(first) + rows * k, block.data.begin());
              SharedInputPlanes planes(block, shared_engine.serial_drive());
              for (std::size_t tile = 0; tile < planes.tiles(); ++tile) planes.fill(tile);
              shared_engine.run_batch(block, y_shared.data.data() + first * n, n, shared_counts, 0,
                                      &planes);
            }
            EXPECT_EQ(y.data, y_shared.data);
            expect_same_counts(counts, shared_counts);
            shared_vectors += shared_engine.shared_input_vectors();
          }
          const LayerResult reference = run(layer, x, s, "reference");
          const LayerResult fast = run(layer, x, s, "fast");
          SCOPED_TRACE(std::string(portable ? "portable" : "avx512 if present") + " cell " +
                       std::to_string(cell_bits) + " " + mode + (input_signed ? " signed" : "") +
                       " vectors " + std::to_string(vectors));
          EXPECT_EQ(reference.outputs.data, fast.outputs.data);
          expect_same_counts(reference.counts, fast.counts);
          EXPECT_DOUBLE_EQ(reference.latency_ns, fast.latency_ns);
          batched_runs += batched ? 1 : 0;
          multi_block_runs += batched && vectors > kernels::kClipBlock ? 1 : 0;
          clipped += batched ? reference.counts.clipped_conversions : 0;
          if (!portable) {
            EXPECT_EQ(kernels::popcount_convert_uses_avx512(),
                      __builtin_cpu_supports("avx512vpopcntdq") != 0);
          } else {
            EXPECT_FALSE(kernels::popcount_convert_uses_avx512());
          }
        }
      }
    }
  }
  kernels::force_portable_popcount_convert(false);
  kernels::force_portable_transpose(false);
  kernels::force_portable_sliced_clip(false);
  EXPECT_GE(batched_runs, 12U);
  EXPECT_GT(multi_block_runs, 0U);
  EXPECT_GT(clipped, 0U);
  EXPECT_GT(dead_planes, 0U);
  EXPECT_GT(shared_vectors, 0U);
}

// The batched row-add kernel (CrossbarEngine::run_batch_row_adds): each block of
// kernels::kClipBlock vectors' per-cycle sums of the clipping columns as one int8 product,
// converted column-parallel. Every cell width, DAC width, ADC transfer mode and input
// signedness, ADCs of 1-3 bits so that many columns clip (row adds, not popcounts), batches of
// one vector up to two blocks and a partial one, the VNNI and the portable product in turn.
// Each run must send all its vectors through the batched kernel on some crossbar (the engine's
// counters), some runs must span more than one block, columns must clip, and cycles with no
// nonzero digit must be left out of the product. Bit-serial crossbars whose columns all clip
// below 255 take saturating byte sums instead of the int8 product (kernels::
// saturating_convert, portable or AVX-512BW in turn too); both sums must have run.
TEST_F(KernelEquivalence, BatchedRowAddKernelMatchesTheReferenceOnEveryWidth) {
  std::mt19937_64 rng(2019);
  std::uniform_int_distribution<int> pick(0, 1000);
  std::uint64_t batched_runs = 0;
  std::uint64_t multi_block_runs = 0;
  std::uint64_t portable_runs = 0;
  std::uint64_t clipped = 0;
  std::uint64_t zero_cycles = 0;  // cycles with no nonzero digit, left out of the product
  std::uint64_t saturating_vectors = 0;
  std::uint64_t int8_vectors = 0;
  int combination = 0;
  for (int cell_bits : {1, 2, 4}) {
    for (int dac_bits : {1, 2, 3}) {
      for (const char* mode : {"clip", "scale"}) {
        for (bool input_signed : {false, true}) {
          const bool portable = combination++ % 3 == 1;  // both signednesses on both
          kernels::force_portable_int8_product(portable);
          kernels::force_portable_saturating_sums(portable);
          const testing::RandomLayerCase c =
              testing::random_split_layer(rng, cell_bits, dac_bits, testing::SplitLayerDraw{});
          const MappingGeometry& g = c.geometry;
          const std::string& policy = c.policy;
          const IntMatrix& w = c.weights;
          const std::size_t k = w.rows;
          const std::size_t n = w.cols;
          MacroSettings s;
          s.input_signed = input_signed;
          const auto [lo, hi] = testing::input_range(g.input_bits, input_signed);
          const std::size_t vectors =
              1 + static_cast<std::size_t>(pick(rng)) % (2 * kernels::kClipBlock + 2);
          const IntMatrix x = testing::random_matrix(rng, vectors, k, lo, hi, 0.3);
          s.adc.policy = pick(rng) % 2 == 0 ? "capped" : "fixed";
          s.adc.mode = mode;
          s.adc.bits = 1 + pick(rng) % 3;
          s.adc.power_gating = pick(rng) % 4 != 0;
          s.adc.skip_zero_input_cycles = pick(rng) % 3 == 0;
          s.adc.per_crossbar = 1 + pick(rng) % g.cols;
          s.dac_skip_zero_digits = pick(rng) % 2 == 0;
          const MappedLayer layer = map_layer(policy, w, g, "layer");
          bool batched = false;
          for (const auto& crossbar : layer.crossbars) {
            CrossbarEngine engine(crossbar, g, s);
            if (!engine.split() || !engine.split_int8()) continue;
            WideMatrix y(x.rows, n);
            EventCounts counts;
            engine.run_batch(x, y.data.data(), n, counts);
            EXPECT_EQ(engine.int8_batched_vectors() + engine.saturating_batched_vectors(), x.rows);
            EXPECT_EQ(engine.saturating_batched_vectors() != 0, engine.split_saturating());
            saturating_vectors += engine.saturating_batched_vectors();
            int8_vectors += engine.int8_batched_vectors();
            zero_cycles += engine.int8_zero_cycles();
            batched = true;
          }
          const LayerResult reference = run(layer, x, s, "reference");
          const LayerResult fast = run(layer, x, s, "fast");
          SCOPED_TRACE(std::string(portable ? "portable" : "vnni if present") + " cell " +
                       std::to_string(cell_bits) + " dac " + std::to_string(dac_bits) + " " + mode +
                       (input_signed ? " signed" : "") + " vectors " + std::to_string(vectors));
          EXPECT_EQ(reference.outputs.data, fast.outputs.data);
          expect_same_counts(reference.counts, fast.counts);
          EXPECT_DOUBLE_EQ(reference.latency_ns, fast.latency_ns);
          batched_runs += batched ? 1 : 0;
          portable_runs += batched && portable ? 1 : 0;
          multi_block_runs += batched && vectors > kernels::kClipBlock ? 1 : 0;
          clipped += batched ? reference.counts.clipped_conversions : 0;
        }
      }
    }
  }
  kernels::force_portable_int8_product(false);
  kernels::force_portable_saturating_sums(false);
  EXPECT_GE(batched_runs, 24U);
  EXPECT_GT(portable_runs, 0U);
  EXPECT_GT(saturating_vectors, 0U);
  EXPECT_GT(int8_vectors, 0U);
  EXPECT_GT(multi_block_runs, 0U);
  EXPECT_GT(clipped, 0U);
  EXPECT_GT(zero_cycles, 0U);
}

}  // namespace
}  // namespace cimsim
