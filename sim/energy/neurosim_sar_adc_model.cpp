// NeuroSim V1.4's SAR ADC (low-standby-power devices, 300 K): a conversion takes (b + 1) cycles of
// 1 ns at power P = (a*b + c) uW, plus an optional column term that grows as the column
// resistance falls. Fitted constants exist for 22 and 32 nm only. No area in this port.
#include <cmath>

#include "sim/energy/adc_energy_model.h"

namespace cimsim {
namespace {

constexpr const char* kName = "neurosim_sar";
constexpr double kCycleNs = 1.0;  // one SAR step [ns]

struct NeurosimConstants {
  double tech_nm;
  double a_uw_per_bit;  // [uW/bit]
  double c_uw;          // [uW]
  double k_w;           // column term scale [W]
  double m;             // column term exponent [1/decade]
  double v_read_v;      // read voltage [V]
};

constexpr NeurosimConstants kNodes[] = {
    {22.0, 0.538, 4.3753, 0.072341, 2.303, 0.55},
    {32.0, 1.1294, 8.8998, 0.079449, 2.297, 0.51},
};

const NeurosimConstants& constants_for(double tech_nm) {
  for (const auto& node : kNodes) {
    if (std::abs(node.tech_nm - tech_nm) < 1e-9) return node;
  }
  throw ConfigError(
      "ADC energy model 'neurosim_sar' has constants for tech_nm 22 and 32 only, got " +
      format_number(tech_nm) +
      "; set hardware.tech_nm to a supported node or choose another "
      "hardware.adc.energy.model");
}

class NeurosimSarAdcModel final : public AdcEnergyModel {
 public:
  explicit NeurosimSarAdcModel(const AdcEnergyParams& params)
      : node_(constants_for(params.tech_nm)), r_col_ohm_(params.neurosim_r_col_ohm) {
    if (r_col_ohm_ && !(*r_col_ohm_ > 0.0)) {
      throw ConfigError("hardware.adc.energy.neurosim_r_col_ohm must be positive, got " +
                        format_number(*r_col_ohm_));
    }
  }

  [[nodiscard]] double conversion_energy_pj(int bits, double /*sample_rate_hz*/,
                                            ModelWarnings& /*warnings*/) const override {
    check_conversion_bits(kName, bits);
    double power_w = (node_.a_uw_per_bit * bits + node_.c_uw) * 1e-6;
    if (r_col_ohm_) {
      power_w += node_.k_w * std::exp(-node_.m * std::log10(*r_col_ohm_ * 0.5 / node_.v_read_v));
    }
    return power_w * *latency_ns(bits) * 1e3;  // W x ns = nJ; x 1e3 = pJ
  }

  [[nodiscard]] std::optional<double> area_um2(int /*bits*/,
                                               double /*sample_rate_hz*/) const override {
    return std::nullopt;
  }

  [[nodiscard]] std::optional<double> latency_ns(int bits) const override {
    check_conversion_bits(kName, bits);
    return (bits + 1) * kCycleNs;
  }

  [[nodiscard]] nlohmann::json describe() const override {
    nlohmann::json parameters = {{"tech_nm", node_.tech_nm}, {"a_uw_per_bit", node_.a_uw_per_bit},
                                 {"c_uw", node_.c_uw},       {"k_w", node_.k_w},
                                 {"m_per_decade", node_.m},  {"v_read_v", node_.v_read_v},
                                 {"cycle_ns", kCycleNs},     {"r_col_ohm", nullptr}};
    if (r_col_ohm_) parameters["r_col_ohm"] = *r_col_ohm_;
    return {{"model", kName}, {"parameters", parameters}};
  }

 private:
  NeurosimConstants node_;
  std::optional<double> r_col_ohm_;
};

const Registrar<AdcEnergyModel, const AdcEnergyParams&> kRegistrar(
    kName,
    "NeuroSim V1.4 SAR ADC (22/32 nm): E = (a*b + c) uW x (b + 1) ns, optional column term "
    "from neurosim_r_col_ohm",
    [](const AdcEnergyParams& params) { return std::make_unique<NeurosimSarAdcModel>(params); });

}  // namespace
}  // namespace cimsim
