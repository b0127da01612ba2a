// The three choices that define a column ADC (crossbar-model.md sections 5 and 9), each an
// interface with registered implementations chosen by name in the config:
//   resolution policy (hardware.adc.policy): fixed, lossless, capped;
//   transfer mode (hardware.adc.mode): clip, scale;
//   converter kind (hardware.adc.kind): sar, flash (latency per conversion).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "sim/core/registry.h"

namespace cimsim {

class AdcResolutionPolicy {
 public:
  static constexpr const char* kKind = "ADC resolution policy";
  virtual ~AdcResolutionPolicy() = default;
  // Bits of a non-gated column with lossless resolution b*, given the configured adc.bits.
  // Always at least 1.
  [[nodiscard]] virtual int resolution(int lossless_bits, int configured_bits) const = 0;
};

// The result of converting one column sum.
struct AdcConversion {
  std::int64_t value;       // code times step: what the shift-and-add receives
  std::int64_t code;        // ADC output code
  bool clipped;             // the code saturated at 2^b - 1 below the true sum, or at 0 above it
  bool below_zero = false;  // a negative (real-valued) sum read as code 0; also `clipped`
};

class AdcTransfer {
 public:
  static constexpr const char* kKind = "ADC transfer mode";
  virtual ~AdcTransfer() = default;
  // Step (LSB size) of a column converted at `bits` with lossless resolution b*.
  [[nodiscard]] virtual std::int64_t step(int bits, int lossless_bits) const = 0;
  // Converts an integer column sum with the column's step and bits: code = min(round(sum /
  // step), 2^bits - 1), round(z) = floor(z + 0.5).
  [[nodiscard]] static AdcConversion convert(std::int64_t sum, std::int64_t step, int bits);
  // Converts a real-valued column sum (device non-idealities on): code = min(max(round(sum /
  // step), 0), 2^bits - 1); a code held at either end is a clipped conversion.
  // Inline: it runs once per column per input cycle.
  [[nodiscard]] static AdcConversion convert_real(double sum, std::int64_t step, int bits) {
    const std::int64_t max_code = (std::int64_t{1} << bits) - 1;
    const double rounded = std::floor(sum / static_cast<double>(step) + 0.5);
    if (rounded < 0.0) return AdcConversion{0, 0, true, true};
    if (rounded > static_cast<double>(max_code)) {
      return AdcConversion{max_code * step, max_code, true};
    }
    const auto code = static_cast<std::int64_t>(rounded);
    return AdcConversion{code * step, code, false};
  }
};

struct AdcTimingParams {
  double t_bit_ns = 1.0;    // SAR time per bit [ns]
  double t_flash_ns = 1.0;  // flash conversion time [ns]
};

class AdcKind {
 public:
  static constexpr const char* kKind = "ADC kind";
  virtual ~AdcKind() = default;
  // Time of one conversion of `bits` resolution [ns].
  [[nodiscard]] virtual double conversion_ns(int bits, const AdcTimingParams& timing) const = 0;
};

using AdcResolutionPolicyRegistry = Registry<AdcResolutionPolicy>;
using AdcTransferRegistry = Registry<AdcTransfer>;
using AdcKindRegistry = Registry<AdcKind>;

}  // namespace cimsim
