// Energy (and, where the model has them, area and latency) of one ADC conversion. Published
// models disagree by orders of magnitude, so the model is a config choice
// (hardware.adc.energy.model) and every report names it with its parameters (describe()).
// Implementations register themselves by name; formulas and sources: docs/energy.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/registry.h"
#include "sim/energy/energy_params.h"

namespace cimsim {

// What a model did that a report must mention (e.g. conversions charged outside the model's range).
struct ModelWarnings {
  std::uint64_t clamped_conversions = 0;
  std::vector<std::string> messages;  // distinct messages, in the order first seen

  // Appends `message` unless it is already there, so per-conversion calls do not flood the report.
  void add_message(const std::string& message);
};

class AdcEnergyModel {
 public:
  static constexpr const char* kKind = "ADC energy model";
  virtual ~AdcEnergyModel() = default;

  // Energy of one conversion of `bits` resolution at sample rate f [S/s], in pJ. Records clamping
  // in `warnings` (count is per call; callers multiply) or throws ConfigError when the model
  // refuses.
  [[nodiscard]] virtual double conversion_energy_pj(int bits, double sample_rate_hz,
                                                    ModelWarnings& warnings) const = 0;
  // Area of one ADC of `bits` maximum resolution [um^2]; nullopt when the model has no area.
  [[nodiscard]] virtual std::optional<double> area_um2(int bits, double sample_rate_hz) const = 0;
  // The model's own conversion latency [ns], if it has one.
  [[nodiscard]] virtual std::optional<double> latency_ns(int bits) const = 0;
  // {"model": name, "parameters": {...}}, with units in the parameter key names.
  [[nodiscard]] virtual nlohmann::json describe() const = 0;
};

using AdcEnergyModelRegistry = Registry<AdcEnergyModel, const AdcEnergyParams&>;

// The model named by params.model; ConfigError for an unknown name or invalid parameters.
[[nodiscard]] std::unique_ptr<AdcEnergyModel> make_adc_energy_model(const AdcEnergyParams& params);

// Shared by the implementations: a conversion has at least 1 bit (crossbar-model.md section 5).
void check_conversion_bits(const std::string& model, int bits);

// `value` in the shortest usual notation ("45", "1.5e+09") for error messages.
[[nodiscard]] std::string format_number(double value);

}  // namespace cimsim
