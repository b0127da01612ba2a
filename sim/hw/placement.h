// Where each crossbar of the network sits (crossbar-model.md section 11, "Placement"): a
// registered policy, hardware.placement.kind.
//   fixed:            crossbar i in tile floor(i / S), all at once; a mapping that needs more
//                     crossbars than a bounded chip holds is refused (section 11).
//   time_multiplexed: the chip holds C = hardware.tiles x S crossbars at a time; crossbar i is in
//                     load floor(i / C), tile floor((i mod C) / S). Loads are programmed in turn:
//                     before a load's layers run, its weights are written (docs/architecture.md,
//                     "Chips smaller than the network").
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/core/registry.h"
#include "sim/hw/chip_settings.h"
#include "sim/mapping/mapped_layer.h"
#include "sim/trace/weight_trace.h"

namespace cimsim {

struct Slot {
  std::uint64_t load = 0;
  std::int64_t tile = 0;
};

class Placement {
 public:
  static constexpr const char* kKind = "placement";
  virtual ~Placement() = default;
  // The slot of each of the network's `crossbars` crossbars, in network order. Throws
  // KeyedConfigError when they cannot be placed.
  [[nodiscard]] virtual std::vector<Slot> place(std::uint64_t crossbars,
                                                const ChipSettings& chip) const = 0;
};

using PlacementRegistry = Registry<Placement>;

// Places the crossbars of `layers` (network order, layer after layer) with the configured
// policy, hardware.placement.kind: the step that turns a mapping into the chip's program
// (docs/trace-format.md). Throws KeyedConfigError when they cannot be placed.
void place_crossbars(const std::vector<MappedLayer*>& layers, const ChipSettings& chip);

// The trace's record of `chip` (adcs_per_crossbar: hardware.adc.per_crossbar).
[[nodiscard]] TraceChip trace_chip(const ChipSettings& chip, int adcs_per_crossbar);

// Places the trace's crossbars on `chip` (place_crossbars) and records the chip in it: what
// `cimsim map` does to a mapping to make it the chip's program.
void place_trace(WeightTrace& trace, const ChipSettings& chip, int adcs_per_crossbar);

// The slot of every crossbar of `layers`, in network order, checked against `chip`: every
// crossbar placed (or none, and then placed here with the configured policy, for callers that
// build layers by hand), each tile below hardware.tiles when the chip is bounded, at most
// hardware.tile.crossbars crossbars per tile and load, and a layer's crossbars of one tile and
// load next to each other (a tile serves a layer as one pool). Throws KeyedConfigError naming
// the key the placement disagrees with.
[[nodiscard]] std::vector<Slot> placed_slots(const std::vector<const MappedLayer*>& layers,
                                             const ChipSettings& chip);

}  // namespace cimsim
