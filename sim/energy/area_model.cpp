#include "sim/energy/area_model.h"

#include <string>

namespace cimsim {

double AreaBreakdown::total_um2() const {
  return crossbar_um2 + adc_um2 + dac_um2 + sample_hold_um2 + shift_add_um2 + buffer_um2 +
         interconnect_um2 + digital_um2;
}

nlohmann::json AreaBreakdown::to_json() const {
  return {{"crossbar", crossbar_um2},
          {"adc", adc_um2},
          {"dac", dac_um2},
          {"sample_hold", sample_hold_um2},
          {"shift_add", shift_add_um2},
          {"buffer", buffer_um2},
          {"interconnect", interconnect_um2},
          {"digital", digital_um2},
          {"total", total_um2()},
          {"adc_area_source", adc_from_model ? "adc model" : "ISAAC per-ADC default"}};
}

AreaBreakdown& AreaBreakdown::operator+=(const AreaBreakdown& other) {
  crossbar_um2 += other.crossbar_um2;
  adc_um2 += other.adc_um2;
  dac_um2 += other.dac_um2;
  sample_hold_um2 += other.sample_hold_um2;
  shift_add_um2 += other.shift_add_um2;
  buffer_um2 += other.buffer_um2;
  interconnect_um2 += other.interconnect_um2;
  digital_um2 += other.digital_um2;
  adc_from_model = adc_from_model && other.adc_from_model;
  return *this;
}

AreaBreakdown estimate_area(const AreaInputs& inputs, const AdcEnergyModel& adc,
                            const ComponentAreaParams& params) {
  if (inputs.rows < 1 || inputs.cols < 1) {
    throw ConfigError("area model: rows and cols must be positive, got " +
                      std::to_string(inputs.rows) + ", " + std::to_string(inputs.cols));
  }
  const auto crossbars = static_cast<double>(inputs.crossbars);
  AreaBreakdown area;
  area.crossbar_um2 = crossbars * inputs.rows * inputs.cols * params.cell_um2;
  // No crossbar, no ADC: do not ask the model about a sample rate nobody uses.
  if (inputs.crossbars > 0) {
    const std::optional<double> per_adc =
        adc.area_um2(inputs.adc_max_bits, inputs.adc_sample_rate_hz);
    area.adc_from_model = per_adc.has_value();
    area.adc_um2 = static_cast<double>(inputs.adcs) * per_adc.value_or(params.adc_um2);
  }
  area.dac_um2 = static_cast<double>(inputs.dacs) * params.dac_um2;
  area.sample_hold_um2 = crossbars * inputs.cols * params.sample_hold_um2;
  area.shift_add_um2 = static_cast<double>(inputs.accumulators) * params.shift_add_um2;
  const auto tiles = static_cast<double>(inputs.tiles);
  area.buffer_um2 = tiles * inputs.tile_buffers_um2;
  area.interconnect_um2 = tiles * inputs.tile_router_um2;
  area.digital_um2 = tiles * inputs.tile_digital_um2;
  return area;
}

}  // namespace cimsim
