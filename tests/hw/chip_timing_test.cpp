// Section 11 of crossbar-model.md (tiles, shared ADC pools, placement, static power) and the
// contention the architecture adds (docs/architecture.md), on small layers computed by hand, and
// on random cases against a second, plain implementation of section 11 written here.
// The hand-computed layer is tests/hw/tiny_layer.h's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "sim/adc/adc_components.h"
#include "sim/core/errors.h"
#include "sim/hw/accelerator.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/workload/run_timing.h"
#include "tests/hw/tiny_layer.h"
#include "tests/macro/random_layer_case.h"
#include "tests/systemc_test.h"

namespace cimsim {
namespace {

class ChipTiming : public testing::SystemCTest {
 protected:
  ChipTiming() {
    const testing::TinyLayer tiny = testing::tiny_layer();
    geometry_ = tiny.geometry;
    weights_ = tiny.weights;
    settings_ = tiny.settings;
  }

  LayerResult run(std::size_t vectors = 1) {
    layer_ = map_layer("baseline", weights_, geometry_, "tiny");
    IntMatrix x(vectors, 8);
    std::fill(x.data.begin(), x.data.end(), 3);
    fresh_context();
    Accelerator top("top", {&layer_}, settings_);
    LayerResult result = top.run_layer(0, x);
    (void)top.simulate(chained_schedule({vectors}, 1), {&result});
    summary_ = top.chip_summary();
    return result;
  }

  // A statistic the chip's modules declared for the last run.
  double statistic(const std::string& name) const {
    for (const Statistic& s : summary_.statistics.items()) {
      if (s.name == name) return s.value;
    }
    ADD_FAILURE() << "no statistic " << name;
    return -1.0;
  }

