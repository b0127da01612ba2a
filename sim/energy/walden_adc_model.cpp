// Walden figure of merit: energy doubles per bit, E = FOM_W * 2^b. The default FOM_W puts 8 bits
// at ISAAC's 1.5625 pJ (32 nm: 16 mW for 8 ADCs at 1.28 GS/s = 2 mW / 1.28e9 S/s). The model
// behind "exponentially decreasing ADC energy" with fewer bits. No area, latency or leakage.
#include <cmath>

#include "sim/energy/adc_energy_model.h"

namespace cimsim {
namespace {

constexpr const char* kName = "walden";

class WaldenAdcModel final : public AdcEnergyModel {
 public:
  explicit WaldenAdcModel(const AdcEnergyParams& params)
      : fom_fj_per_step_(params.walden_fom_fj_per_step) {
    if (!(fom_fj_per_step_ > 0.0)) {
      throw ConfigError("hardware.adc.energy.walden_fom_fj_per_step must be positive, got " +
                        format_number(fom_fj_per_step_));
    }
  }

  [[nodiscard]] double conversion_energy_pj(int bits, double /*sample_rate_hz*/,
                                            ModelWarnings& /*warnings*/) const override {
    check_conversion_bits(kName, bits);
    return fom_fj_per_step_ * std::ldexp(1.0, bits) * 1e-3;
  }

  [[nodiscard]] std::optional<double> area_um2(int /*bits*/,
                                               double /*sample_rate_hz*/) const override {
    return std::nullopt;
  }

  [[nodiscard]] std::optional<double> latency_ns(int /*bits*/) const override {
    return std::nullopt;
  }

  [[nodiscard]] nlohmann::json describe() const override {
    return {{"model", kName}, {"parameters", {{"fom_fj_per_step", fom_fj_per_step_}}}};
  }

 private:
  double fom_fj_per_step_;
};

const Registrar<AdcEnergyModel, const AdcEnergyParams&> kRegistrar(
    kName, "Walden FOM: E = fom_fj_per_step * 2^bits (default: 1.5625 pJ at 8 bits, ISAAC)",
    [](const AdcEnergyParams& params) { return std::make_unique<WaldenAdcModel>(params); });

}  // namespace
}  // namespace cimsim
