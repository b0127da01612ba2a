// Converter kinds and their latency per conversion (crossbar-model.md section 9).
#include <memory>

#include "sim/adc/adc_components.h"

namespace cimsim {
namespace {

// Successive approximation: one comparator decision per bit.
class SarAdc final : public AdcKind {
 public:
  [[nodiscard]] double conversion_ns(int bits, const AdcTimingParams& timing) const override {
    return bits * timing.t_bit_ns;
  }
};

// Flash: all comparators at once, the same time at any resolution.
class FlashAdc final : public AdcKind {
 public:
  [[nodiscard]] double conversion_ns(int /*bits*/, const AdcTimingParams& timing) const override {
    return timing.t_flash_ns;
  }
};

const Registrar<AdcKind> kSar("sar", "successive approximation, b x t_bit_ns per conversion",
                              [] { return std::make_unique<SarAdc>(); });
const Registrar<AdcKind> kFlash("flash", "flash, t_flash_ns per conversion at any resolution",
                                [] { return std::make_unique<FlashAdc>(); });

}  // namespace
}  // namespace cimsim
