#include "sim/hw/chip.h"

#include <fnmatch.h>

#include <algorithm>

namespace cimsim {

using sc_core::sc_time;

Chip::Chip(const sc_core::sc_module_name& name, ChipPlan plan, const MacroSettings& settings)
    : sc_module(name),
      plan_(std::move(plan)),
      interconnect_(InterconnectRegistry::instance().create(
          settings.chip.interconnect, "interconnect", settings.chip, ns_time(settings.clock_ns))),
      accumulator_("accumulator", settings.chip.accumulator_adds_per_ns,
                   ns_time(settings.clock_ns)) {
  tiles_.reserve(plan_.tiles);
  for (std::uint64_t t = 0; t < plan_.tiles; ++t) {
    const std::string tile_name = "tile" + std::to_string(t);
    tiles_.push_back(std::make_unique<Tile>(tile_name.c_str(), settings,
                                            [this](const sc_time& end) { tile_finished(end); }));
    tiles_.back()->interconnect(*interconnect_);
    tiles_.back()->accumulator(accumulator_);
  }
}

void Chip::start_layer(std::size_t index, std::uint64_t vectors) {
  const LayerPlan& layer = plan_.layers.at(index);
  const sc_time now = sc_core::sc_time_stamp();
  latest_compute_ = now;
  latest_end_ = now;
  running_ = vectors == 0 ? 0 : layer.tiles.size();
  if (running_ == 0) {
    done_.notify(sc_core::SC_ZERO_TIME);
    return;
  }
  for (const TileWork& work : layer.tiles) {
    tiles_[static_cast<std::size_t>(work.tile)]->start(static_cast<int>(index), work, vectors,
                                                       layer.cycles_per_vector);
  }
}

void Chip::tile_finished(const sc_time& end) {
  const sc_time now = sc_core::sc_time_stamp();
  latest_compute_ = std::max(latest_compute_, now);
  latest_end_ = std::max(latest_end_, end);
  if (--running_ == 0) done_.notify(latest_end_ - now);
}

StatisticSet Chip::statistics(double run_ns) const {
  StatisticSet set;
  Tile::statistics(tiles_, set, run_ns);
  interconnect_->statistics(set, run_ns);
  accumulator_.statistics(set, run_ns);
  return set;
}

std::size_t Chip::enable_tracing(sc_core::sc_trace_file* file,
                                 const std::vector<std::string>& patterns) {
  std::size_t traced = 0;
  for (const auto& tile : tiles_) {
    const bool selected = std::any_of(patterns.begin(), patterns.end(), [&tile](const auto& p) {
      return fnmatch(p.c_str(), tile->name(), 0) == 0;
    });
    if (!selected) continue;
    tile->enable_tracing(file);
    ++traced;
  }
  return traced;
}

}  // namespace cimsim
