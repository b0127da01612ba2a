// Small cases computed by hand from crossbar-model.md sections 3-9.
//
// One output, K = 4 weights q = [3, 1, 0, -2], 3-bit weights (2-bit differential magnitudes),
// 1-bit cells, so 4 slice columns: (+,0) = [1,1,0,0], (+,1) = [1,0,0,0], (-,0) = [0,0,0,0]
// (gated), (-,1) = [0,0,0,1]. Bounds with 1-bit DACs: 2, 1, 0, 1; lossless bits 2, 1, 0, 1.
// Input x = [3, 3, 1, 2] (2 bits): cycle 0 digits [1,1,1,0], cycle 1 digits [1,1,0,1].
// Column sums: cycle 0: 2, 1, -, 0; cycle 1: 2, 1, -, 1. Exact y = 9 + 3 + 0 - 4 = 8.
#include <gtest/gtest.h>

#include "sim/hw/accelerator.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/workload/run_timing.h"
#include "tests/systemc_test.h"

namespace cimsim {
namespace {

class HandComputed : public testing::SystemCTest {
 protected:
  HandComputed() {
    geometry_.rows = 4;
    geometry_.cols = 4;
    geometry_.weight_bits = 3;
    geometry_.input_bits = 2;
    weights_ = IntMatrix(4, 1);
    weights_.data = {3, 1, 0, -2};
    settings_.t_read_ns = 10.0;
  }

  LayerResult run(const std::vector<std::int32_t>& x_values, std::size_t vectors = 1) {
    layer_ = map_layer("baseline", weights_, geometry_, "tiny");
    IntMatrix x(vectors, 4);
    for (std::size_t t = 0; t < vectors; ++t) {
      std::copy(x_values.begin(), x_values.end(), x.data.begin() + static_cast<long>(4 * t));
    }
    fresh_context();
    Accelerator top("top", {&layer_}, settings_);
    LayerResult result = top.run_layer(0, x);
    (void)top.simulate(chained_schedule({vectors}, 1), {&result});
    return result;
  }

