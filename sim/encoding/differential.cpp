// Differential encoding: one column set for q+ = max(q, 0), one for q- = max(-q, 0), each a
// (B-1)-bit magnitude; y = y+ - y- digitally. Small weights leave high slices empty, which is
// what sorted weight sectioning exploits.
#include <algorithm>

#include "sim/encoding/weight_encoding.h"

namespace cimsim {
namespace {

class DifferentialEncoding final : public WeightEncoding {
 public:
  [[nodiscard]] std::vector<int> polarities() const override { return {+1, -1}; }
  [[nodiscard]] int magnitude_bits(int weight_bits) const override { return weight_bits - 1; }
  [[nodiscard]] std::uint32_t stored_value(std::int32_t q, int polarity,
                                           int /*weight_bits*/) const override {
    return static_cast<std::uint32_t>(std::max(polarity * q, 0));
  }
  [[nodiscard]] std::int64_t input_sum_coefficient(int /*weight_bits*/) const override { return 0; }
  [[nodiscard]] bool sortable() const override { return true; }
};

const Registrar<WeightEncoding> kRegistrar(
    "differential", "two column sets for q+ and q-, (B-1)-bit magnitudes, subtracted digitally",
    [] { return std::make_unique<DifferentialEncoding>(); });

}  // namespace
}  // namespace cimsim
