#include "sim/hw/chip.h"

#include <fnmatch.h>

#include <algorithm>

#include "sim/core/errors.h"

namespace cimsim {

using sc_core::sc_time;

Chip::Chip(const sc_core::sc_module_name& name, ChipPlan plan, const MacroSettings& settings)
    : sc_module(name),
      plan_(std::move(plan)),
      t_add_(ns_time(settings.t_add_ns)),
      interconnect_(InterconnectRegistry::instance().create(
          settings.chip.interconnect, "interconnect", settings.chip, ns_time(settings.clock_ns))),
      accumulator_("accumulator", settings.chip.accumulator_adds_per_ns,
                   ns_time(settings.clock_ns)) {
  tiles_.reserve(plan_.tiles);
  for (std::uint64_t t = 0; t < plan_.tiles; ++t) {
    const std::string tile_name = "tile" + std::to_string(t);
    tiles_.push_back(std::make_unique<Tile>(
        tile_name.c_str(), settings,
        [this](std::uint64_t job, const sc_time& end) { tile_finished(job, end); }));
    tiles_.back()->interconnect(*interconnect_);
    tiles_.back()->accumulator(accumulator_);
  }
  load_tiles_.resize(plan_.loads.size());
  for (const LayerPlan& layer : plan_.layers) {
    for (const TileWork& work : layer.tiles) load_tiles_[work.load].push_back(work.tile);
  }
  for (auto& tiles : load_tiles_) {
    std::sort(tiles.begin(), tiles.end());
    tiles.erase(std::unique(tiles.begin(), tiles.end()), tiles.end());
  }
}

std::uint64_t Chip::submit(std::size_t layer, std::int64_t inference, std::uint64_t vectors) {
  const LayerPlan& plan = plan_.layers.at(layer);
  const std::uint64_t id = next_job_++;
  const sc_time& now = sc_core::sc_time_stamp();
  if (vectors == 0 || plan.tiles.empty()) {  // nothing to compute: done at once
    if (job_done_) job_done_(id, now);
    return id;
  }
  Outstanding job;
  job.layer = layer;
  job.inference = inference;
  job.vectors = vectors;
  job.end = now;
  for (const TileWork& work : plan.tiles) {
    if (job.loads.empty() || job.loads.back() != work.load) job.loads.push_back(work.load);
  }
  start_phase(id, outstanding_[id] = job);
  return id;
}

void Chip::start_phase(std::uint64_t id, Outstanding& job) {
  const LayerPlan& plan = plan_.layers[job.layer];
  const std::uint64_t load = job.loads[job.phase];
  if (load != current_load_) {
    // Every crossbar of the load is written at once, row by row: the load's program time on
    // each of its tiles, before their compute jobs (tiles serve jobs in order).
    const LoadPlan& written = plan_.loads[load];
    ++reprogramming_.loads_written;
    reprogramming_.cells += written.cells;
    reprogramming_.time_ns += written.program_ns;
    current_load_ = load;
    for (std::int64_t tile : load_tiles_[load]) {
      TileJob program;
      program.id = kProgramJob;
      program.layer = static_cast<int>(job.layer);
      program.inference = job.inference;
      program.program_ns = written.program_ns;
      tiles_[static_cast<std::size_t>(tile)]->submit(program);
    }
  }
  job.tiles = 0;
  for (const TileWork& work : plan.tiles) {
    if (work.load != load) continue;
    ++job.tiles;
    TileJob compute;
    compute.id = id;
    compute.layer = static_cast<int>(job.layer);
    compute.inference = job.inference;
    compute.work = &work;
    compute.vectors = job.vectors;
    compute.cycles_per_vector = static_cast<std::uint64_t>(plan.cycles_per_vector);
    tiles_[static_cast<std::size_t>(work.tile)]->submit(compute);
  }
}

void Chip::tile_finished(std::uint64_t job, const sc_time& end) {
  if (job == kProgramJob) return;  // the load's compute jobs follow on the same tiles
  const auto it = outstanding_.find(job);
  if (it == outstanding_.end()) throw RuntimeError("chip: a tile finished an unknown job");
  Outstanding& o = it->second;
  o.end = std::max(o.end, end);
  if (--o.tiles > 0) return;
  if (++o.phase < o.loads.size()) {  // the layer goes on in the next load
    start_phase(job, o);
    return;
  }
  // The layer's partial sums meet in its adder tree once they are all there.
  const sc_time done =
      o.end + times(static_cast<std::uint64_t>(plan_.layers[o.layer].adder_tree_depth), t_add_);
  outstanding_.erase(it);
  if (job_done_) job_done_(job, done);
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

void Chip::record_into(Timeline* timeline) {
  for (const auto& tile : tiles_) tile->record_into(timeline);
}

}  // namespace cimsim
