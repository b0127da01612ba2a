// Offset encoding (ISAAC): store u = q + (2^(B-1) - 1) as a B-bit unsigned value in one column
// set and subtract (2^(B-1) - 1) * sum(x) digitally. A small negative weight sets the high bits
// of u, so sorting by magnitude frees no column: SWS cannot use it.
#include "sim/encoding/weight_encoding.h"

namespace cimsim {
namespace {

class OffsetEncoding final : public WeightEncoding {
 public:
  [[nodiscard]] std::vector<int> polarities() const override { return {+1}; }
  [[nodiscard]] int magnitude_bits(int weight_bits) const override { return weight_bits; }
  [[nodiscard]] std::uint32_t stored_value(std::int32_t q, int /*polarity*/,
                                           int weight_bits) const override {
    return static_cast<std::uint32_t>(q + input_sum_coefficient(weight_bits));
  }
  [[nodiscard]] std::int64_t input_sum_coefficient(int weight_bits) const override {
    return (std::int64_t{1} << (weight_bits - 1)) - 1;
  }
  [[nodiscard]] bool sortable() const override { return false; }
};

const Registrar<WeightEncoding> kRegistrar(
    "offset", "ISAAC-style: one column set of u = q + 2^(B-1) - 1, offset removed digitally",
    [] { return std::make_unique<OffsetEncoding>(); });

}  // namespace
}  // namespace cimsim
