#include "sim/mapping/quantize.h"

#include <algorithm>
#include <cmath>

#include "sim/core/errors.h"

namespace cimsim {

QuantizedWeights quantize_weights(const std::vector<double>& weights, std::size_t k, std::size_t n,
                                  const QuantSettings& quant) {
  const double levels = std::ldexp(1.0, quant.weight_bits - 1) - 1.0;
  QuantizedWeights out;
  out.values = IntMatrix(k, n);
  std::vector<double> largest(n, 0.0);
  for (std::size_t i = 0; i < k * n; ++i) {
    largest[i % n] = std::max(largest[i % n], std::fabs(weights[i]));
  }
  if (quant.weight_scale == "tensor") {
    const double overall = *std::max_element(largest.begin(), largest.end());
    std::fill(largest.begin(), largest.end(), overall);
  }
  out.scales.resize(n);
  for (std::size_t c = 0; c < n; ++c) out.scales[c] = largest[c] > 0.0 ? largest[c] / levels : 1.0;
  for (std::size_t i = 0; i < k * n; ++i) {
    const double q = round_half_up(weights[i] / out.scales[i % n]);
    out.values.data[i] = static_cast<std::int32_t>(std::clamp(q, -levels, levels));
  }
  return out;
}

namespace {

// Magnitudes are taken in the samples' own type, which is exact for float and double alike.
template <typename Real>
double magnitude_of(const std::vector<Real>& samples, const std::string& method) {
  std::vector<Real> magnitudes(samples.size());
  std::transform(samples.begin(), samples.end(), magnitudes.begin(),
                 [](Real v) { return std::fabs(v); });
  if (magnitudes.empty()) return 0.0;
  if (method == "max") return *std::max_element(magnitudes.begin(), magnitudes.end());
  // "pNN.N": the nearest-rank percentile of |x|.
  const double percent = std::stod(method.substr(1));
  const auto rank =
      static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(magnitudes.size())));
  const std::size_t index = std::min(magnitudes.size() - 1, rank == 0 ? 0 : rank - 1);
  std::nth_element(magnitudes.begin(), magnitudes.begin() + static_cast<std::ptrdiff_t>(index),
                   magnitudes.end());
  return magnitudes[index];
}

}  // namespace

double calibration_magnitude(const std::vector<double>& samples, const std::string& method) {
  return magnitude_of(samples, method);
}

double calibration_magnitude(const std::vector<float>& samples, const std::string& method) {
  return magnitude_of(samples, method);
}

QuantizedInputs quantize_inputs(const std::vector<double>& inputs, std::size_t t, std::size_t k,
                                const QuantSettings& quant,
                                const std::vector<double>& calibration) {
  QuantizedInputs out;
  out.is_signed =
      quant.input_signed == "true" ||
      (quant.input_signed == "auto" &&
       std::any_of(calibration.begin(), calibration.end(), [](double v) { return v < 0.0; }));
  const InputCodeRange range = input_code_range(quant.input_bits, out.is_signed);
  const double magnitude = calibration_magnitude(calibration, quant.input_calibration);
  out.scale = magnitude > 0.0 ? magnitude / range.hi : 1.0;
  out.values = IntMatrix(t, k);
  for (std::size_t i = 0; i < t * k; ++i) {
    out.values.data[i] = quantize_input(inputs[i], out.scale, range);
  }
  return out;
}

bool resolve_input_signed(const QuantSettings& quant, const IntMatrix& inputs) {
  if (quant.input_signed != "auto") return quant.input_signed == "true";
  return std::any_of(inputs.data.begin(), inputs.data.end(), [](std::int32_t v) { return v < 0; });
}

void check_input_range(const IntMatrix& inputs, int bits, bool is_signed, const std::string& file) {
  const std::int64_t lo = is_signed ? -(std::int64_t{1} << (bits - 1)) : 0;
  const std::int64_t hi =
      is_signed ? (std::int64_t{1} << (bits - 1)) - 1 : (std::int64_t{1} << bits) - 1;
  for (std::size_t i = 0; i < inputs.data.size(); ++i) {
    if (inputs.data[i] < lo || inputs.data[i] > hi) {
      throw DataError(file + ": input " + std::to_string(inputs.data[i]) + " at [" +
                      std::to_string(i / inputs.cols) + ", " + std::to_string(i % inputs.cols) +
                      "] is outside the " + (is_signed ? "signed" : "unsigned") + " " +
                      std::to_string(bits) + "-bit range [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "] (quant.input_bits, quant.input_signed)");
    }
  }
}

}  // namespace cimsim
