// The top module. The functional model: one LayerUnit per mapped layer with its crossbar macros,
// whose arithmetic runs outside simulated time (on every core); the host calls run_layer() per
// layer and batch, with the digital work between layers (activation, pooling) in between. The
// timing model: the Chip (tiles, ADC pools, interconnect, accumulator; sim/hw/chip.h) and the
// Scheduler (sim/hw/scheduler.h) that drives it through the run's inferences once the host has
// said what one inference is (simulate()). Timing does not depend on the data (the ADC plans fix
// every t_adc), so it is simulated once per run, whatever the batch size; latency is read from
// sc_time_stamp().
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "sim/core/event_counts.h"
#include "sim/hw/chip.h"
#include "sim/hw/crossbar_macro.h"
#include "sim/hw/exact_layer_counts.h"
#include "sim/hw/scheduler.h"
#include "sim/mapping/int_matrix.h"
#include "sim/mapping/mapped_layer.h"

namespace cimsim {

// What one crossbar of a layer did, for the per-crossbar statistics of the results folder.
struct CrossbarStats {
  std::uint64_t rows = 0;  // wordlines used
  std::uint64_t allocated_columns = 0;
  std::uint64_t gated_columns = 0;
  std::uint64_t conversions = 0;  // over all vectors [count]
  std::uint64_t clipped_conversions = 0;
  double adc_time_ns = 0.0;  // busiest ADC per input cycle, its own ADCs alone [ns]
  std::int64_t tile = 0;     // the tile it sits in
  int section = -1;          // SWS section index, or -1
  int row_tile = -1;         // baseline row tile, or -1
};

// Columns of a layer by ADC resolution ("gated" for power-gated ones), and their conversions.
struct ColumnClass {
  std::uint64_t columns = 0;
  std::uint64_t conversions = 0;
};

struct LayerResult {
  // Adds a later batch on the same hardware: dynamic counts add, static ones stay.
  void add_batch(const LayerResult& batch);

  std::string name;
  WideMatrix outputs;  // T x N integer results (before dequantization)
  EventCounts counts;  // totals over the T vectors and all crossbars of the layer
  // Timing (Accelerator::simulate): the time the layer's work is under way over the run, its
  // start and end within inference 0 (from the run's start), and its adder tree per job [ns].
  double latency_ns = 0.0;
  double start_ns = 0.0;
  double end_ns = 0.0;
  double adder_tree_ns = 0.0;
  int adder_tree_depth = 0;
  double max_adc_time_ns = 0.0;  // busiest ADC's conversions in one input cycle [ns]
  std::uint64_t tiles = 0;       // tiles holding a crossbar of the layer
  std::uint64_t adcs = 0;        // ADCs serving the layer (pools, or per_crossbar each)
  double powered_adc_ns = 0.0;   // sum over ADCs of their powered time [ns] (section 11)
  double link_byte_hops = 0.0;   // bytes moved on the interconnect x their hops [B hop]
  std::uint64_t vectors = 0;
  // Peak bytes of the layer's outputs held for the layers that read them (its tiles' output
  // buffers) [B].
  double output_buffer_peak_bytes = 0.0;
  double run_share_ns = 0.0;         // its share of the run, for chip-wide static power [ns]
  double single_inference_ns = 0.0;  // end_ns - start_ns: the layer within one inference [ns]
  std::vector<CrossbarStats> crossbars;
  std::map<int, ColumnClass> column_classes;  // resolution [bit] (0 = gated) -> columns
};

// The chip as a whole, for the totals of the report.
struct ChipSummary {
  std::uint64_t tiles = 0;      // tiles holding a crossbar
  std::uint64_t adcs = 0;       // ADCs of the chip
  std::uint64_t loads = 1;      // weight loads of a time-multiplexed chip (1: it holds the network)
  std::uint64_t crossbars = 0;  // crossbar slots the chip has in use (one load's at most)
  int interconnect_links = 1;
  StatisticSet statistics;  // every module's, over the run
};

class LayerUnit : public sc_core::sc_module {
 public:
  // `layer_index` (the layer's position in the accelerator) and each macro's index make the
  // crossbar id that keys its device and ADC random draws.
  LayerUnit(const sc_core::sc_module_name& name, const MappedLayer& layer,
            const MacroSettings& settings, std::size_t layer_index = 0);
  [[nodiscard]] const MappedLayer& layer() const { return layer_; }
  std::vector<std::unique_ptr<CrossbarMacro>> macros;

