// Scheduling in simulated time (sim/hw/schedule.h, sim/hw/scheduler.h) on two layers whose
// stage times are computed by hand, and the timeline file written from the same run.
//
// Both layers are the tiny layer of tests/hw/tiny_layer.h (K = 8 inputs, one output, 4-row
// crossbars, two row tiles, 4 ADCs per crossbar, P = 2 input cycles, t_read 10 ns, busiest ADC 3
// ns, one adder level of 1 ns). With two slots per tile, layer A sits in tile0 and layer B in
// tile1. One vector computes for 2 x max(10, 3) = 20 ns, drains 3 ns, and its sums meet in 1 ns.
// B's vector v reads A's vector v (needs v + 1 of A's vectors).
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "sim/core/errors.h"
#include "sim/hw/accelerator.h"
#include "sim/hw/placement.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/workload/run_timing.h"
#include "tests/hw/tiny_layer.h"
#include "tests/systemc_test.h"

namespace cimsim {
namespace {

class Schedule : public testing::SystemCTest {
 protected:
  Schedule() {
    const testing::TinyLayer tiny = testing::tiny_layer();
    geometry_ = tiny.geometry;
    weights_ = tiny.weights;
    settings_ = tiny.settings;
    settings_.chip.tile_crossbars = 2;
    settings_.chip.simulated_inferences = 3;
  }

  // Runs `inferences` inferences of 3 vectors through A then B under `kind`.
  ScheduleResult run(const std::string& kind, std::uint64_t inferences,
                     Timeline* timeline = nullptr) {
    settings_.chip.schedule = kind;
    layers_ = {map_layer("baseline", weights_, geometry_, "a"),
               map_layer("baseline", weights_, geometry_, "b")};
    for (std::size_t l = 0; l < layer_tiles_.size(); ++l) {
      for (MappedCrossbar& crossbar : layers_[l].crossbars) crossbar.tile = layer_tiles_[l];
    }
    fresh_context();
    Accelerator top("top", {&layers_[0], &layers_[1]}, settings_);
    IntMatrix x(3, 8);
    std::fill(x.data.begin(), x.data.end(), 3);
    results_ = {top.run_layer(0, x), top.run_layer(1, x)};
    ScheduleRequest request = chained_schedule({3, 3}, inferences);
    request.dependencies[1].needs = {1, 2, 3};
    request.dependencies[1].first = {0, 1, 2};
    if (timeline != nullptr) top.record_timeline(timeline);
    return top.simulate(request, {&results_[0], &results_[1]});
  }

