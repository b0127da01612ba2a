// The clip and scale transfer modes. Both saturate at 2^b - 1; they differ in the step.
#include <algorithm>
#include <memory>

#include "sim/adc/adc_components.h"

namespace cimsim {

AdcConversion AdcTransfer::convert(std::int64_t sum, std::int64_t step, int bits) {
  const std::int64_t max_code = (std::int64_t{1} << bits) - 1;
  // floor(sum / step + 0.5) for integer sums and power-of-two steps; sums are never negative.
  const std::int64_t rounded = step == 1 ? sum : (sum + step / 2) / step;
  const std::int64_t code = std::min(rounded, max_code);
  return AdcConversion{code * step, code, rounded > max_code};
}

namespace {

// Unit LSB: exact up to 2^b - 1, saturates above.
class ClipTransfer final : public AdcTransfer {
 public:
  [[nodiscard]] std::int64_t step(int /*bits*/, int /*lossless_bits*/) const override { return 1; }
};

// The step follows the column's own bound, 2^max(0, b* - b): coarse but never saturating.
class ScaleTransfer final : public AdcTransfer {
 public:
  [[nodiscard]] std::int64_t step(int bits, int lossless_bits) const override {
    return std::int64_t{1} << std::max(0, lossless_bits - bits);
  }
};

const Registrar<AdcTransfer> kClip("clip", "unit LSB, code = min(round(sum), 2^b - 1)",
                                   [] { return std::make_unique<ClipTransfer>(); });
const Registrar<AdcTransfer> kScale(
    "scale", "LSB of 2^max(0, b* - b) set from the column's bound, no saturation",
    [] { return std::make_unique<ScaleTransfer>(); });

}  // namespace
}  // namespace cimsim
