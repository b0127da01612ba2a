#include "sim/hw/chip_parameters.h"

#include "sim/config/param_schema.h"
#include "sim/hw/interconnect.h"
#include "sim/hw/placement.h"
#include "sim/hw/schedule.h"

namespace cimsim {
namespace {

// crossbar-model.md section 11: the defaults are the ideal chip of sections 8 and 9.
const ParamDeclaration kSection11("chip.1 tiles", [](std::vector<ParamSpec>& s) {
  s.push_back(int_param("hardware.tile.crossbars", "1", "", 1, 4096, "crossbar slots per tile"));
  s.push_back(int_param("hardware.tile.adcs", "0", "", 0, 1 << 20,
                        "ADCs shared by the crossbars of a tile (0: no pool, each crossbar has "
                        "hardware.adc.per_crossbar)"));
  s.push_back(int_param("hardware.tiles", "0", "", 0, 1e9,
                        "tiles on the chip (0: as many as the mapping needs)"));
  s.push_back(real_param("hardware.adc.static_mw", "0", "mW", 0,
                         "static (leakage) power of one ADC while it is powered"));
});

// The tile buffer (sim/hw/tile.cpp) and the tile's other parts for the area and static-power
// roll-up (docs/architecture.md). Sources of the values presets give: the preset files.
const ParamDeclaration kTile("chip.2 tile parts", [](std::vector<ParamSpec>& s) {
  s.push_back(unlimited_param("hardware.tile.input_buffer.bytes_per_ns", "B/ns", 1e-9,
                              "read port of the tile input buffer (.inf: unlimited)"));
  s.push_back(unlimited_param("hardware.tile.input_buffer.capacity_bytes", "B", 1,
                              "tile input buffer, double-buffered (.inf: a whole batch fits)"));
  s.push_back(real_param("hardware.tile.input_buffer.static_mw", "0", "mW", 0,
                         "static power of one tile input buffer, powered for the whole run"));
  s.push_back(real_param("hardware.tile.input_buffer.area_um2", "0", "um^2", 0,
                         "area of one tile input buffer"));
  s.push_back(unlimited_param("hardware.tile.output_buffer.capacity_bytes", "B", 1,
                              "tile output buffer: holds a layer's outputs until the layers that "
                              "read them are done with them (.inf: unlimited)"));
  s.push_back(real_param("hardware.tile.output_buffer.area_um2", "0", "um^2", 0,
                         "area of one tile output buffer"));
  s.push_back(real_param("hardware.tile.output_buffer.static_mw", "0", "mW", 0,
                         "static power of one tile output buffer, powered for the whole run"));
  s.push_back(real_param("hardware.chip.io_area_um2", "0", "um^2", 0,
                         "area of the chip's off-chip links (chip roll-up)"));
  s.push_back(real_param("hardware.chip.io_static_mw", "0", "mW", 0,
                         "power of the chip's off-chip links (chip roll-up)"));
  s.push_back(int_param("hardware.tile.shift_adds", "0", "", 0, 1 << 20,
                        "shift-and-add units per tile (0: one per ADC), for the area"));
  s.push_back(real_param("hardware.digital.area_um2", "0", "um^2", 0,
                         "area of one tile's digital unit (activations, pooling)"));
  s.push_back(real_param("hardware.digital.static_mw", "0", "mW", 0,
                         "static power of one tile's digital unit, powered for the whole run"));
});

// The interconnect (sim/hw/interconnect.cpp) and the accumulator (sim/hw/accumulator_unit.h).
const ParamDeclaration kInterconnect("chip.3 interconnect", [](std::vector<ParamSpec>& s) {
  s.push_back(choice_param(
      "hardware.interconnect.kind", "bus", [] { return InterconnectRegistry::instance().names(); },
      "interconnect between the global buffer and the tiles"));
  s.push_back(unlimited_param("hardware.interconnect.bytes_per_ns", "B/ns", 1e-9,
                              "bandwidth of one interconnect link (.inf: unlimited)"));
  s.push_back(
      real_param("hardware.interconnect.hop_ns", "0", "ns", 0, "latency of one router hop"));
  s.push_back(int_param("hardware.interconnect.mesh_width", "0", "", 0, 65536,
                        "routers per mesh row (0: the smallest square holding the tiles)"));
  s.push_back(int_param("hardware.interconnect.mesh_height", "0", "", 0, 65536,
                        "mesh rows (0: as many as the tiles need)"));
  s.push_back(real_param("hardware.interconnect.energy_fj_per_byte_hop", "0", "fJ", 0,
                         "energy of one byte over one hop"));
  s.push_back(real_param("hardware.interconnect.static_mw", "0", "mW", 0,
                         "static power of one shared link, powered for the whole run"));
  s.push_back(real_param("hardware.interconnect.router_area_um2", "0", "um^2", 0,
                         "area of the interconnect per tile (its router or bus share)"));
  s.push_back(real_param("hardware.interconnect.router_static_mw", "0", "mW", 0,
                         "static power of the interconnect per tile, powered for the whole run"));
  s.push_back(int_param("hardware.interconnect.partial_sum_bytes", "4", "B", 1, 16,
                        "one partial sum on the interconnect"));
  s.push_back(unlimited_param("hardware.accumulator.adds_per_ns", "adds/ns", 1e-9,
                              "partial sums of split outputs the accumulator adds (.inf: "
                              "unlimited)"));
});

// The scheduling of the run's layers and inferences (sim/hw/schedule.h, sim/hw/scheduler.h).
const ParamDeclaration kSchedule("chip.4 schedule", [](std::vector<ParamSpec>& s) {
  s.push_back(choice_param(
      "hardware.schedule.kind", "sequential", [] { return ScheduleRegistry::instance().names(); },
      "when a layer's work starts: one layer at a time, or pipelined"));
  s.push_back(int_param("hardware.schedule.vectors_per_job", "1", "vectors", 1, 1 << 30,
                        "vectors of one layer handed to its tiles at a time (pipelined)"));
  s.push_back(int_param("hardware.schedule.simulated_inferences", "4", "inferences", 1, 1024,
                        "inferences simulated in SystemC; the run's latency extrapolates from "
                        "their steady-state interval"));
});

// Placement and reprogramming (sim/hw/placement.h). Write cost of an RRAM cell: 350 fJ per
// cell written, the upper bound of the 1T1R RRAM cell model of "Performance and energy models
// for memristor-based 1T1R RRAM cell" (GLSVLSI 2012: "less than 350 fJ/bit"); 50 ns per write
// pulse, NeuroSim's RRAM write pulse width (Param.cpp writePulseWidth = 50e-9 s). One pulse per
// row is an assumption: program-and-verify schemes need several (scale pulse_ns).
const ParamDeclaration kPlacement("chip.5 placement", [](std::vector<ParamSpec>& s) {
  s.push_back(choice_param(
      "hardware.placement.kind", "fixed", [] { return PlacementRegistry::instance().names(); },
      "where crossbars sit: fixed (refuse a network larger than the chip) "
      "or time_multiplexed (reprogram the chip load by load)"));
  s.push_back(real_param("hardware.device.write.pulse_ns", "50", "ns", 0,
                         "one write pulse: a crossbar row programmed (time-multiplexed chips)"));
  s.push_back(real_param("hardware.device.write.energy_fj_per_cell", "350", "fJ", 0,
                         "energy of writing one cell (time-multiplexed chips)"));
});

}  // namespace

ChipSettings chip_settings(const ResolvedConfig& c) {
  ChipSettings chip;
  chip.tile_crossbars = static_cast<int>(c.get_int("hardware.tile.crossbars"));
  chip.tile_adcs = static_cast<int>(c.get_int("hardware.tile.adcs"));
  chip.tiles = c.get_int("hardware.tiles");
  chip.adc_static_mw = c.get_real("hardware.adc.static_mw");
  chip.buffer_bytes_per_ns = c.get_real("hardware.tile.input_buffer.bytes_per_ns");
  chip.buffer_capacity_bytes = c.get_real("hardware.tile.input_buffer.capacity_bytes");
  chip.buffer_static_mw = c.get_real("hardware.tile.input_buffer.static_mw");
  chip.buffer_area_um2 = c.get_real("hardware.tile.input_buffer.area_um2");
  chip.output_buffer_capacity_bytes = c.get_real("hardware.tile.output_buffer.capacity_bytes");
  chip.output_buffer_area_um2 = c.get_real("hardware.tile.output_buffer.area_um2");
  chip.output_buffer_static_mw = c.get_real("hardware.tile.output_buffer.static_mw");
  chip.tile_shift_adds = static_cast<int>(c.get_int("hardware.tile.shift_adds"));
  chip.digital_area_um2 = c.get_real("hardware.digital.area_um2");
  chip.digital_static_mw = c.get_real("hardware.digital.static_mw");
  chip.interconnect = c.get_string("hardware.interconnect.kind");
  chip.link_bytes_per_ns = c.get_real("hardware.interconnect.bytes_per_ns");
  chip.hop_ns = c.get_real("hardware.interconnect.hop_ns");
  chip.mesh_width = static_cast<int>(c.get_int("hardware.interconnect.mesh_width"));
  chip.mesh_height = static_cast<int>(c.get_int("hardware.interconnect.mesh_height"));
  chip.link_energy_fj_per_byte_hop = c.get_real("hardware.interconnect.energy_fj_per_byte_hop");
  chip.link_static_mw = c.get_real("hardware.interconnect.static_mw");
  chip.router_area_um2 = c.get_real("hardware.interconnect.router_area_um2");
  chip.router_static_mw = c.get_real("hardware.interconnect.router_static_mw");
  chip.partial_sum_bytes = static_cast<int>(c.get_int("hardware.interconnect.partial_sum_bytes"));
  chip.accumulator_adds_per_ns = c.get_real("hardware.accumulator.adds_per_ns");
  chip.io_area_um2 = c.get_real("hardware.chip.io_area_um2");
  chip.io_static_mw = c.get_real("hardware.chip.io_static_mw");
  chip.placement = c.get_string("hardware.placement.kind");
  chip.write_pulse_ns = c.get_real("hardware.device.write.pulse_ns");
  chip.write_energy_fj_per_cell = c.get_real("hardware.device.write.energy_fj_per_cell");
  chip.schedule = c.get_string("hardware.schedule.kind");
  chip.vectors_per_job = static_cast<std::uint64_t>(c.get_int("hardware.schedule.vectors_per_job"));
  chip.simulated_inferences =
      static_cast<std::uint64_t>(c.get_int("hardware.schedule.simulated_inferences"));
  return chip;
}

}  // namespace cimsim
