// Everything the macro simulation needs beyond the mapped layer: ADC, DAC, accumulator and
// timing settings, as resolved from the validated experiment config.
#pragma once

#include <string>

#include "sim/adc/adc_components.h"

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
  // column can clip or overflow) or "reference" (the plain per-row, per-column loops). Both give
  // identical outputs, counts and cycles; the reference exists to check that.
  std::string kernel = "fast";
};

}  // namespace cimsim
