// Quantization of float weights and inputs (crossbar-model.md section 1).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/experiment.h"
#include "sim/mapping/int_matrix.h"

namespace cimsim {

struct QuantizedWeights {
  IntMatrix values;            // K x N in [-(2^(B-1) - 1), 2^(B-1) - 1]
  std::vector<double> scales;  // s_w per output n (all equal for a per-tensor scale)
};

struct QuantizedInputs {
  IntMatrix values;    // T x K
  double scale = 1.0;  // s_x
  bool is_signed = false;
};

// q = round(w / s_w), s_w = max|w| / (2^(B-1) - 1) per tensor or per output channel.
[[nodiscard]] QuantizedWeights quantize_weights(const std::vector<double>& weights, std::size_t k,
                                                std::size_t n, const QuantSettings& quant);

// The calibration magnitude of a set of samples: max |x|, or the given percentile of |x|.
[[nodiscard]] double calibration_magnitude(const std::vector<double>& samples,
                                           const std::string& method);
[[nodiscard]] double calibration_magnitude(const std::vector<float>& samples,
                                           const std::string& method);

// x_q = clamp(round(x / s_x)) with s_x from the calibration samples (never the test set).
[[nodiscard]] QuantizedInputs quantize_inputs(const std::vector<double>& inputs, std::size_t t,
                                              std::size_t k, const QuantSettings& quant,
                                              const std::vector<double>& calibration);

// Whether integer inputs are treated as signed (auto: when any is negative).
[[nodiscard]] bool resolve_input_signed(const QuantSettings& quant, const IntMatrix& inputs);

// Refuses integer inputs outside the unsigned or signed range of `bits`.
void check_input_range(const IntMatrix& inputs, int bits, bool is_signed, const std::string& file);

// round(z) = floor(z + 0.5), the rounding of the whole model.
[[nodiscard]] inline double round_half_up(double z) { return std::floor(z + 0.5); }

// The codes an input of `bits` bits can take: [-2^(bits-1), 2^(bits-1) - 1] when signed,
// [0, 2^bits - 1] when not.
struct InputCodeRange {
  double lo = 0.0;
  double hi = 0.0;
};
[[nodiscard]] inline InputCodeRange input_code_range(int bits, bool is_signed) {
  return is_signed ? InputCodeRange{-std::ldexp(1.0, bits - 1), std::ldexp(1.0, bits - 1) - 1.0}
                   : InputCodeRange{0.0, std::ldexp(1.0, bits) - 1.0};
}

// The one input quantizer: the code of the real input `value` at `scale` (value / scale rounded
// half up, clamped to the range). Every workload's inputs go through it. The clamp comes before
// the floor, which gives the same code (the bounds are integers and floor is monotone), and the
// floor of a value inside the int32 range is its truncation, less one where truncation rounded
// up: in this form GCC vectorizes loops over the quantizer, which it does not with std::floor
// (not under the default -ftrapping-math) nor with std::clamp (it returns a reference).
// tests/mapping/quantize_test.cpp checks it against clamp(round_half_up(z)).
[[nodiscard]] inline std::int32_t quantize_input(double value, double scale,
                                                 const InputCodeRange& range) {
  const double z = value / scale + 0.5;
  const double clamped = z < range.lo ? range.lo : range.hi < z ? range.hi : z;
  const auto truncated = static_cast<std::int32_t>(clamped);
  return truncated - (clamped < static_cast<double>(truncated) ? 1 : 0);
}

}  // namespace cimsim
