// The chip the mapped crossbars are placed on (crossbar-model.md section 11 and
// docs/architecture.md): tiles of crossbar slots with an optional shared ADC pool, the tile input
// buffer, the interconnect to the global buffer and the accumulator that adds partial sums that
// arrive from different tiles. The defaults are the ideal chip of sections 8 and 9: one crossbar
// per tile, one ADC per column, unlimited bandwidth, no hop latency, no static power.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace cimsim {

struct ChipSettings {
  static constexpr double kUnlimited = std::numeric_limits<double>::infinity();

  // Section 11.
  int tile_crossbars = 1;      // hardware.tile.crossbars: crossbar slots per tile
  int tile_adcs = 0;           // hardware.tile.adcs: ADCs of the tile's pool; 0 = no pool
  std::int64_t tiles = 0;      // hardware.tiles: tiles on the chip; 0 = as many as needed
  double adc_static_mw = 0.0;  // hardware.adc.static_mw: one powered ADC [mW]

  // Beyond section 11 (docs/architecture.md); unlimited, free and instant by default.
  // hardware.tile.input_buffer.*: the read port [B/ns], capacity (double-buffered) [B], and
  // static power per tile [mW].
  double buffer_bytes_per_ns = kUnlimited;
  double buffer_capacity_bytes = kUnlimited;
  double buffer_static_mw = 0.0;
  // hardware.tile.output_buffer.capacity_bytes: a tile's output buffer, which holds the layer's
  // outputs until the layers that read them are done with them [B].
  double output_buffer_capacity_bytes = kUnlimited;
  // hardware.interconnect.*: kind (a registered Interconnect), bandwidth per link [B/ns], latency
  // per router hop [ns], mesh size in routers (0 = automatic), energy [fJ per byte per hop],
  // static power per shared link [mW], and the size of one partial sum on it [B].
  std::string interconnect = "bus";
  double link_bytes_per_ns = kUnlimited;
  double hop_ns = 0.0;
  int mesh_width = 0;
  int mesh_height = 0;
  double link_energy_fj_per_byte_hop = 0.0;
  double link_static_mw = 0.0;
  int partial_sum_bytes = 4;
  double accumulator_adds_per_ns = kUnlimited;  // hardware.accumulator.adds_per_ns [adds/ns]

  // Area and static power of a tile's other parts, for the roll-up (all 0 by default).
  int tile_shift_adds = 0;               // shift-and-add units per tile; 0 = one per ADC
  double buffer_area_um2 = 0.0;          // input buffer of one tile [um^2]
  double output_buffer_area_um2 = 0.0;   // output buffer of one tile [um^2]
  double output_buffer_static_mw = 0.0;  // [mW], powered for the whole run
  double router_area_um2 = 0.0;          // one tile's router / bus share [um^2]
  double router_static_mw = 0.0;         // [mW], powered for the whole run
  double digital_area_um2 = 0.0;         // one tile's digital unit [um^2]
  double digital_static_mw = 0.0;        // [mW], powered for the whole run

  // hardware.chip.io_*: the chip's off-chip links (ISAAC's HyperTransport), for the roll-up.
  double io_area_um2 = 0.0;   // [um^2]
  double io_static_mw = 0.0;  // [mW]

  // hardware.placement.kind: the registered placement (sim/hw/placement.h); the cost of writing
  // weights when a time-multiplexed chip is reprogrammed: one write pulse per row (all cells of
  // the row at once, every crossbar of the load in parallel) [ns] and energy per cell [fJ].
  std::string placement = "fixed";
  double write_pulse_ns = 50.0;
  double write_energy_fj_per_cell = 350.0;

  // hardware.schedule.*: the registered schedule policy (sim/hw/schedule.h), vectors per job
  // when pipelined, and how many of the run's inferences are simulated (the rest extrapolated).
  std::string schedule = "sequential";
  std::uint64_t vectors_per_job = 1;
  std::uint64_t simulated_inferences = 4;

  // Bytes of one input value as the tile buffer and the interconnect move it: quant.input_bits
  // / 8 [B].
  double input_bytes = 1.0;
};

}  // namespace cimsim
