#include "sim/hw/placement.h"

#include <string>

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

}  // namespace
}  // namespace cimsim
