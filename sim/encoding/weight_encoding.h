// How a signed integer weight becomes unsigned stored values in one or more column sets
// (crossbar-model.md section 2). Implementations register themselves by name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/registry.h"

namespace cimsim {

class WeightEncoding {
 public:
  static constexpr const char* kKind = "weight encoding";
  virtual ~WeightEncoding() = default;

  // Signs of the column sets: {+1, -1} for differential, {+1} for offset.
  [[nodiscard]] virtual std::vector<int> polarities() const = 0;
  // Bits of a stored value for B-bit weights.
  [[nodiscard]] virtual int magnitude_bits(int weight_bits) const = 0;
  // The stored (unsigned) value of weight q in the column set of the given polarity.
  [[nodiscard]] virtual std::uint32_t stored_value(std::int32_t q, int polarity,
                                                   int weight_bits) const = 0;
  // y = sum(stored * x) - coefficient * sum(x): the digital correction of an offset encoding.
  [[nodiscard]] virtual std::int64_t input_sum_coefficient(int weight_bits) const = 0;
  // Whether sorting rows by |q| can free high-order slice columns (required by SWS).
  [[nodiscard]] virtual bool sortable() const = 0;
};

using WeightEncodingRegistry = Registry<WeightEncoding>;

// The shared instance of a registered encoding (encodings are stateless).
[[nodiscard]] const WeightEncoding& weight_encoding(const std::string& name);

}  // namespace cimsim