  MappingGeometry geometry_;
  IntMatrix weights_;
  MacroSettings settings_;
  MappedLayer layer_;
  ChipSummary summary_;
};

TEST_F(ChipTiming, WithoutAPoolEachCrossbarKeepsSectionNine) {
  const LayerResult r = run();
  ASSERT_EQ(layer_.crossbars.size(), 2U);
  // xbar0: t_adc = 2 ns, 10 + 10 + 2 = 22; xbar1: t_adc = 3 ns, 23; plus one adder level.
  EXPECT_DOUBLE_EQ(r.latency_ns, 24.0);
  EXPECT_DOUBLE_EQ(r.start_ns, 0.0);
  EXPECT_DOUBLE_EQ(r.end_ns, 24.0);
  EXPECT_EQ(summary_.tiles, 2U);
  EXPECT_EQ(summary_.adcs, 8U);  // 4 per crossbar
}

TEST_F(ChipTiming, OneSharedAdcConvertsEveryColumnOfTheTileInTurn) {
  settings_.chip.tile_crossbars = 2;
  settings_.chip.tile_adcs = 1;
  // One ADC: 2 + 1 + 1 + 3 = 7 ns per cycle; 10 + max(10, 7) + 7 = 27, plus the adder level.
  EXPECT_DOUBLE_EQ(run().latency_ns, 28.0);
  EXPECT_EQ(summary_.tiles, 1U);
  EXPECT_EQ(summary_.adcs, 1U);
}

TEST_F(ChipTiming, PoolDealsConvertingColumnsRoundRobinInSlotOrder) {
  settings_.chip.tile_crossbars = 2;
  settings_.chip.tile_adcs = 2;
  // ADC 0 gets xbar0's +0 and -1 (2 + 1 = 3 ns), ADC 1 gets +1 and xbar1's +0 (1 + 3 = 4 ns).
  EXPECT_DOUBLE_EQ(run().latency_ns, 10.0 + 10.0 + 4.0 + 1.0);
}

TEST_F(ChipTiming, ConversionBoundTileWithAndWithoutSampleAndHold) {
  settings_.chip.tile_crossbars = 2;
  settings_.chip.tile_adcs = 1;
  settings_.t_read_ns = 1.0;
  // 3 vectors, V = 6 cycles: 1 + 5 x 7 + 7 = 43, plus the adder level.
  EXPECT_DOUBLE_EQ(run(3).latency_ns, 44.0);
  settings_.sample_hold = false;
  EXPECT_DOUBLE_EQ(run(3).latency_ns, 6.0 * (1.0 + 7.0) + 1.0);
}

TEST_F(ChipTiming, StaticPowerIsPaidByPoweredAdcsOnly) {
  settings_.chip.tile_crossbars = 2;
  settings_.chip.tile_adcs = 8;  // one per column of the tile: 4 converting columns, 4 idle
  // t_adc = 3 ns (the widest column alone): 10 + 10 + 3 + 1 = 24 ns.
  LayerResult r = run();
  EXPECT_DOUBLE_EQ(r.latency_ns, 24.0);
  EXPECT_DOUBLE_EQ(r.powered_adc_ns, 4.0 * 24.0);
  settings_.adc.power_gating = false;  // every ADC of the chip for the whole run
  r = run();
  EXPECT_DOUBLE_EQ(r.powered_adc_ns, 8.0 * 24.0);
}

TEST_F(ChipTiming, WithoutAPoolGatingPowersTheAdcsThatGetAColumn) {
  // xbar0 deals 3 converting columns to 3 of its 4 ADCs, xbar1 one column to one: 4 of 8.
  const LayerResult r = run();
  EXPECT_DOUBLE_EQ(r.powered_adc_ns, 4.0 * 24.0);
  // Without gating every ADC of the chip is powered for the whole run.
  settings_.adc.power_gating = false;
  const LayerResult all = run();
  EXPECT_DOUBLE_EQ(all.powered_adc_ns, 8.0 * all.latency_ns);
}

TEST_F(ChipTiming, AMappingLargerThanTheChipIsRefusedWithBothNumbers) {
  settings_.chip.tiles = 1;
  try {
    run();
    FAIL() << "a 2-crossbar mapping fit a 1-slot chip";
  } catch (const ConfigError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("needs 2 crossbars"), std::string::npos) << what;
    EXPECT_NE(what.find("holds 1"), std::string::npos) << what;
  }
  settings_.chip.tile_crossbars = 2;
  EXPECT_DOUBLE_EQ(run().latency_ns, 24.0);  // fits: one tile, no pool, busiest ADC 3 ns
}

TEST_F(ChipTiming, AnInputBufferPortSlowerThanTheReadsDelaysTheTile) {
  settings_.chip.tile_crossbars = 2;
  settings_.chip.tile_adcs = 1;
  // 3 vectors x 8 rows x 1 B = 24 B. At 0.5 B/ns (48 ns) the 60 ns of reads still dominate.
  settings_.chip.buffer_bytes_per_ns = 0.5;
  EXPECT_DOUBLE_EQ(run(3).latency_ns, 60.0 + 7.0 + 1.0);
  // At 0.25 B/ns the port takes 96 ns; then the pipeline drains (min(10, 7) = 7 ns).
  settings_.chip.buffer_bytes_per_ns = 0.25;
  EXPECT_DOUBLE_EQ(run(3).latency_ns, 96.0 + 7.0 + 1.0);
}

TEST_F(ChipTiming, TilesQueueForASharedBusAndTheAccumulator) {
  // Two tiles (one crossbar each), a 1 B/ns bus. Each fetches 4 B of inputs: tile0 has them at
  // 4 ns, tile1 at 8 ns. tile0 computes 4-24, sends 4 B of partial sums at 24 (bus 24-28) and
  // drains to 26; tile1 computes 8-28, sends 28-32, drains to 31. Last sum in at 32, +1 adder.
  settings_.chip.link_bytes_per_ns = 1.0;
  EXPECT_DOUBLE_EQ(run().latency_ns, 33.0);
  EXPECT_DOUBLE_EQ(statistic("interconnect.busy_ns"), 16.0);
  EXPECT_DOUBLE_EQ(statistic("interconnect.wait_ns"), 4.0);  // tile1's fetch waited 4 ns
  EXPECT_DOUBLE_EQ(statistic("tiles.stall_input_ns"), 4.0 + 8.0);
  EXPECT_DOUBLE_EQ(statistic("interconnect.utilization"), 16.0 / 33.0);
  // The output has parts in both tiles: each partial sum is one add, 2 ns at 0.5 adds/ns:
  // 28-30 and 32-34.
  settings_.chip.accumulator_adds_per_ns = 0.5;
  EXPECT_DOUBLE_EQ(run().latency_ns, 35.0);
  EXPECT_DOUBLE_EQ(statistic("accumulator.busy_ns"), 4.0);
  EXPECT_DOUBLE_EQ(statistic("accumulator.adds"), 2.0);
}

TEST_F(ChipTiming, MeshHopsDelayFartherTiles) {
  // A 2 x 1 mesh, 1 ns per hop: tile0 is 1 hop from the global buffer, tile1 2 hops. tile0:
  // inputs at 1, computes 1-21, sums arrive 22, drains to 23; tile1: inputs at 2, computes
  // 2-22, sums arrive 24, drains to 25. Plus the adder level.
  settings_.chip.interconnect = "mesh";
  settings_.chip.hop_ns = 1.0;
  EXPECT_DOUBLE_EQ(run().latency_ns, 26.0);
}

TEST_F(ChipTiming, AMeshWithoutARouterForEveryTileIsRefused) {
  settings_.chip.interconnect = "mesh";
  settings_.chip.mesh_width = 1;
  settings_.chip.mesh_height = 1;
  EXPECT_THROW(run(), ConfigError);
}

TEST_F(ChipTiming, ABufferThatCannotHoldTwoInputVectorsIsRefused) {
  settings_.chip.buffer_capacity_bytes = 7.0;  // a tile needs 4 B per vector, double-buffered
  EXPECT_THROW(run(), ConfigError);
  settings_.chip.buffer_capacity_bytes = 8.0;
  EXPECT_DOUBLE_EQ(run(3).latency_ns, 10.0 + 5.0 * 10.0 + 3.0 + 1.0);  // one vector per chunk
}

// ---- Random cases against a plain implementation of section 11. ----

struct Expected {
  double latency_ns = 0.0;
  double powered_adc_ns = 0.0;
  std::uint64_t adcs = 0;
  std::uint64_t tiles = 0;
};

double t_conv(int bits, const MacroSettings& s) {
  return s.adc.kind == "sar" ? bits * s.adc.timing.t_bit_ns : s.adc.timing.t_flash_ns;
}

int column_bits(const MappedColumn& column, const MacroSettings& s) {
  if (s.adc.policy == "fixed") return s.adc.bits;
  if (s.adc.policy == "lossless") return std::max(1, column.lossless_bits);
  return std::max(1, std::min(column.lossless_bits, s.adc.bits));
}

// Section 11 read literally: network crossbar i in tile i / S; per layer and tile, the active
// crossbars' converting columns dealt round-robin to the pool (or section 9 per crossbar).
Expected section11(const std::vector<MappedLayer>& layers, const MacroSettings& s,
                   std::size_t vectors, std::vector<double>* layer_ns) {
  const std::uint64_t slots = static_cast<std::uint64_t>(s.chip.tile_crossbars);
  std::uint64_t crossbars = 0;
  for (const auto& layer : layers) crossbars += layer.crossbars.size();
  Expected e;
  e.tiles = (crossbars + slots - 1) / slots;
  e.adcs = s.chip.tile_adcs > 0 ? e.tiles * static_cast<std::uint64_t>(s.chip.tile_adcs)
                                : crossbars * static_cast<std::uint64_t>(s.adc.per_crossbar);
  std::uint64_t index = 0;
  for (const auto& layer : layers) {
    const int n = s.chip.tile_adcs > 0 ? s.chip.tile_adcs : s.adc.per_crossbar;
    // Per tile (pool) or per crossbar (no pool): the ADCs' summed conversion times.
    std::map<std::uint64_t, std::vector<double>> busy;
    std::map<std::uint64_t, std::uint64_t> dealt;
    for (const MappedCrossbar& crossbar : layer.crossbars) {
      const std::uint64_t unit = s.chip.tile_adcs > 0 ? index / slots : index;
      auto& adcs = busy[unit];
      adcs.resize(static_cast<std::size_t>(n), 0.0);
      for (const MappedColumn& column : crossbar.columns) {
        if (s.adc.power_gating && column.bound == 0) continue;
        adcs[dealt[unit]++ % static_cast<std::uint64_t>(n)] += t_conv(column_bits(column, s), s);
      }
      ++index;
    }
    const double cycles =
        static_cast<double>(vectors) *
        ((layer.geometry.input_bits + layer.geometry.dac_bits - 1) / layer.geometry.dac_bits);
    double slowest = 0.0;
    std::uint64_t powered = 0;
    for (const auto& [unit, adcs] : busy) {
      const double t_adc = *std::max_element(adcs.begin(), adcs.end());
      const double t = s.sample_hold
                           ? s.t_read_ns + (cycles - 1) * std::max(s.t_read_ns, t_adc) + t_adc
                           : cycles * (s.t_read_ns + t_adc);
      slowest = std::max(slowest, t);
      powered += std::min<std::uint64_t>(dealt[unit], static_cast<std::uint64_t>(n));
    }
    const double ns =
        layer.crossbars.empty() ? 0.0 : slowest + layer.adder_tree_depth() * s.t_add_ns;
    layer_ns->push_back(ns);
    e.latency_ns += ns;
    e.powered_adc_ns += static_cast<double>(s.adc.power_gating ? powered : e.adcs) * ns;
  }
  return e;
}

TEST_F(ChipTiming, RandomCasesAgreeWithAPlainImplementationOfSectionEleven) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> pick(0, 1000);
  for (int trial = 0; trial < 60; ++trial) {
    testing::RandomLayerCase c = testing::random_layer_case(rng, true);
    MacroSettings& s = c.settings;
    s.t_read_ns = 1.0 + pick(rng) % 20;
    s.adc.timing.t_bit_ns = 1.0 + pick(rng) % 2;
    s.adc.timing.t_flash_ns = 1.0 + pick(rng) % 3;
    s.t_add_ns = pick(rng) % 3;
    s.chip.tile_crossbars = 1 + pick(rng) % 5;
    s.chip.tile_adcs = pick(rng) % 3 == 0 ? 0 : 1 + pick(rng) % (2 * c.geometry.cols);
    // Two layers of the same shape, so tiles hold crossbars of both.
    std::vector<MappedLayer> layers = {map_layer(c.policy, c.weights, c.geometry, "a"),
                                       map_layer(c.policy, c.weights, c.geometry, "b")};
    std::vector<double> expected_ns;
    const Expected expected = section11(layers, s, c.inputs.rows, &expected_ns);
    fresh_context();
    Accelerator top("top", {&layers[0], &layers[1]}, s);
    std::vector<LayerResult> results = {top.run_layer(0, c.inputs), top.run_layer(1, c.inputs)};
    (void)top.simulate(chained_schedule({c.inputs.rows, c.inputs.rows}, 1),
                       {&results[0], &results[1]});
    double latency = 0.0;
    double powered = 0.0;
    for (std::size_t l = 0; l < 2; ++l) {
      const LayerResult& r = results[l];
      EXPECT_NEAR(r.latency_ns, expected_ns[l], 1e-6 * expected_ns[l]) << "trial " << trial;
      latency += r.latency_ns;
      powered += r.powered_adc_ns;
    }
    EXPECT_NEAR(latency, expected.latency_ns, 1e-6 * expected.latency_ns) << "trial " << trial;
    EXPECT_NEAR(powered, expected.powered_adc_ns, 1e-6 * expected.powered_adc_ns + 1e-9)
        << "trial " << trial;
    EXPECT_EQ(top.chip_summary().adcs, expected.adcs) << "trial " << trial;
    EXPECT_EQ(top.chip_summary().tiles, expected.tiles) << "trial " << trial;
  }
}

}  // namespace
}  // namespace cimsim
