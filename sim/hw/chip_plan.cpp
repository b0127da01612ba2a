#include "sim/hw/chip_plan.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "sim/adc/adc_components.h"
#include "sim/core/errors.h"
#include "sim/energy/adc_energy_model.h"

namespace cimsim {
namespace {

// Section 11's deal: the converting columns of the tile's active crossbars, in slot order and
// within a crossbar in column order, go round-robin to the pool's n ADCs.
void deal_to_pool(TileWork& work, const std::vector<const CrossbarEngine*>& layer, int pool,
                  const AdcKind& kind, const AdcTimingParams& timing) {
  std::vector<double> busy_ns(static_cast<std::size_t>(pool), 0.0);
  std::uint64_t column = 0;
  for (std::size_t i = work.first; i < work.first + work.count; ++i) {
    for (const ColumnAdcPlan& plan : layer[i]->plan()) {
      if (plan.gated) continue;
      busy_ns[column % static_cast<std::uint64_t>(pool)] += kind.conversion_ns(plan.bits, timing);
      ++column;
    }
  }
  work.converting_columns = column;
  work.t_adc_ns = *std::max_element(busy_ns.begin(), busy_ns.end());
  work.adcs = static_cast<std::uint64_t>(pool);
  work.powered_adcs = std::min<std::uint64_t>(column, static_cast<std::uint64_t>(pool));
}

// Without a pool every crossbar keeps its own per_crossbar ADCs, dealt by the engine (section 9).
void deal_per_crossbar(TileWork& work, const std::vector<const CrossbarEngine*>& layer,
                       int per_crossbar) {
  for (std::size_t i = work.first; i < work.first + work.count; ++i) {
    const std::uint64_t converting = layer[i]->converting_columns().size();
    work.converting_columns += converting;
    work.t_adc_ns = std::max(work.t_adc_ns, layer[i]->adc_time_ns());
    work.adcs += static_cast<std::uint64_t>(per_crossbar);
    work.powered_adcs +=
        std::min<std::uint64_t>(converting, static_cast<std::uint64_t>(per_crossbar));
  }
}

void count_traffic(TileWork& work, const std::vector<const CrossbarEngine*>& layer,
                   double input_bytes) {
  std::vector<std::int32_t> inputs;
  std::vector<std::int32_t> outputs;
  std::uint64_t rows = 0;
  for (std::size_t i = work.first; i < work.first + work.count; ++i) {
    const MappedCrossbar& crossbar = layer[i]->crossbar();
    rows += crossbar.gather.size();
    inputs.insert(inputs.end(), crossbar.gather.begin(), crossbar.gather.end());
    outputs.insert(outputs.end(), crossbar.outputs.begin(), crossbar.outputs.end());
  }
  std::sort(inputs.begin(), inputs.end());
  std::sort(outputs.begin(), outputs.end());
  const auto distinct_inputs = std::unique(inputs.begin(), inputs.end()) - inputs.begin();
  const auto distinct_outputs = std::unique(outputs.begin(), outputs.end()) - outputs.begin();
  work.read_bytes_per_vector = static_cast<double>(rows) * input_bytes;
  work.fetch_bytes_per_vector = static_cast<double>(distinct_inputs) * input_bytes;
  work.outputs = static_cast<std::uint64_t>(distinct_outputs);
}

// Outputs whose parts sit in more than one tile: their partial sums meet in the accumulator.
void count_split_outputs(LayerPlan& plan, const std::vector<const CrossbarEngine*>& layer) {
  // Where an output's first part sits: its TileWork (a tile of one load).
  std::unordered_map<std::int32_t, const TileWork*> first_tile;
  std::unordered_map<std::int32_t, bool> split;
  for (const TileWork& work : plan.tiles) {
    for (std::size_t i = work.first; i < work.first + work.count; ++i) {
      for (std::int32_t output : layer[i]->crossbar().outputs) {
        const auto [it, inserted] = first_tile.emplace(output, &work);
        if (!inserted && it->second != &work) split[output] = true;
      }
    }
  }
  for (TileWork& work : plan.tiles) {
    std::vector<std::int32_t> outputs;
    for (std::size_t i = work.first; i < work.first + work.count; ++i) {
      const auto& own = layer[i]->crossbar().outputs;
      outputs.insert(outputs.end(), own.begin(), own.end());
    }
    std::sort(outputs.begin(), outputs.end());
    outputs.erase(std::unique(outputs.begin(), outputs.end()), outputs.end());
    for (std::int32_t output : outputs) work.split_outputs += split.count(output);
  }
}

void place_mesh(ChipPlan& chip_plan, const ChipSettings& chip) {
  const auto tiles = static_cast<double>(std::max<std::uint64_t>(chip_plan.tiles, 1));
  chip_plan.mesh_width =
      chip.mesh_width > 0 ? chip.mesh_width : static_cast<int>(std::ceil(std::sqrt(tiles)));
  chip_plan.mesh_height = chip.mesh_height > 0
                              ? chip.mesh_height
                              : static_cast<int>(std::ceil(tiles / chip_plan.mesh_width));
  const double routers = static_cast<double>(chip_plan.mesh_width) * chip_plan.mesh_height;
  if (chip.interconnect == "mesh" && routers < tiles) {
    throw KeyedConfigError(
        "hardware.interconnect.mesh_height",
        "a " + std::to_string(chip_plan.mesh_width) + " x " +
            std::to_string(chip_plan.mesh_height) + " mesh reaches " +
            std::to_string(static_cast<std::uint64_t>(routers)) + " tiles, the mapping needs " +
            std::to_string(chip_plan.tiles) +
            "; expected a mesh with a router for every tile (or 0 for automatic)");
  }
}

}  // namespace

double pipelined_ns(std::uint64_t cycles, double t_read_ns, double t_adc_ns, bool sample_hold) {
  if (cycles == 0) return 0.0;
  const auto v = static_cast<double>(cycles);
  if (!sample_hold) return v * (t_read_ns + t_adc_ns);
  return t_read_ns + (v - 1.0) * std::max(t_read_ns, t_adc_ns) + t_adc_ns;
}

ChipPlan plan_chip(const std::vector<std::vector<const CrossbarEngine*>>& layers,
                   const std::vector<int>& adder_tree_depths, const std::vector<Slot>& placed,
                   const MacroSettings& settings) {
  const ChipSettings& chip = settings.chip;
  ChipPlan chip_plan;
  for (const auto& layer : layers) chip_plan.crossbars += layer.size();
  if (placed.size() != chip_plan.crossbars) {
    throw RuntimeError("plan_chip: " + std::to_string(placed.size()) + " slots for " +
                       std::to_string(chip_plan.crossbars) + " crossbars");
  }
  for (const Slot& slot : placed) {
    chip_plan.tiles = std::max(chip_plan.tiles, static_cast<std::uint64_t>(slot.tile) + 1);
    if (slot.load >= chip_plan.loads.size()) chip_plan.loads.resize(slot.load + 1);
  }
  if (chip_plan.loads.empty()) chip_plan.loads.resize(1);
  chip_plan.physical_crossbars =
      chip_plan.loads.size() > 1
          ? static_cast<std::uint64_t>(chip.tiles) * static_cast<std::uint64_t>(chip.tile_crossbars)
          : chip_plan.crossbars;
  if (chip_plan.loads.size() > 1 && chip.schedule != "sequential") {
    throw KeyedConfigError("hardware.schedule.kind",
                           "a time-multiplexed chip holds one of its " +
                               std::to_string(chip_plan.loads.size()) +
                               " loads at a time, so its layers cannot overlap; expected "
                               "sequential (or a chip that holds the whole network)");
  }
  chip_plan.adcs = chip.tile_adcs > 0 ? chip_plan.tiles * static_cast<std::uint64_t>(chip.tile_adcs)
                                      : chip_plan.physical_crossbars *
                                            static_cast<std::uint64_t>(settings.adc.per_crossbar);
  place_mesh(chip_plan, chip);
  const auto kind = AdcKindRegistry::instance().create(settings.adc.kind);

  std::uint64_t base = 0;  // network index of the layer's first crossbar
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& layer = layers[l];
    LayerPlan plan;
    plan.adder_tree_depth = adder_tree_depths.at(l);
    plan.cycles_per_vector = layer.empty() ? 0 : layer.front()->input_cycles();
    for (std::size_t i = 0; i < layer.size(); ++i) {
      const MappedCrossbar& crossbar = layer[i]->crossbar();
      LoadPlan& load = chip_plan.loads[placed[base + i].load];
      load.cells += crossbar.gather.size() * crossbar.columns.size();
      load.program_ns = std::max(load.program_ns,
                                 static_cast<double>(crossbar.gather.size()) * chip.write_pulse_ns);
    }
    for (std::size_t i = 0; i < layer.size();) {
      TileWork work;
      work.tile = placed[base + i].tile;
      work.load = placed[base + i].load;
      work.first = i;
      work.count = 0;
      while (i + work.count < layer.size() && placed[base + i + work.count].tile == work.tile &&
             placed[base + i + work.count].load == work.load) {
        ++work.count;
      }
      if (chip.tile_adcs > 0) {
        deal_to_pool(work, layer, chip.tile_adcs, *kind, settings.adc.timing);
      } else {
        deal_per_crossbar(work, layer, settings.adc.per_crossbar);
      }
      count_traffic(work, layer, settings.chip.input_bytes);
      if (chip.interconnect == "mesh") {
        work.hops =
            static_cast<int>(work.tile % chip_plan.mesh_width + work.tile / chip_plan.mesh_width) +
            1;
      }
      if (2.0 * work.fetch_bytes_per_vector > chip.buffer_capacity_bytes) {
        throw KeyedConfigError(
            "hardware.tile.input_buffer.capacity_bytes",
            "tile " + std::to_string(work.tile) + " of layer " + std::to_string(l) + " needs " +
                format_number(2.0 * work.fetch_bytes_per_vector) +
                " B to hold two input vectors (double buffering); expected at least that");
      }
      plan.adcs += work.adcs;
      plan.powered_adcs += work.powered_adcs;
      plan.tiles.push_back(work);
      i += work.count;
    }
    count_split_outputs(plan, layer);
    chip_plan.layers.push_back(std::move(plan));
    base += layer.size();
  }
  return chip_plan;
}

}  // namespace cimsim
