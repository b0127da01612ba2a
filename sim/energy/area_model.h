// Area of the hardware a mapped layer occupies, per component. ADC area comes from the ADC model
// where it has one (cimloop, puma_linear, table rows with area_um2), otherwise ISAAC's per-ADC
// figure; everything else from ISAAC Table I at 32 nm (ComponentAreaParams).
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "sim/energy/adc_energy_model.h"
#include "sim/energy/energy_params.h"

namespace cimsim {

// What a mapped layer occupies.
struct AreaInputs {
  std::uint64_t crossbars = 0;
  int rows = 128;                   // per crossbar [rows]
  int cols = 128;                   // per crossbar [columns]; one sample-and-hold each (ISAAC)
  std::uint64_t adcs = 0;           // ADCs in total (per crossbar, or the tiles' pools)
  int adc_max_bits = 8;             // hardware.adc.bits: the ADCs are built for this resolution
  double adc_sample_rate_hz = 0.0;  // per ADC at adc_max_bits [S/s]; used by cimloop's area
  std::uint64_t dacs = 0;           // DACs in total
  std::uint64_t accumulators = 0;   // shift-and-add units in total
  // Per tile, for a chip's totals (docs/architecture.md): tiles x each figure [um^2].
  std::uint64_t tiles = 0;
  double tile_buffers_um2 = 0.0;  // input and output buffers of one tile
  double tile_router_um2 = 0.0;   // its share of the interconnect
  double tile_digital_um2 = 0.0;  // its digital unit
};

// Area per component [um^2].
struct AreaBreakdown {
  double crossbar_um2 = 0;
  double adc_um2 = 0;
  double dac_um2 = 0;
  double sample_hold_um2 = 0;
  double shift_add_um2 = 0;
  double buffer_um2 = 0;
  double interconnect_um2 = 0;
  double digital_um2 = 0;
  bool adc_from_model = true;  // false: the ADC model has no area, ISAAC's per-ADC figure used

  [[nodiscard]] double total_um2() const;
  // Keys crossbar, adc, dac, sample_hold, shift_add, buffer, interconnect, digital, total
  // [um^2], and adc_area_source.
  [[nodiscard]] nlohmann::json to_json() const;
  AreaBreakdown& operator+=(const AreaBreakdown& other);
};

[[nodiscard]] AreaBreakdown estimate_area(const AreaInputs& inputs, const AdcEnergyModel& adc,
                                          const ComponentAreaParams& params = {});

}  // namespace cimsim
