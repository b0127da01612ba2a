#include "sim/energy/energy_pricing.h"

#include <cmath>

namespace cimsim {
namespace {

constexpr double kPjPerFj = 1e-3;

// count x energy per event [fJ] -> [pJ].
double priced(std::uint64_t count, double fj_per_event) {
  return static_cast<double>(count) * fj_per_event * kPjPerFj;
}

void require_non_negative(const char* key, double value) {
  if (!(value >= 0.0) || !std::isfinite(value)) {
    throw ConfigError(std::string("hardware.energy.") + key +
                      " must be finite and non-negative, got " + format_number(value));
  }
}

}  // namespace

double EnergyBreakdown::total_pj() const {
  return adc_pj + dac_pj + crossbar_pj + sample_hold_pj + shift_add_pj + buffer_pj +
         partial_sum_pj + interconnect_pj + write_pj + leakage_pj();
}

nlohmann::json EnergyBreakdown::to_json() const {
  return {{"adc", adc_pj},
          {"dac", dac_pj},
          {"crossbar", crossbar_pj},
          {"sample_hold", sample_hold_pj},
          {"shift_add", shift_add_pj},
          {"buffer", buffer_pj},
          {"partial_sum", partial_sum_pj},
          {"interconnect", interconnect_pj},
          {"write", write_pj},
          {"leakage", leakage_pj()},
          {"total", total_pj()}};
}

nlohmann::json EnergyBreakdown::static_json() const {
  return {{"adc", adc_static_pj},
          {"buffers", buffer_static_pj},
          {"interconnect", link_static_pj},
          {"digital", digital_static_pj}};
}

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& other) {
  adc_pj += other.adc_pj;
  dac_pj += other.dac_pj;
  crossbar_pj += other.crossbar_pj;
  sample_hold_pj += other.sample_hold_pj;
  shift_add_pj += other.shift_add_pj;
  buffer_pj += other.buffer_pj;
  partial_sum_pj += other.partial_sum_pj;
  interconnect_pj += other.interconnect_pj;
  write_pj += other.write_pj;
  adc_static_pj += other.adc_static_pj;
  buffer_static_pj += other.buffer_static_pj;
  link_static_pj += other.link_static_pj;
  digital_static_pj += other.digital_static_pj;
  return *this;
}

EnergyBreakdown price_events(const EventCounts& counts, const AdcEnergyModel& adc,
                             const ComponentEnergyParams& params,
                             const SampleRateFn& sample_rate_hz, ModelWarnings& warnings) {
  validate(params);
  EnergyBreakdown energy;
  for (const auto& [bits, count] : counts.conversions_by_bits) {
    if (count == 0) continue;
    // The model counts per call; one call stands for `count` conversions.
    ModelWarnings call_warnings;
    const double pj = adc.conversion_energy_pj(bits, sample_rate_hz(bits), call_warnings);
    energy.adc_pj += static_cast<double>(count) * pj;
    warnings.clamped_conversions += call_warnings.clamped_conversions * count;
    for (const auto& message : call_warnings.messages) warnings.add_message(message);
  }
  energy.dac_pj = priced(counts.dac_activations, params.dac_drive_fj);
  energy.crossbar_pj = priced(counts.cell_reads, params.cell_read_fj);
  energy.sample_hold_pj = priced(counts.conversions, params.sample_hold_fj);
  energy.shift_add_pj = priced(counts.shift_adds, params.shift_add_fj);
  const double bytes_per_read = params.input_bits_per_read / 8.0;
  energy.buffer_pj =
      priced(counts.input_buffer_reads, bytes_per_read * params.input_buffer_read_fj_per_byte);
  energy.partial_sum_pj = priced(counts.partial_sum_adds, params.partial_sum_add_fj);
  return energy;
}

SampleRateFn make_sample_rate_fn(const AdcEnergyParams& params, const std::string& adc_kind,
                                 double t_bit_ns, double t_flash_ns) {
  if (params.sample_rate_hz) {
    const double rate = *params.sample_rate_hz;
    if (!(rate > 0.0) || !std::isfinite(rate)) {
      throw ConfigError("hardware.adc.energy.sample_rate_hz must be positive, got " +
                        format_number(rate));
    }
    return [rate](int /*bits*/) { return rate; };
  }
  if (adc_kind == "sar") {
    if (!(t_bit_ns > 0.0)) {
      throw ConfigError("hardware.adc.t_bit_ns must be positive, got " + format_number(t_bit_ns));
    }
    return [t_bit_ns](int bits) { return 1e9 / (bits * t_bit_ns); };
  }
  if (adc_kind == "flash") {
    if (!(t_flash_ns > 0.0)) {
      throw ConfigError("hardware.adc.t_flash_ns must be positive, got " +
                        format_number(t_flash_ns));
    }
    return [t_flash_ns](int /*bits*/) { return 1e9 / t_flash_ns; };
  }
  throw ConfigError("hardware.adc.kind: expected 'sar' or 'flash', got '" + adc_kind + "'");
}

void validate(const ComponentEnergyParams& params) {
  require_non_negative("cell_read_fj", params.cell_read_fj);
  require_non_negative("dac_drive_fj", params.dac_drive_fj);
  require_non_negative("sample_hold_fj", params.sample_hold_fj);
  require_non_negative("shift_add_fj", params.shift_add_fj);
  require_non_negative("input_buffer_read_fj_per_byte", params.input_buffer_read_fj_per_byte);
  require_non_negative("partial_sum_add_fj", params.partial_sum_add_fj);
  if (params.input_bits_per_read < 1) {
    throw ConfigError("hardware.energy.input_bits_per_read must be at least 1, got " +
                      std::to_string(params.input_bits_per_read));
  }
}

nlohmann::json to_json(const ComponentEnergyParams& params) {
  return {{"cell_read_fj", params.cell_read_fj},
          {"dac_drive_fj", params.dac_drive_fj},
          {"sample_hold_fj", params.sample_hold_fj},
          {"shift_add_fj", params.shift_add_fj},
          {"input_buffer_read_fj_per_byte", params.input_buffer_read_fj_per_byte},
          {"input_bits_per_read", params.input_bits_per_read},
          {"partial_sum_add_fj", params.partial_sum_add_fj}};
}

}  // namespace cimsim
