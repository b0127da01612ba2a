// Everything the macro simulation needs beyond the mapped layer: ADC, DAC, accumulator and
// timing settings, as resolved from the validated experiment config.
#pragma once

#include <map>
#include <string>

#include "sim/adc/adc_components.h"
#include "sim/device/device_settings.h"
#include "sim/hw/chip_settings.h"

namespace cimsim {

struct AdcSettings {
  std::string policy = "capped";  // hardware.adc.policy
  std::string mode = "clip";      // hardware.adc.mode
  std::string kind = "sar";       // hardware.adc.kind
  int bits = 8;                   // hardware.adc.bits [bit]
  bool power_gating = true;
  bool skip_zero_input_cycles = false;
  int per_crossbar = 128;  // ADCs per crossbar, shared by column multiplexing
  AdcTimingParams timing;
};

struct MacroSettings {
  AdcSettings adc;
  bool input_signed = false;
  bool dac_skip_zero_digits = true;  // hardware.dac.skip_zero_digits
  double t_read_ns = 10.0;           // hardware.crossbar.t_read_ns [ns]
  bool sample_hold = true;           // hardware.pipeline.sample_hold
  int accumulator_bits = 32;         // hardware.accumulator.bits [bit]
  double t_add_ns = 1.0;             // hardware.accumulator.t_add_ns [ns]
  double clock_ns = 1.0;             // hardware.clock_ns [ns]
  // simulation.kernel: "fast" (bit planes and popcounts, and the exact product wherever no
  // column can clip or overflow), "reference" (the plain per-row, per-column loops) or "analog"
  // (real-valued column sums from cell conductances, the path every run with a device
  // non-ideality takes). All three give identical outputs, counts and cycles with ideal devices;
  // the reference and the forced analog kernel exist to check that.
  std::string kernel = "fast";
  DeviceSettings device;  // hardware.device.* and the ADC's offset and noise; all off by default
  ChipSettings chip;      // hardware.tile.*, hardware.tiles, interconnect (section 11)
  // `layers`: the ADC settings of layers whose entry sets hardware.adc.*, by layer name; every
  // other layer converts with `adc`.
  std::map<std::string, AdcSettings> layer_adc;

  // These settings with layer `name`'s own ADC settings, when it has some.
  [[nodiscard]] MacroSettings for_layer(const std::string& name) const {
    MacroSettings out = *this;
    const auto it = layer_adc.find(name);
    if (it != layer_adc.end()) out.adc = it->second;
    out.layer_adc.clear();
    return out;
  }
};

}  // namespace cimsim
