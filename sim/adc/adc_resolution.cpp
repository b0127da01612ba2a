// Resolution policies: how many bits a (non-gated) column's ADC converts with.
#include <algorithm>
#include <memory>

#include "sim/adc/adc_components.h"

namespace cimsim {
namespace {

// The conventional baseline (ISAAC): every column at adc.bits, even when it needs fewer.
class FixedResolution final : public AdcResolutionPolicy {
 public:
  [[nodiscard]] int resolution(int /*lossless_bits*/, int configured_bits) const override {
    return configured_bits;
  }
};

// Exactly the column's lossless width: never clips.
class LosslessResolution final : public AdcResolutionPolicy {
 public:
  [[nodiscard]] int resolution(int lossless_bits, int /*configured_bits*/) const override {
    return std::max(1, lossless_bits);
  }
};

// A variable-resolution ADC with a hardware maximum of adc.bits.
class CappedResolution final : public AdcResolutionPolicy {
 public:
  [[nodiscard]] int resolution(int lossless_bits, int configured_bits) const override {
    return std::max(1, std::min(lossless_bits, configured_bits));
  }
};

const Registrar<AdcResolutionPolicy> kFixed("fixed",
                                            "every column converts at adc.bits (conventional ADC)",
                                            [] { return std::make_unique<FixedResolution>(); });
const Registrar<AdcResolutionPolicy> kLossless(
    "lossless", "each column converts at its lossless width b* (at least 1 bit)",
    [] { return std::make_unique<LosslessResolution>(); });
const Registrar<AdcResolutionPolicy> kCapped(
    "capped", "variable resolution: min(b*, adc.bits), at least 1 bit",
    [] { return std::make_unique<CappedResolution>(); });

}  // namespace
}  // namespace cimsim