 private:
  const MappedLayer& layer_;
};

class Accelerator : public sc_core::sc_module {
 public:
  // trace_patterns: glob patterns over macro names (e.g. "*.fc1.xbar0"); a VCD is written to
  // vcd_path only when some macro matches.
  Accelerator(const sc_core::sc_module_name& name, const std::vector<const MappedLayer*>& layers,
              const MacroSettings& settings, const std::vector<std::string>& trace_patterns = {},
              const std::string& vcd_path = "");
  ~Accelerator() override;
  Accelerator(const Accelerator&) = delete;
  Accelerator& operator=(const Accelerator&) = delete;

  // Computes layer `index` on T input vectors (T x K): its outputs and counts (no timing; traced
  // macros step their cycles in simulated time for the waveform).
  [[nodiscard]] LayerResult run_layer(std::size_t index, const IntMatrix& inputs);
  // Simulates the run's schedule on the chip and gives each layer's result its times and powered
  // ADC-time (`layers[i]` is layer i's result over the run). Call once, after the last batch.
  [[nodiscard]] ScheduleResult simulate(const ScheduleRequest& request,
                                        const std::vector<LayerResult*>& layers);
  // Records the chip's spans during simulate() into `timeline`.
  void record_timeline(Timeline* timeline) {
    timeline->set_origin_ns(to_ns(sc_core::sc_time_stamp()));
    chip_->record_into(timeline);
  }
  // Whether layer `index` runs as one exact product: no crossbar of it can clip, round or
  // overflow, none is traced and zero-cycle skipping is off.
  [[nodiscard]] bool layer_is_exact(std::size_t index) const { return exact_[index]; }
  // The integer weights layer `index`'s crossbars hold (K x N), rebuilt from its cells on the
  // first call (in the constructor for an exact layer, which multiplies by them): the run's one
  // copy, which the workloads' integer-ideal product uses too.
  [[nodiscard]] const IntMatrix& layer_weights(std::size_t index);
  [[nodiscard]] ChipSummary chip_summary() const;

 private:
  // Sets the layer's peak output-buffer bytes from `vectors` held; refuses (KeyedConfigError) a
  // peak its tiles' output buffers cannot hold.
  void check_output_buffer(std::size_t index, std::uint64_t vectors, LayerResult& result) const;
  void run_traced(std::size_t index, const IntMatrix& inputs, WideMatrix& outputs);
  void open_traces(const std::vector<std::string>& trace_patterns, const std::string& vcd_path);
  [[nodiscard]] sc_core::sc_trace_file* trace_file(const std::string& vcd_path);
  // Adds the macros' counts and static description of layer `index` to its result; for an
  // exact layer, whose counts run_layer took from exact_counts_, `exact_conversions` holds its
  // crossbars' conversions.
  void collect(std::size_t index, LayerResult& result,
               const std::vector<std::uint64_t>* exact_conversions) const;

  MacroSettings settings_;
  std::vector<std::unique_ptr<LayerUnit>> layers_;
  std::unique_ptr<Chip> chip_;
  std::unique_ptr<Scheduler> scheduler_;
  std::vector<std::vector<CrossbarMacro*>> traced_;  // per layer: macros with a process
  std::vector<std::vector<std::int64_t>> tile_of_;   // per layer, per crossbar: its tile
  std::vector<bool> exact_;                          // per layer: it runs as one integer product
  std::vector<IntMatrix> weights_;                   // per layer: its integer weights, once rebuilt
  std::vector<std::unique_ptr<ExactLayerCounts>> exact_counts_;  // per exact layer: its counting
  std::vector<std::vector<CrossbarStats>> crossbar_stats_;  // per layer: static per-crossbar facts
  std::vector<std::map<int, ColumnClass>> column_classes_;  // per layer: columns by resolution
  sc_core::sc_trace_file* trace_file_ = nullptr;
  double simulated_ns_ = 0.0;  // of the schedule, for the statistics
};

}  // namespace cimsim