  MappingGeometry geometry_;
  IntMatrix weights_;
  MacroSettings settings_;
  std::vector<MappedLayer> layers_;
  std::vector<std::int32_t> layer_tiles_;  // when set, each layer's crossbars sit in this tile
  std::vector<LayerResult> results_;
};

TEST_F(Schedule, SequentialRunsOneLayerAfterTheOther) {
  // A: 10 + 5 x 10 + 3 + 1 = 64 ns; B the same from 64.
  const ScheduleResult s = run("sequential", 1);
  EXPECT_DOUBLE_EQ(s.inference_ns, 128.0);
  EXPECT_DOUBLE_EQ(results_[1].start_ns, 64.0);
  EXPECT_DOUBLE_EQ(results_[1].end_ns, 128.0);
}

TEST_F(Schedule, PipelinedLayerStartsOnAVectorAsSoonAsItsInputExists) {
  // A's vectors complete at 24, 44 and 64 (computed 0-20, 20-40, 40-60; +3 drain, +1 adder).
  // B takes each then: computes 24-44, 44-64, 64-84 and completes at 48, 68 and 88.
  const ScheduleResult s = run("pipelined", 1);
  EXPECT_DOUBLE_EQ(s.inference_ns, 88.0);
  EXPECT_DOUBLE_EQ(results_[0].end_ns, 64.0);
  EXPECT_DOUBLE_EQ(results_[1].start_ns, 24.0);
  EXPECT_DOUBLE_EQ(results_[1].end_ns, 88.0);
  EXPECT_DOUBLE_EQ(results_[1].single_inference_ns, 64.0);
}

TEST_F(Schedule, PipelinedThroughputIsTheSpacingOfCompletions) {
  // The next inference enters when the previous one has left A (64 ns), so inferences complete
  // at 88, 152 and 216 ns: 64 ns apart. Sequential: every 128 ns.
  const ScheduleResult p = run("pipelined", 3);
  EXPECT_DOUBLE_EQ(p.inference_ns, 88.0);
  EXPECT_DOUBLE_EQ(p.interval_ns, 64.0);
  EXPECT_DOUBLE_EQ(p.run_ns, 216.0);
  EXPECT_DOUBLE_EQ(p.throughput_per_s(), 1e9 / 64.0);
  // A run of 100 inferences extrapolates from the 3 simulated: 88 + 99 x 64.
  const ScheduleResult many = run("pipelined", 100);
  EXPECT_EQ(many.simulated_inferences, 3U);
  EXPECT_DOUBLE_EQ(many.run_ns, 88.0 + 99.0 * 64.0);
  // A is under way 0-64, 64-128, 128-192: the union grows by 64 per inference.
  EXPECT_DOUBLE_EQ(results_[0].latency_ns, 100.0 * 64.0);
  const ScheduleResult s = run("sequential", 3);
  EXPECT_DOUBLE_EQ(s.interval_ns, 128.0);
  EXPECT_DOUBLE_EQ(s.run_ns, 384.0);
  EXPECT_DOUBLE_EQ(results_[0].latency_ns + results_[1].latency_ns, 384.0);
}

TEST_F(Schedule, TheBufferBetweenLayersHoldsWhatTheConsumerStillNeeds) {
  // Pipelined: A's v1 is complete at 44 while B still computes v0 (done at 48): 2 vectors held.
  // Sequential: all 3 of A's vectors wait for B. One output of 1 B per vector.
  (void)run("pipelined", 1);
  EXPECT_DOUBLE_EQ(results_[0].output_buffer_peak_bytes, 2.0);
  EXPECT_DOUBLE_EQ(results_[1].output_buffer_peak_bytes, 0.0);  // nobody reads B
  (void)run("sequential", 1);
  EXPECT_DOUBLE_EQ(results_[0].output_buffer_peak_bytes, 3.0);
  // A's one tile with a 1 B output buffer cannot hold 2 B.
  settings_.chip.output_buffer_capacity_bytes = 1.0;
  EXPECT_THROW(run("pipelined", 1), ConfigError);
  settings_.chip.output_buffer_capacity_bytes = 2.0;
  EXPECT_NO_THROW(run("pipelined", 1));
}

TEST_F(Schedule, AChipSmallerThanTheNetworkIsReprogrammedLoadByLoad) {
  // One tile of two slots holds one layer at a time: load 0 = A, load 1 = B. Writing a load
  // takes its crossbars' 4 rows x 50 ns = 200 ns. Inference 0: A 0-64, write B 64-264, B
  // 264-328. Every later inference writes A back, then B: 200 + 64 + 200 + 64 = 528 ns.
  settings_.chip.tiles = 1;
  settings_.chip.placement = "time_multiplexed";
  settings_.chip.write_pulse_ns = 50.0;
  const ScheduleResult s = run("sequential", 3);
  EXPECT_DOUBLE_EQ(s.inference_ns, 328.0);
  EXPECT_DOUBLE_EQ(s.interval_ns, 528.0);
  EXPECT_DOUBLE_EQ(s.run_ns, 328.0 + 2.0 * 528.0);
  EXPECT_EQ(s.inference_reprogramming.loads_written, 1U);
  EXPECT_DOUBLE_EQ(s.inference_reprogramming.time_ns, 200.0);
  EXPECT_DOUBLE_EQ(s.run_loads_written, 5.0);  // 1 + 2 + 2
  EXPECT_DOUBLE_EQ(s.run_program_ns, 1000.0);
  // Each load: 2 crossbars x 4 rows x 4 allocated columns = 32 cells.
  EXPECT_DOUBLE_EQ(s.run_cells_written, 5.0 * 32.0);
  // 1000 inferences: 1 + 999 x 2 loads written.
  EXPECT_DOUBLE_EQ(run("sequential", 1000).run_loads_written, 1.0 + 999.0 * 2.0);
}

TEST_F(Schedule, ATimeMultiplexedChipCannotPipelineItsLayers) {
  settings_.chip.tiles = 1;
  settings_.chip.placement = "time_multiplexed";
  EXPECT_THROW(run("pipelined", 1), ConfigError);
  settings_.chip.tiles = 2;  // both layers fit: one load, pipelining allowed
  EXPECT_DOUBLE_EQ(run("pipelined", 1).inference_ns, 88.0);
}

TEST_F(Schedule, ThePlacementTheLayersCarryIsTheOneThatRuns) {
  // Four slots per tile: the fixed placement puts both layers in tile0, where B's vectors wait
  // for A's; placed by hand (as a trace places them) in tile0 and tile1, the layers overlap as
  // with two slots per tile (88 ns, PipelinedLayerStartsOnAVectorAsSoonAsItsInputExists).
  settings_.chip.tile_crossbars = 4;
  const double shared = run("pipelined", 1).inference_ns;
  layer_tiles_ = {0, 1};
  EXPECT_DOUBLE_EQ(run("pipelined", 1).inference_ns, 88.0);
  EXPECT_GT(shared, 88.0);
}

TEST_F(Schedule, APlacementThatDoesNotFitTheChipIsRefusedNamingTheKey) {
  layers_ = {map_layer("baseline", weights_, geometry_, "a"),
             map_layer("baseline", weights_, geometry_, "b")};
  const auto refused = [this](const std::string& key) {
    try {
      (void)placed_slots({&layers_[0], &layers_[1]}, settings_.chip);
      ADD_FAILURE() << "expected a refusal naming " << key;
    } catch (const KeyedConfigError& e) {
      EXPECT_EQ(e.key(), key) << e.what();
    }
  };
  for (auto& layer : layers_) {
    for (auto& crossbar : layer.crossbars) crossbar.tile = 0;
  }
  refused("hardware.tile.crossbars");  // four crossbars in a tile of two slots
  layers_[0].crossbars[1].tile = 1;
  layers_[1].crossbars[0].tile = 5;
  layers_[1].crossbars[1].tile = 5;
  settings_.chip.tiles = 4;
  refused("hardware.tiles");  // tile 5 of a 4-tile chip
  settings_.chip.tiles = 0;
  layers_[0].crossbars[1].tile = 0;
  layers_[0].crossbars[0].tile = 2;
  layers_[0].crossbars.push_back(layers_[0].crossbars[0]);  // tiles 2, 0, 2: tile 2 split
  refused("workload.trace");
  layers_[0].crossbars.pop_back();
  layers_[1].crossbars[1].tile = -1;  // placed in part
  refused("workload.trace");
  layers_[1].crossbars[1].tile = 5;
  EXPECT_EQ(placed_slots({&layers_[0], &layers_[1]}, settings_.chip).size(), 4U);
}

TEST_F(Schedule, TimelineHoldsTheHandComputedSpans) {
  Timeline timeline;
  (void)run("pipelined", 1, &timeline);
  std::vector<std::tuple<std::string, std::string, double, double>> spans;
  for (const TimelineEvent& e : timeline.events()) {
    spans.emplace_back(e.track, e.name, e.start_ns, e.duration_ns);
  }
  std::sort(spans.begin(), spans.end());
  const std::vector<std::tuple<std::string, std::string, double, double>> expected = {
      {"top.chip.tile0", "compute", 0.0, 20.0},  {"top.chip.tile0", "compute", 20.0, 20.0},
      {"top.chip.tile0", "compute", 40.0, 20.0}, {"top.chip.tile1", "compute", 24.0, 20.0},
      {"top.chip.tile1", "compute", 44.0, 20.0}, {"top.chip.tile1", "compute", 64.0, 20.0},
      {"top.chip.tile1", "idle", 0.0, 24.0}};
  EXPECT_EQ(spans, expected);
  // The file: one process, a named track per tile, complete events in microseconds.
  const auto json = nlohmann::json::parse(timeline.to_json({"a", "b"}));
  int complete = 0;
  for (const auto& event : json["traceEvents"]) {
    if (event["ph"] != "X") continue;
    ++complete;
    if (event["name"] == "compute" && event["args"]["layer"] == "b") {
      EXPECT_GE(event["ts"].get<double>(), 0.024 - 1e-12);
    }
  }
  EXPECT_EQ(complete, 7);
}

}  // namespace
}  // namespace cimsim
