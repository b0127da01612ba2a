// Prices the counted events of a layer (crossbar-model.md section 8) with the configured ADC
// model and per-event component energies: energy = count x energy per event. Defaults, units and
// sources of every constant: energy_params.h and docs/energy.md.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/core/event_counts.h"
#include "sim/energy/adc_energy_model.h"
#include "sim/energy/energy_params.h"

namespace cimsim {

// Energy per component [pJ].
struct EnergyBreakdown {
  double adc_pj = 0;
  double dac_pj = 0;
  double crossbar_pj = 0;
  double sample_hold_pj = 0;
  double shift_add_pj = 0;
  double buffer_pj = 0;
  double partial_sum_pj = 0;
  double interconnect_pj = 0;  // bytes x hops x energy per byte per hop
  double write_pj = 0;         // weights written into a time-multiplexed chip: cells x energy
  // Static energy = static power x powered time (1 mW for 1 ns is 1 pJ), per component.
  double adc_static_pj = 0;      // section 11: static_mw x powered ADC-time
  double buffer_static_pj = 0;   // tile input buffers, powered for the whole run
  double link_static_pj = 0;     // interconnect links and routers, powered for the whole run
  double digital_static_pj = 0;  // tiles' digital units, powered for the whole run

  [[nodiscard]] double leakage_pj() const {
    return adc_static_pj + buffer_static_pj + link_static_pj + digital_static_pj;
  }
  [[nodiscard]] double total_pj() const;
  // Keys adc, dac, crossbar, sample_hold, shift_add, buffer, partial_sum, interconnect, write,
  // leakage (all static energy) and total [pJ]; the parts add up to the total.
  [[nodiscard]] nlohmann::json to_json() const;
  // The leakage by component: adc, buffers, interconnect, digital [pJ].
  [[nodiscard]] nlohmann::json static_json() const;
  EnergyBreakdown& operator+=(const EnergyBreakdown& other);
};

// The per-ADC sample rate [S/s] used for conversions of a given resolution [bit].
using SampleRateFn = std::function<double(int bits)>;

// ADC energy = sum over conversions_by_bits of count x conversion_energy_pj(bits, f(bits)); every
// other component is its count times its energy per event. Clamped conversions are added to
// `warnings` once per conversion. Bit-widths with no conversions are not priced.
[[nodiscard]] EnergyBreakdown price_events(const EventCounts& counts, const AdcEnergyModel& adc,
                                           const ComponentEnergyParams& params,
                                           const SampleRateFn& sample_rate_hz,
                                           ModelWarnings& warnings);

// The simulator's default f(bits): params.sample_rate_hz when set (hardware.adc.energy.
// sample_rate_hz), otherwise 1 / t_conv(bits) of the timing model: 1e9 / (bits * t_bit_ns) for
// `sar`, 1e9 / t_flash_ns for `flash` (the rate of one ADC while it is busy, as in CiMLoop).
[[nodiscard]] SampleRateFn make_sample_rate_fn(const AdcEnergyParams& params,
                                               const std::string& adc_kind, double t_bit_ns,
                                               double t_flash_ns);

// ConfigError naming the hardware.energy.* key of the first invalid parameter.
void validate(const ComponentEnergyParams& params);

// The per-event energies with units in the key names, for the report.
[[nodiscard]] nlohmann::json to_json(const ComponentEnergyParams& params);

}  // namespace cimsim