  MappingGeometry geometry_;
  IntMatrix weights_;
  MacroSettings settings_;
  MappedLayer layer_;
};

TEST_F(HandComputed, LosslessIsExactAndCountsEveryEvent) {
  settings_.adc.policy = "capped";
  const LayerResult r = run({3, 3, 1, 2});
  EXPECT_EQ(r.outputs.at(0, 0), 8);
  EXPECT_EQ(r.counts.conversions, 6U);  // 3 converting columns x 2 cycles
  EXPECT_EQ(r.counts.conversions_by_bits.at(2), 2U);
  EXPECT_EQ(r.counts.conversions_by_bits.at(1), 4U);
  EXPECT_EQ(r.counts.gated_columns, 1U);
  EXPECT_EQ(r.counts.allocated_columns, 4U);
  EXPECT_EQ(r.counts.dac_activations, 6U);  // 3 nonzero digits per cycle
  EXPECT_EQ(r.counts.cell_reads, 24U);      // 6 nonzero digits x 4 allocated columns
  EXPECT_EQ(r.counts.input_buffer_reads, 4U);
  EXPECT_EQ(r.counts.shift_adds, 6U);
  EXPECT_EQ(r.counts.clipped_conversions, 0U);
  EXPECT_EQ(r.counts.crossbars, 1U);
}

TEST_F(HandComputed, ClipBelowTheLosslessWidthSaturates) {
  settings_.adc.policy = "fixed";
  settings_.adc.bits = 1;
  settings_.adc.mode = "clip";
  // Column (+,0) sums 2 in both cycles, clipped to code 1:
  // cycle 0: 1*1 + 1*2 - 0*2 = 3; cycle 1: (1*1 + 1*2 - 1*2) * 2 = 2; y = 5.
  const LayerResult r = run({3, 3, 1, 2});
  EXPECT_EQ(r.outputs.at(0, 0), 5);
  EXPECT_EQ(r.counts.clipped_conversions, 2U);
  EXPECT_EQ(r.counts.conversions_by_bits.at(1), 6U);
}

TEST_F(HandComputed, ScaleBelowTheLosslessWidthRoundsWithItsStep) {
  settings_.adc.policy = "fixed";
  settings_.adc.bits = 1;
  settings_.adc.mode = "scale";
  // Column (+,0) has b* = 2, so at 1 bit its step is 2: a sum of 2 is code 1, value 2 (exact).
  EXPECT_EQ(run({3, 3, 1, 2}).outputs.at(0, 0), 8);
  // x = [1, 0, 0, 0]: column (+,0) sums 1, code round(1/2) = floor(1) = 1, value 2; column
  // (+,1) sums 1, value 1 at weight 2: y = 2 + 2 = 4 where the exact product is 3.
  EXPECT_EQ(run({1, 0, 0, 0}).outputs.at(0, 0), 4);
  // Clip at 1 bit gets that one right: codes 1 and 1, y = 1 + 2 = 3.
  settings_.adc.mode = "clip";
  EXPECT_EQ(run({1, 0, 0, 0}).outputs.at(0, 0), 3);
}

TEST_F(HandComputed, PowerGatingMakesAnAllZeroColumnFree) {
  settings_.adc.policy = "fixed";
  settings_.adc.bits = 8;
  const LayerResult gated = run({3, 3, 1, 2});
  EXPECT_EQ(gated.counts.conversions, 6U);
  EXPECT_EQ(gated.counts.gated_columns, 1U);
  settings_.adc.power_gating = false;
  const LayerResult ungated = run({3, 3, 1, 2});
  EXPECT_EQ(ungated.counts.conversions, 8U);  // the all-zero column converts each cycle
  EXPECT_EQ(ungated.counts.gated_columns, 0U);
  EXPECT_EQ(ungated.outputs.at(0, 0), 8);
}

TEST_F(HandComputed, SkippingZeroInputCycles) {
  settings_.adc.skip_zero_input_cycles = true;
  // x = [1, 0, 0, 0]: cycle 1 has every digit 0, so its 3 conversions are skipped.
  const LayerResult r = run({1, 0, 0, 0});
  EXPECT_EQ(r.counts.conversions, 3U);
  EXPECT_EQ(r.counts.skipped_conversions, 3U);
  EXPECT_EQ(r.outputs.at(0, 0), 3);
}

// Cycles (section 9). Capped resolutions 2, 1, 1 on the converting columns (+,0), (+,1), (-,1).
// With 2 ADCs: ADC 0 takes columns 0 and 2 (2 + 1 = 3 ns), ADC 1 column 1 (1 ns): t_adc = 3 ns.
// T = 3 vectors of P = 2 cycles: V = 6.
TEST_F(HandComputed, CyclesWithSharedSarAdcs) {
  settings_.adc.per_crossbar = 2;
  settings_.sample_hold = false;
  EXPECT_DOUBLE_EQ(run({3, 3, 1, 2}, 3).latency_ns, 6 * (10 + 3));  // 78
  settings_.sample_hold = true;
  EXPECT_DOUBLE_EQ(run({3, 3, 1, 2}, 3).latency_ns, 10 + 5 * 10 + 3);  // 63
  settings_.adc.per_crossbar = 1;  // one ADC: 2 + 1 + 1 = 4 ns per cycle
  settings_.t_read_ns = 2.0;
  EXPECT_DOUBLE_EQ(run({3, 3, 1, 2}, 3).latency_ns, 2 + 5 * 4 + 4);  // 26
}

TEST_F(HandComputed, CyclesWithFlashAdcs) {
  settings_.adc.kind = "flash";
  settings_.adc.timing.t_flash_ns = 4.0;
  settings_.adc.per_crossbar = 2;  // ADC 0 converts two columns: t_adc = 8 ns
  settings_.sample_hold = false;
  EXPECT_DOUBLE_EQ(run({3, 3, 1, 2}, 3).latency_ns, 6 * (10 + 8));  // 108
  settings_.sample_hold = true;
  EXPECT_DOUBLE_EQ(run({3, 3, 1, 2}, 3).latency_ns, 10 + 5 * 10 + 8);  // 68
  settings_.t_read_ns = 5.0;
  EXPECT_DOUBLE_EQ(run({3, 3, 1, 2}, 3).latency_ns, 5 + 5 * 8 + 8);  // 53
}

TEST_F(HandComputed, AdderTreeAddsOncePerLayer) {
  // K = 9 weights on 4-row crossbars: 3 row tiles, so ceil(log2(3)) = 2 adder levels of 1 ns.
  weights_ = IntMatrix(9, 1);
  weights_.data = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  layer_ = map_layer("baseline", weights_, geometry_, "tiles");
  fresh_context();
  Accelerator top("top", {&layer_}, settings_);
  IntMatrix x(1, 9);
  x.data = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  LayerResult r = top.run_layer(0, x);
  (void)top.simulate(chained_schedule({1}, 1), {&r});
  EXPECT_EQ(r.outputs.at(0, 0), 9);
  EXPECT_EQ(r.adder_tree_depth, 2);
  // A full tile's only converting column (+,0) holds four 1s: bound 4, 3 bits, t_adc = 3 ns;
  // V = 2 cycles: 10 + 1 * 10 + 3 = 23 ns, plus the adder tree.
  EXPECT_DOUBLE_EQ(r.latency_ns, 23 + 2);
  EXPECT_EQ(r.counts.partial_sum_adds, 2U);
}

TEST_F(HandComputed, AccumulatorOverflowIsReportedNotWrapped) {
  settings_.accumulator_bits = 5;  // holds -16..15; the product is 36
  weights_.data = {3, 3, 3, 3};
  const LayerResult r = run({3, 3, 3, 3}, 1);
  EXPECT_GT(r.counts.accumulator_overflows, 0U);
  weights_.data = {3, 3, 3, 3};
  settings_.accumulator_bits = 32;
  EXPECT_EQ(run({3, 3, 3, 3}, 1).outputs.at(0, 0), 36);
}

}  // namespace
}  // namespace cimsim
