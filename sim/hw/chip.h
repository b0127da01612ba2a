// The timing model of the chip: one Tile module per tile that holds a crossbar, the interconnect
// (a registered kind) and the accumulator, joined by sc_ports. The number of SystemC processes
// is the number of tiles (one SC_METHOD each) and never depends on how many crossbars a tile
// holds. The chip replays the static ChipPlan in simulated time: a layer job starts every tile
// that holds one of the layer's crossbars, and the layer's tiles are done when the last of them
// has computed and its partial sums have been added.
#pragma once

#include <memory>
#include <vector>

#include <systemc>

#include "sim/hw/accumulator_unit.h"
#include "sim/hw/chip_plan.h"
#include "sim/hw/interconnect.h"
#include "sim/hw/tile.h"

namespace cimsim {

class Chip : public sc_core::sc_module {
 public:
  Chip(const sc_core::sc_module_name& name, ChipPlan plan, const MacroSettings& settings);

  // Starts layer `index` on `vectors` input vectors now (from a process). `done()` fires when
  // every tile of the layer has finished and its partial sums have been added.
  void start_layer(std::size_t index, std::uint64_t vectors);
  [[nodiscard]] const sc_core::sc_event& done() const { return done_; }
  // When the last tile of the current layer finished computing (before its sums were added).
  [[nodiscard]] const sc_core::sc_time& tiles_computed() const { return latest_compute_; }

  [[nodiscard]] const ChipPlan& plan() const { return plan_; }
  [[nodiscard]] const std::vector<std::unique_ptr<Tile>>& tiles() const { return tiles_; }
  [[nodiscard]] InterconnectStats interconnect_stats() const { return interconnect_->stats(); }
  [[nodiscard]] const AccumulatorUnit& accumulator() const { return accumulator_; }
  // Every module's statistics over a run of `run_ns`.
  [[nodiscard]] StatisticSet statistics(double run_ns) const;
  // Traces the tiles whose names match one of the glob patterns; returns how many.
  std::size_t enable_tracing(sc_core::sc_trace_file* file,
                             const std::vector<std::string>& patterns);

 private:
  void tile_finished(const sc_core::sc_time& end);

  ChipPlan plan_;
  std::unique_ptr<Interconnect> interconnect_;
  AccumulatorUnit accumulator_;
  std::vector<std::unique_ptr<Tile>> tiles_;
  sc_core::sc_event done_;
  std::size_t running_ = 0;
  sc_core::sc_time latest_compute_;
  sc_core::sc_time latest_end_;
};

}  // namespace cimsim
