// PUMA simulator defaults, linear in bits: E = 0.225 pJ * b (8 bits: 1.8 pJ, constants.py's
// adc_pow_dyn 1.8 mW x 1 ns), latency 12.5 ns * b (8 bits: adc_lat 100 ns), 0.0012 mm^2 per ADC
// at any b (adc_area; = ISAAC's 0.0096 mm^2 / 8 ADCs). No leakage charged.
#include "sim/energy/adc_energy_model.h"

namespace cimsim {
namespace {

constexpr const char* kName = "puma_linear";
constexpr double kLatencyNsPerBit = 12.5;  // [ns/bit]
constexpr double kAreaUm2 = 0.0012e6;      // 0.0012 mm^2 [um^2]

class PumaLinearAdcModel final : public AdcEnergyModel {
 public:
  explicit PumaLinearAdcModel(const AdcEnergyParams& params) : pj_per_bit_(params.puma_pj_per_bit) {
    if (!(pj_per_bit_ > 0.0)) {
      throw ConfigError("hardware.adc.energy.puma_pj_per_bit must be positive, got " +
                        format_number(pj_per_bit_));
    }
  }

  [[nodiscard]] double conversion_energy_pj(int bits, double /*sample_rate_hz*/,
                                            ModelWarnings& /*warnings*/) const override {
    check_conversion_bits(kName, bits);
    return pj_per_bit_ * bits;
  }

  [[nodiscard]] std::optional<double> area_um2(int bits, double /*sample_rate_hz*/) const override {
    check_conversion_bits(kName, bits);
    return kAreaUm2;
  }

  [[nodiscard]] std::optional<double> latency_ns(int bits) const override {
    check_conversion_bits(kName, bits);
    return kLatencyNsPerBit * bits;
  }

  [[nodiscard]] nlohmann::json describe() const override {
    return {{"model", kName},
            {"parameters",
             {{"pj_per_bit", pj_per_bit_},
              {"latency_ns_per_bit", kLatencyNsPerBit},
              {"area_um2", kAreaUm2}}}};
  }

 private:
  double pj_per_bit_;
};

const Registrar<AdcEnergyModel, const AdcEnergyParams&> kRegistrar(
    kName,
    "PUMA defaults: E = puma_pj_per_bit (0.225 pJ) * bits, 12.5 ns per bit, 0.0012 mm^2 per ADC",
    [](const AdcEnergyParams& params) { return std::make_unique<PumaLinearAdcModel>(params); });

}  // namespace
}  // namespace cimsim
