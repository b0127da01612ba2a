// Where the mapped crossbars sit on the chip and what each tile has to do per layer: the static
// half of the timing model (crossbar-model.md section 11). Computed once, before elaboration, from
// the crossbars' ADC plans; the SystemC modules (sim/hw/chip.h) then only replay it in time.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/hw/chip_settings.h"
#include "sim/hw/placement.h"
#include "sim/macro/crossbar_engine.h"

namespace cimsim {

// One tile's share of one layer: its active crossbars and what they need per input vector.
struct TileWork {
  std::int64_t tile = 0;   // tile index on the chip
  std::uint64_t load = 0;  // the chip load it belongs to (time-multiplexed placement; else 0)
  std::size_t first = 0;   // the layer's crossbars [first, first + count) sit in this tile
  std::size_t count = 0;
  double t_adc_ns = 0.0;   // busiest ADC of the pool (or of a crossbar) per input cycle [ns]
  std::uint64_t adcs = 0;  // ADCs serving these crossbars: the pool's n, or per_crossbar each
  std::uint64_t powered_adcs = 0;  // of those, ADCs with a converting column dealt to them
  std::uint64_t converting_columns = 0;
  double read_bytes_per_vector = 0.0;   // every crossbar's wordline inputs from the tile buffer [B]
  double fetch_bytes_per_vector = 0.0;  // distinct layer inputs the tile receives [B]
  std::uint64_t outputs = 0;            // distinct outputs the tile produces
  std::uint64_t split_outputs = 0;      // of those, outputs with parts in another tile
  int hops = 1;                         // router hops to and from the global buffer
};

struct LayerPlan {
  std::vector<TileWork> tiles;  // in tile order
  int cycles_per_vector = 0;    // P
  int adder_tree_depth = 0;
  std::uint64_t adcs = 0;          // ADCs of the tiles (pools) or crossbars serving the layer
  std::uint64_t powered_adcs = 0;  // with power gating: those with a converting column
};

// One load of a time-multiplexed chip: what writing its weights takes.
struct LoadPlan {
  double program_ns = 0.0;  // its longest crossbar's rows x one write pulse [ns]
  std::uint64_t cells = 0;  // cells written: rows used x allocated columns, summed
};

struct ChipPlan {
  std::vector<LayerPlan> layers;
  std::vector<LoadPlan> loads;           // one for a chip that holds the whole network
  std::uint64_t crossbars = 0;           // mapped, over all loads
  std::uint64_t physical_crossbars = 0;  // crossbar slots the chip uses (one load's at most)
  std::uint64_t tiles = 0;               // tiles holding a crossbar
  std::uint64_t adcs = 0;                // the chip's ADCs (section 11)
  int mesh_width = 1;                    // routers per mesh row (mesh interconnect)
  int mesh_height = 1;
};

// Lays the layers' crossbars (engines, in section 7's order, layer after layer) out in their
// slots (`placed`, one per crossbar in that order: placed_slots in sim/hw/placement.h) and deals
// each tile's converting columns to its ADCs. Throws ConfigError (naming the keys) when the
// mapping does not fit a bounded chip, a tile buffer cannot hold one input vector, or the mesh
// does not reach every tile.
[[nodiscard]] ChipPlan plan_chip(const std::vector<std::vector<const CrossbarEngine*>>& layers,
                                 const std::vector<int>& adder_tree_depths,
                                 const std::vector<Slot>& placed, const MacroSettings& settings);

// Section 9's time of V input cycles with one busiest-ADC time per cycle [ns].
[[nodiscard]] double pipelined_ns(std::uint64_t cycles, double t_read_ns, double t_adc_ns,
                                  bool sample_hold);

}  // namespace cimsim
