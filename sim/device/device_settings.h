// Device and circuit non-idealities of the crossbars (docs/nonidealities.md), as resolved from
// hardware.device.* and hardware.adc.{offset,noise}_sigma_lsb. All are off by default: the
// crossbar then holds exactly its integer levels and every kernel is bit-exact.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace cimsim {

struct DeviceSettings {
  std::string variation = "none";  // hardware.device.variation.kind (registered)
  double variation_sigma = 0.0;    // hardware.device.variation.sigma [relative]
  double read_noise_sigma = 0.0;   // hardware.device.read_noise_sigma [relative, per read]
  double stuck_at_on = 0.0;        // hardware.device.stuck_at_on [fraction of cells]
  double stuck_at_off = 0.0;       // hardware.device.stuck_at_off [fraction of cells]
  double on_off_ratio = std::numeric_limits<double>::infinity();  // G_max / G_min
  double adc_offset_sigma_lsb = 0.0;  // hardware.adc.offset_sigma_lsb [LSB], fixed per column
  double adc_noise_sigma_lsb = 0.0;   // hardware.adc.noise_sigma_lsb [LSB], per conversion
  std::uint64_t seed = 1;             // the experiment's seed

  [[nodiscard]] bool programming_variation() const {
    return variation != "none" && variation_sigma > 0.0;
  }
  // Whether anything perturbs the stored conductances (a per-run property of the cells).
  [[nodiscard]] bool perturbs_cells() const {
    return programming_variation() || stuck_at_on > 0.0 || stuck_at_off > 0.0 ||
           on_off_ratio < std::numeric_limits<double>::infinity();
  }
  // Whether any non-ideality is on: column sums are then real valued.
  [[nodiscard]] bool any() const {
    return perturbs_cells() || read_noise_sigma > 0.0 || adc_offset_sigma_lsb > 0.0 ||
           adc_noise_sigma_lsb > 0.0;
  }
};

}  // namespace cimsim
