#include "sim/energy/adc_energy_model.h"

#include <algorithm>
#include <sstream>

namespace cimsim {

void ModelWarnings::add_message(const std::string& message) {
  if (std::find(messages.begin(), messages.end(), message) == messages.end()) {
    messages.push_back(message);
  }
}

std::unique_ptr<AdcEnergyModel> make_adc_energy_model(const AdcEnergyParams& params) {
  return AdcEnergyModelRegistry::instance().create(params.model, params);
}

void check_conversion_bits(const std::string& model, int bits) {
  if (bits < 1) {
    throw ConfigError("ADC energy model '" + model + "': a conversion has at least 1 bit, got " +
                      std::to_string(bits));
  }
}

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace cimsim
