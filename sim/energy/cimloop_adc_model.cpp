// CiMLoop's ADC model (Andrulis et al., 2024): the energy of the best ADC that Murmann's ADC
// survey supports at a given resolution, per-ADC sample rate and technology node, via Schreier's
// figure of merit. Optimistic by design; no leakage. Constants: energy-models.md, model `cimloop`.
#include <algorithm>
#include <cmath>

#include "sim/energy/adc_energy_model.h"

namespace cimsim {
namespace {

constexpr const char* kName = "cimloop";
// The original refuses b < 4: below 4 bits its fit rises again and is meaningless.
constexpr int kMinBits = 4;

// SNDR of an ideal b-bit quantiser [dB] = b * 20 log10(2) + 10 log10(1.5).
double sndr_db(int bits) { return 6.020599913 * bits + 1.760912591; }

// Schreier FOM [dB]: the lower of the survey's speed-limited and resolution-limited envelopes.
double schreier_fom_db(int bits, double sample_rate_hz) {
  const double fom_speed = 213.7806687348118 - 2.8719030399529957 * std::log(sample_rate_hz);
  const double fom_bits = 128.3068287398817 + 3.2205115109775644 * std::clamp(bits, 0, 20);
  return std::min(fom_speed, fom_bits);
}

class CimloopAdcModel final : public AdcEnergyModel {
 public:
  explicit CimloopAdcModel(const AdcEnergyParams& params)
      : tech_nm_(params.tech_nm), clamp_(params.below_min_bits == "clamp") {
    if (!(tech_nm_ > 0.0)) {
      throw ConfigError("ADC energy model 'cimloop': hardware.tech_nm must be positive, got " +
                        format_number(tech_nm_));
    }
    if (params.below_min_bits != "clamp" && params.below_min_bits != "error") {
      throw ConfigError("hardware.adc.energy.below_min_bits: expected 'clamp' or 'error', got '" +
                        params.below_min_bits + "'");
    }
  }

  [[nodiscard]] double conversion_energy_pj(int bits, double sample_rate_hz,
                                            ModelWarnings& warnings) const override {
    const int b = modelled_bits(bits);
    if (b != bits) {
      ++warnings.clamped_conversions;
      warnings.add_message("cimloop: " + std::to_string(bits) +
                           "-bit conversions charged the 4-bit energy (model defined for b >= 4; "
                           "below_min_bits: clamp)");
    }
    return energy_pj(b, sample_rate_hz);
  }

  [[nodiscard]] std::optional<double> area_um2(int bits, double sample_rate_hz) const override {
    const int b = modelled_bits(bits);
    return std::exp(1.3461916439910742 + 0.9932794744745022 * std::log(tech_nm_) +
                    0.18071538424508238 * std::log(sample_rate_hz) +
                    0.29912426192653485 * std::log(energy_pj(b, sample_rate_hz)));
  }

  [[nodiscard]] std::optional<double> latency_ns(int /*bits*/) const override {
    return std::nullopt;
  }

  [[nodiscard]] nlohmann::json describe() const override {
    return {{"model", kName},
            {"parameters",
             {{"tech_nm", tech_nm_},
              {"min_bits", kMinBits},
              {"below_min_bits", clamp_ ? "clamp" : "error"},
              {"leakage_w", 0.0}}}};
  }

 private:
  // The resolution the formula is evaluated at: `bits`, or 4 when clamping below 4.
  [[nodiscard]] int modelled_bits(int bits) const {
    check_conversion_bits(kName, bits);
    if (bits >= kMinBits) return bits;
    if (clamp_) return kMinBits;
    throw ConfigError(
        "ADC energy model 'cimloop' is defined for conversions of 4 bits or more, but a " +
        std::to_string(bits) +
        "-bit conversion was requested; set hardware.adc.energy.below_min_bits: clamp to "
        "charge it the 4-bit energy, or choose another hardware.adc.energy.model (registered: " +
        AdcEnergyModelRegistry::instance().joined_names() + ")");
  }

  [[nodiscard]] double energy_pj(int bits, double sample_rate_hz) const {
    if (!(sample_rate_hz > 0.0) || !std::isfinite(sample_rate_hz)) {
      throw ConfigError(
          "ADC energy model 'cimloop' needs a positive, finite per-ADC sample rate, got " +
          format_number(sample_rate_hz) +
          " S/s (hardware.adc.energy.sample_rate_hz or the timing model)");
    }
    const double fom_db = schreier_fom_db(bits, sample_rate_hz);
    // E0 is the Schreier-FOM energy [J]; the fitted factor scales it to pJ at this node and b.
    const double e0_j = 1.0 / (2.0 * std::pow(10.0, (fom_db - sndr_db(bits)) / 10.0));
    return e0_j * std::exp(26.0496215686518 + 1.8800369206815004 * std::log(tech_nm_) -
                           2.8291256050594527 * std::log(bits) - 1.4702022133784405);
  }

  double tech_nm_;
  bool clamp_;
};

const Registrar<AdcEnergyModel, const AdcEnergyParams&> kRegistrar(
    kName,
    "Murmann-survey best-ADC fit used by CiMLoop: energy from bits, per-ADC sample rate and "
    "tech_nm (b >= 4; below: clamp or error)",
    [](const AdcEnergyParams& params) { return std::make_unique<CimloopAdcModel>(params); });

}  // namespace
}  // namespace cimsim
