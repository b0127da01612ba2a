// The timing model of the chip: one Tile module per tile that holds a crossbar, the interconnect
// (a registered kind) and the accumulator, joined by sc_ports. The number of SystemC processes
// is the number of tiles (one SC_METHOD each) and never depends on how many crossbars a tile
// holds. The chip replays the static ChipPlan in simulated time: a layer job (vectors of one
// inference) is queued on every tile that holds one of the layer's crossbars, and it is done
// when the last of them has drained and its partial sums have been added, plus the layer's adder
// tree (section 9).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <systemc>

#include "sim/hw/accumulator_unit.h"
#include "sim/hw/chip_plan.h"
#include "sim/hw/interconnect.h"
#include "sim/hw/tile.h"

namespace cimsim {

// What reprogramming a time-multiplexed chip has cost so far.
struct ReprogrammingStats {
  std::uint64_t loads_written = 0;  // times the chip switched to another load
  std::uint64_t cells = 0;          // cells written
  double time_ns = 0.0;             // spent writing (the chip computes nothing meanwhile) [ns]
};

class Chip : public sc_core::sc_module {
 public:
  // `job_done(job, end)` is called once per submitted job, at or before `end`, the time the job
  // is complete.
  using JobDone = std::function<void(std::uint64_t, const sc_core::sc_time&)>;

  Chip(const sc_core::sc_module_name& name, ChipPlan plan, const MacroSettings& settings);

  void on_job_done(JobDone job_done) { job_done_ = std::move(job_done); }
  // Loads written so far (time-multiplexed placement).
  [[nodiscard]] const ReprogrammingStats& reprogramming() const { return reprogramming_; }
  // Queues `vectors` vectors of layer `layer` for inference `inference` on the layer's tiles now
  // (from a process); returns the job's id.
  std::uint64_t submit(std::size_t layer, std::int64_t inference, std::uint64_t vectors);

  [[nodiscard]] const ChipPlan& plan() const { return plan_; }
  [[nodiscard]] const std::vector<std::unique_ptr<Tile>>& tiles() const { return tiles_; }
  [[nodiscard]] InterconnectStats interconnect_stats() const { return interconnect_->stats(); }
  [[nodiscard]] const AccumulatorUnit& accumulator() const { return accumulator_; }
  // Every module's statistics over a run of `run_ns`.
  [[nodiscard]] StatisticSet statistics(double run_ns) const;
  // Traces the tiles whose names match one of the glob patterns; returns how many.
  std::size_t enable_tracing(sc_core::sc_trace_file* file,
                             const std::vector<std::string>& patterns);
  // Records every tile's spans into `timeline`.
  void record_into(Timeline* timeline);

 private:
  struct Outstanding {
    std::size_t layer = 0;
    std::int64_t inference = 0;
    std::uint64_t vectors = 0;
    std::vector<std::uint64_t> loads;  // the layer's loads, in order (one phase each)
    std::size_t phase = 0;
    std::size_t tiles = 0;  // still working on the current phase
    sc_core::sc_time end;   // latest end so far
  };
  // Queues the current phase of job `id`: writes its load first when the chip holds another.
  void start_phase(std::uint64_t id, Outstanding& job);
  void tile_finished(std::uint64_t job, const sc_core::sc_time& end);

  static constexpr std::uint64_t kProgramJob = ~std::uint64_t{0};

  ChipPlan plan_;
  sc_core::sc_time t_add_;
  std::unique_ptr<Interconnect> interconnect_;
  AccumulatorUnit accumulator_;
  std::vector<std::unique_ptr<Tile>> tiles_;
  JobDone job_done_;
  std::map<std::uint64_t, Outstanding> outstanding_;
  std::uint64_t next_job_ = 0;
  std::vector<std::vector<std::int64_t>> load_tiles_;  // per load: the tiles it uses
  std::uint64_t current_load_ = 0;  // the load the chip holds (programmed before the run: 0)
  ReprogrammingStats reprogramming_;
};

}  // namespace cimsim
