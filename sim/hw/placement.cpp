#include "sim/hw/placement.h"

#include <map>
#include <string>
#include <utility>

#include "sim/core/errors.h"

namespace cimsim {
namespace {

std::uint64_t chip_slots(const ChipSettings& chip) {
  return static_cast<std::uint64_t>(chip.tiles) * static_cast<std::uint64_t>(chip.tile_crossbars);
}

class Fixed final : public Placement {
 public:
  [[nodiscard]] std::vector<Slot> place(std::uint64_t crossbars,
                                        const ChipSettings& chip) const override {
    if (chip.tiles > 0 && crossbars > chip_slots(chip)) {
      throw KeyedConfigError(
          "hardware.tiles",
          "the mapping needs " + std::to_string(crossbars) + " crossbars, the chip holds " +
              std::to_string(chip_slots(chip)) + " (" + std::to_string(chip.tiles) +
              " tiles x hardware.tile.crossbars = " + std::to_string(chip.tile_crossbars) +
              "); expected more tiles, more slots per tile, hardware.tiles: 0, or "
              "hardware.placement.kind: time_multiplexed");
    }
    std::vector<Slot> slots(crossbars);
    const auto per_tile = static_cast<std::uint64_t>(chip.tile_crossbars);
    for (std::uint64_t i = 0; i < crossbars; ++i) {
      slots[i].tile = static_cast<std::int64_t>(i / per_tile);
    }
    return slots;
  }
};

class TimeMultiplexed final : public Placement {
 public:
  [[nodiscard]] std::vector<Slot> place(std::uint64_t crossbars,
                                        const ChipSettings& chip) const override {
    if (chip.tiles == 0) return Fixed().place(crossbars, chip);  // unbounded: one load
    const std::uint64_t capacity = chip_slots(chip);
    const auto per_tile = static_cast<std::uint64_t>(chip.tile_crossbars);
    std::vector<Slot> slots(crossbars);
    for (std::uint64_t i = 0; i < crossbars; ++i) {
      slots[i].load = i / capacity;
      slots[i].tile = static_cast<std::int64_t>((i % capacity) / per_tile);
    }
    return slots;
  }
};

const Registrar<Placement> kFixed(
    "fixed", "every crossbar in its own slot; refused when the chip is too small",
    [] { return std::make_unique<Fixed>(); });
const Registrar<Placement> kTimeMultiplexed(
    "time_multiplexed", "the chip holds the network in loads, reprogrammed in turn",
    [] { return std::make_unique<TimeMultiplexed>(); });

std::uint64_t crossbar_count(const std::vector<const MappedLayer*>& layers) {
  std::uint64_t crossbars = 0;
  for (const MappedLayer* layer : layers) crossbars += layer->crossbars.size();
  return crossbars;
}

}  // namespace

void place_crossbars(const std::vector<MappedLayer*>& layers, const ChipSettings& chip) {
  std::uint64_t crossbars = 0;
  for (const MappedLayer* layer : layers) crossbars += layer->crossbars.size();
  const std::vector<Slot> slots =
      PlacementRegistry::instance().create(chip.placement)->place(crossbars, chip);
  std::size_t i = 0;
  for (MappedLayer* layer : layers) {
    for (MappedCrossbar& crossbar : layer->crossbars) {
      crossbar.tile = static_cast<std::int32_t>(slots[i].tile);
      crossbar.load = static_cast<std::uint32_t>(slots[i].load);
      ++i;
    }
  }
}

TraceChip trace_chip(const ChipSettings& chip, int adcs_per_crossbar) {
  return {chip.placement, chip.tiles, chip.tile_crossbars, chip.tile_adcs, adcs_per_crossbar};
}

void place_trace(WeightTrace& trace, const ChipSettings& chip, int adcs_per_crossbar) {
  std::vector<MappedLayer*> layers;
  for (TraceLayer& layer : trace.layers) layers.push_back(&layer.mapping);
  place_crossbars(layers, chip);
  trace.chip = trace_chip(chip, adcs_per_crossbar);
}

std::vector<Slot> placed_slots(const std::vector<const MappedLayer*>& layers,
                               const ChipSettings& chip) {
  std::uint64_t placed = 0;
  for (const MappedLayer* layer : layers) {
    for (const MappedCrossbar& crossbar : layer->crossbars) placed += crossbar.tile >= 0 ? 1 : 0;
  }
  const std::uint64_t crossbars = crossbar_count(layers);
  if (placed == 0) {
    return PlacementRegistry::instance().create(chip.placement)->place(crossbars, chip);
  }
  if (placed != crossbars) {
    throw KeyedConfigError("workload.trace", std::to_string(crossbars - placed) + " of " +
                                                 std::to_string(crossbars) +
                                                 " crossbars have no tile; expected a trace "
                                                 "that places every crossbar (cimsim map)");
  }
  std::vector<Slot> slots;
  std::map<std::pair<std::uint64_t, std::int64_t>, std::uint64_t> per_slot;  // crossbars
  for (const MappedLayer* layer : layers) {
    std::map<std::pair<std::uint64_t, std::int64_t>, std::size_t> last_seen;  // index in layer
    for (std::size_t j = 0; j < layer->crossbars.size(); ++j) {
      const MappedCrossbar& crossbar = layer->crossbars[j];
      const Slot slot{crossbar.load, crossbar.tile};
      const std::string where = "layer '" + layer->name + "' crossbar " + std::to_string(j) +
                                " is placed in tile " + std::to_string(slot.tile) +
                                (slot.load > 0 ? " of load " + std::to_string(slot.load) : "");
      if (chip.tiles > 0 && slot.tile >= chip.tiles) {
        throw KeyedConfigError("hardware.tiles", where + "; the chip has " +
                                                     std::to_string(chip.tiles) +
                                                     " tiles (expected a trace placed for it)");
      }
      if (slot.load > 0 && chip.tiles == 0) {
        throw KeyedConfigError("hardware.tiles",
                               where + "; only a bounded chip (hardware.tiles > 0) has loads");
      }
      const auto key = std::make_pair(slot.load, slot.tile);
      if (++per_slot[key] > static_cast<std::uint64_t>(chip.tile_crossbars)) {
        throw KeyedConfigError("hardware.tile.crossbars",
                               where + ", which already holds " +
                                   std::to_string(chip.tile_crossbars) +
                                   " crossbars, the tile's slots (expected a trace placed for "
                                   "this chip)");
      }
      const auto seen = last_seen.find(key);
      if (seen != last_seen.end() && seen->second + 1 != j) {
        throw KeyedConfigError("workload.trace", where +
                                                     ", apart from the layer's other "
                                                     "crossbars there; expected a layer's "
                                                     "crossbars of one tile next to each "
                                                     "other");
      }
      last_seen[key] = j;
      slots.push_back(slot);
    }
  }
  return slots;
}

}  // namespace cimsim
