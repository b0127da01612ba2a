// The whole chip's area and peak power, rolled up from its components (docs/architecture.md,
// "Chip roll-up"), for comparison with a paper's chip totals (ISAAC: 85.4 mm^2, 65.8 W for 168
// tiles; tests/hw/preset_rollup_test.cpp). The chip has hardware.tiles tiles (or, when that is
// 0, the tiles the mapping uses), each a full tile: hardware.tile.crossbars crossbars with their
// ADCs, DACs, sample-and-holds and shift-and-adds, its buffers, interconnect share and digital
// unit; plus the chip's off-chip links (hardware.chip.io_*).
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "sim/config/experiment.h"

namespace cimsim {

struct ChipRollup {
  std::uint64_t tiles = 0;
  double tile_area_um2 = 0.0;
  double io_area_um2 = 0.0;
  double area_mm2 = 0.0;
  // One tile at full activity [mW]: every ADC converting back to back at hardware.adc.bits, every
  // crossbar reading all rows and columns once per t_read, every shift-and-add unit busy, plus
  // the static power of the ADCs and of the buffers, interconnect share and digital unit.
  double tile_adc_mw = 0.0;
  double tile_dac_mw = 0.0;
  double tile_crossbar_mw = 0.0;
  double tile_sample_hold_mw = 0.0;
  double tile_shift_add_mw = 0.0;
  double tile_static_mw = 0.0;
  double tile_peak_power_mw = 0.0;
  double io_power_mw = 0.0;
  double peak_power_w = 0.0;
  [[nodiscard]] nlohmann::json to_json() const;
};

[[nodiscard]] ChipRollup chip_rollup(const Experiment& experiment, std::uint64_t tiles_used);

}  // namespace cimsim
