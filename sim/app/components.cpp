#include "sim/app/components.h"

#include <fmt/format.h>

#include "sim/adc/adc_components.h"
#include "sim/device/conductance_variation.h"
#include "sim/encoding/weight_encoding.h"
#include "sim/energy/adc_energy_model.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

template <typename RegistryType>
std::string section(const std::string& title, const std::string& key) {
  std::string out = fmt::format("{} ({}):\n", title, key);
  for (const auto& entry : RegistryType::instance().entries()) {
    out += fmt::format("  {:<14} {}\n", entry.name, entry.description);
  }
  return out;
}

}  // namespace

std::string list_registered_components() {
  return section<WorkloadRegistry>("workloads", "workload.kind") +
         section<MappingPolicyRegistry>("mapping policies", "mapping.policy") +
         section<WeightEncodingRegistry>("weight encodings", "hardware.crossbar.encoding") +
         section<AdcResolutionPolicyRegistry>("ADC resolution policies", "hardware.adc.policy") +
         section<AdcTransferRegistry>("ADC transfer modes", "hardware.adc.mode") +
         section<AdcKindRegistry>("ADC kinds", "hardware.adc.kind") +
         section<AdcEnergyModelRegistry>("ADC energy models", "hardware.adc.energy.model") +
         section<ConductanceVariationRegistry>("conductance variations",
                                               "hardware.device.variation.kind");
}

}  // namespace cimsim
