#include "sim/macro/analog_kernel.h"

#include <algorithm>
#include <cmath>

#include "sim/core/simd_clones.h"
#include "sim/device/device_model.h"
#include "sim/macro/crossbar_engine.h"
#include "sim/macro/saturating_add.h"

namespace cimsim {
namespace {

// Adds each row's conductances, times its digit in each input cycle (squared when `square`, for
// the read-noise variances), into that cycle's sums [cycle][n]. Rows are added in row order in
// every clone, so each sum is the same float in any vector width (-ffp-contract=off).
CIMSIM_SIMD_CLONES void add_digit_rows(const std::uint32_t* driven, std::size_t rows, int dac_bits,
                                       int cycles, const float* g, std::size_t n, bool square,
                                       float* sums) {
  const std::uint32_t digit_mask = (1U << dac_bits) - 1U;
  for (std::size_t r = 0; r < rows; ++r) {
    if (driven[r] == 0) continue;
    const float* row = g + r * n;
    if (dac_bits == 1) {
      // Bit-serial digits are 0 or 1: visit the set bits only and add the row as it is.
      for (std::uint32_t bits = driven[r]; bits != 0; bits &= bits - 1) {
        float* sum = sums + static_cast<std::size_t>(__builtin_ctz(bits)) * n;
        for (std::size_t i = 0; i < n; ++i) sum[i] += row[i];
      }
      continue;
    }
    for (int p = 0; p < cycles; ++p) {
      const std::uint32_t digit = (driven[r] >> static_cast<unsigned>(p * dac_bits)) & digit_mask;
      if (digit == 0) continue;
      const auto d = static_cast<float>(digit);
      const float factor = square ? d * d : d;
      float* sum = sums + static_cast<std::size_t>(p) * n;
      for (std::size_t i = 0; i < n; ++i) sum[i] += factor * row[i];
    }
  }
}

// One cycle's ADC conversions, column-parallel, as AdcTransfer::convert_real: the sum (the
// perturbed one when kPerturbed, else the loaded sum plus the column's offset) over the step is
// rounded half up to a code and clamped to [0, max_code]. Codes go to `codes`; each code,
// shifted by `cycle_shift`, is added into accumulated[i]. With kInverse every step is a power
// of two and dividing by it is exactly multiplying by its inverse. Written without branches or
// floor() (which GCC does not vectorize), so that each clone converts a vector of columns at a
// time: y = sum / step + 0.5 is below zero exactly when floor(y) is, at or above max_code + 1
// exactly when floor(y) exceeds max_code, and in between floor(y) is its truncation. The codes
// are those of the scalar conversion in every clone (IEEE operations, no contraction).
struct ClipCounts {
  std::uint64_t below = 0;
  std::uint64_t above = 0;
};

template <bool kPerturbed, bool kInverse>
inline ClipCounts convert_cycle_body(
    const float* __restrict sums, const double* __restrict perturbed,
    const double* __restrict offset_lsb, const double* __restrict step,
    const double* __restrict inverse_step, const double* __restrict max_code, std::size_t n,
    unsigned cycle_shift, std::int32_t* __restrict codes, std::int64_t* __restrict accumulated) {
  std::uint64_t below = 0;
  std::uint64_t above = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0.0;
    if constexpr (kPerturbed) {
      sum = perturbed[i];
    } else {
      sum = static_cast<double>(sums[i]) + offset_lsb[i] * step[i];
    }
    double scaled = 0.0;
    if constexpr (kInverse) {
      scaled = sum * inverse_step[i];
    } else {
      scaled = sum / step[i];
    }
    const double y = scaled + 0.5;
    const double top = max_code[i];
    below += y < 0.0 ? 1 : 0;
    above += y >= top + 1.0 ? 1 : 0;
    const double low_clamped = y < 0.0 ? 0.0 : y;
    const double clamped = low_clamped >= top + 1.0 ? top : low_clamped;
    const auto code = static_cast<std::int32_t>(clamped);
    codes[i] = code;
    accumulated[i] += static_cast<std::int64_t>(code) << cycle_shift;
  }
  return {below, above};
}

// The four variants, each built for AVX-512, AVX2 and the baseline.
CIMSIM_SIMD_CLONES ClipCounts convert_cycle_inverse(const float* sums, const double* offset_lsb,
                                                    const double* step, const double* inverse_step,
                                                    const double* max_code, std::size_t n,
                                                    unsigned cycle_shift, std::int32_t* codes,
                                                    std::int64_t* accumulated) {
  return convert_cycle_body<false, true>(sums, nullptr, offset_lsb, step, inverse_step, max_code, n,
                                         cycle_shift, codes, accumulated);
}

CIMSIM_SIMD_CLONES ClipCounts convert_cycle_divide(const float* sums, const double* offset_lsb,
                                                   const double* step, const double* max_code,
                                                   std::size_t n, unsigned cycle_shift,
                                                   std::int32_t* codes, std::int64_t* accumulated) {
  return convert_cycle_body<false, false>(sums, nullptr, offset_lsb, step, nullptr, max_code, n,
                                          cycle_shift, codes, accumulated);
}

CIMSIM_SIMD_CLONES ClipCounts convert_perturbed_inverse(const double* perturbed,
                                                        const double* inverse_step,
                                                        const double* max_code, std::size_t n,
                                                        unsigned cycle_shift, std::int32_t* codes,
                                                        std::int64_t* accumulated) {
  return convert_cycle_body<true, true>(nullptr, perturbed, nullptr, nullptr, inverse_step,
                                        max_code, n, cycle_shift, codes, accumulated);
}

CIMSIM_SIMD_CLONES ClipCounts convert_perturbed_divide(const double* perturbed, const double* step,
                                                       const double* max_code, std::size_t n,
                                                       unsigned cycle_shift, std::int32_t* codes,
                                                       std::int64_t* accumulated) {
  return convert_cycle_body<true, false>(nullptr, perturbed, nullptr, step, nullptr, max_code, n,
                                         cycle_shift, codes, accumulated);
}

}  // namespace

AnalogKernel::AnalogKernel(const MappedCrossbar& crossbar, const MappingGeometry& geometry,
                           const DeviceSettings& device, const std::vector<ColumnAdcPlan>& plan,
                           const std::vector<std::size_t>& converting, bool signed_offset,
                           std::uint64_t crossbar_id)
    : crossbar_(&crossbar),
      device_(device),
      converting_(converting),
      crossbar_id_(crossbar_id),
      cycles_(geometry.input_cycles()),
      dac_bits_(geometry.dac_bits),
      input_mask_((1U << geometry.input_bits) - 1U),
      offset_(signed_offset ? std::int64_t{1} << (geometry.input_bits - 1) : 0),
      read_noise_(device.read_noise_sigma > 0.0),
      read_noise_rng_(device.seed, RandomStream::kReadNoise),
      adc_noise_rng_(device.seed, RandomStream::kAdcNoise) {
  // The ADC plan (gating, resolution, step) stays the one designed from the stored levels: the
  // hardware does not know its cells' errors. Gated columns never convert and read exact zero.
  const DeviceModel model(device, geometry.cell_bits);
  const std::size_t rows = crossbar.gather.size();
  const std::size_t count = converting_.size();
  g_.assign(rows * count, 0.0F);
  if (read_noise_) g2_.assign(rows * count, 0.0F);
  const CounterRng offset_rng(device.seed, RandomStream::kAdcOffset);
  adc_offset_lsb_.assign(count, 0.0);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t j = converting_[i];
    const std::vector<std::uint8_t>& cells = crossbar.columns[j].cells;
    for (std::size_t r = 0; r < rows; ++r) {
      const double g = model.conductance(cells[r], crossbar_id_, r, j);
      g_[r * count + i] = static_cast<float>(g);
      if (read_noise_) g2_[r * count + i] = static_cast<float>(g * g);
    }
    if (device.adc_offset_sigma_lsb > 0.0) {
      adc_offset_lsb_[i] = device.adc_offset_sigma_lsb * offset_rng.normal(crossbar_id_, j);
    }
  }
  sum_.resize(static_cast<std::size_t>(cycles_) * count);
  if (read_noise_) variance_.resize(sum_.size());
  driven_.resize(rows);
  step_.resize(count);
  max_code_.resize(count);
  output_.resize(count);
  code_weight_.resize(count);
  step_int_.resize(count);
  shift_.resize(count);
  polarity_.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const ColumnAdcPlan& column = plan[converting_[i]];
    step_[i] = static_cast<double>(column.step);
    max_code_[i] = static_cast<double>((std::int64_t{1} << column.bits) - 1);
    column_parallel_ = column_parallel_ && column.bits <= 30;
    output_[i] = static_cast<std::size_t>(column.local_output);
    polarity_[i] = crossbar.columns[converting_[i]].polarity < 0 ? -1 : 1;
    step_int_[i] = column.step;
    shift_[i] = column.shift;
    code_weight_[i] = polarity_[i] * (column.step << column.shift);
  }
  // Every step a power of two (as in both ADC transfer modes today): multiply by the inverse.
  bool powers_of_two = true;
  for (const std::int64_t step : step_int_)
    powers_of_two = powers_of_two && (step & (step - 1)) == 0;
  if (powers_of_two) {
    inverse_step_.resize(count);
    for (std::size_t i = 0; i < count; ++i) inverse_step_[i] = 1.0 / step_[i];
  }
  codes_.resize(sum_.size());
  if (read_noise_ || device.adc_noise_sigma_lsb > 0.0) perturbed_.resize(count);
  positive_codes_.resize(count);
  negative_codes_.resize(count);
  output_up_.resize(crossbar.outputs.size());
  output_down_.resize(crossbar.outputs.size());
}

void AnalogKernel::load_vector(const std::int32_t* x, std::uint64_t* cycle_nonzero) {
  const int v = dac_bits_;
  const std::uint32_t digit_mask = (1U << v) - 1U;
  const std::vector<std::int32_t>& gather = crossbar_->gather;
  const std::size_t rows = gather.size();
  const std::size_t converting = converting_.size();
  std::fill(sum_.begin(), sum_.end(), 0.0F);
  if (read_noise_) std::fill(variance_.begin(), variance_.end(), 0.0F);
  std::fill(cycle_nonzero, cycle_nonzero + cycles_, 0);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::int64_t value = x[gather[r]];
    const auto driven = static_cast<std::uint32_t>(value + offset_) & input_mask_;
    driven_[r] = driven;
    if (v == 1) {
      for (std::uint32_t bits = driven; bits != 0; bits &= bits - 1) {
        ++cycle_nonzero[__builtin_ctz(bits)];
      }
      continue;
    }
    for (int p = 0; p < cycles_; ++p) {
      cycle_nonzero[p] += ((driven >> static_cast<unsigned>(p * v)) & digit_mask) != 0 ? 1 : 0;
    }
  }
  // Column sums of every cycle at once, row by row: a row's conductances are added, times its
  // digit, into the sums of each cycle where its digit is nonzero (the sum of independent
  // per-cell read noise is a Gaussian of variance sum d^2 (sigma g)^2, kept alongside).
  add_digit_rows(driven_.data(), rows, v, cycles_, g_.data(), converting, false, sum_.data());
  if (read_noise_) {
    add_digit_rows(driven_.data(), rows, v, cycles_, g2_.data(), converting, true,
                   variance_.data());
  }
}

double AnalogKernel::perturbed_sum(int cycle, std::size_t i, std::uint64_t vector,
                                   std::int64_t step) const {
  const std::size_t at = static_cast<std::size_t>(cycle) * converting_.size() + i;
  // One draw per (crossbar, vector, cycle, column): the same in any batch or thread order.
  const std::uint64_t event = (static_cast<std::uint64_t>(cycle) << 32U) | converting_[i];
  double sum = sum_[at];
  if (read_noise_ && variance_[at] > 0.0F) {
    sum += device_.read_noise_sigma * std::sqrt(static_cast<double>(variance_[at])) *
           read_noise_rng_.normal(crossbar_id_, vector, event);
  }
  double input_referred_lsb = adc_offset_lsb_[i];
  if (device_.adc_noise_sigma_lsb > 0.0) {
    input_referred_lsb +=
        device_.adc_noise_sigma_lsb * adc_noise_rng_.normal(crossbar_id_, vector, event);
  }
  return sum + input_referred_lsb * static_cast<double>(step);
}

AnalogTally AnalogKernel::convert_vector(std::uint64_t vector, const std::uint8_t* converts,
                                         bool signed_serial, std::int64_t limit,
                                         std::int64_t* accumulators) {
  const std::size_t n = converting_.size();
  const int v = dac_bits_;
  const bool noise = !perturbed_.empty();
  AnalogTally tally;
  std::fill(positive_codes_.begin(), positive_codes_.end(), 0);
  std::fill(negative_codes_.begin(), negative_codes_.end(), 0);
  for (int p = 0; p < cycles_; ++p) {
    if (converts[p] == 0) continue;
    const std::size_t base = static_cast<std::size_t>(p) * n;
    // Noise draws are scalar, one counter-based draw per conversion, as the per-vector path's.
    if (noise) {
      for (std::size_t i = 0; i < n; ++i) perturbed_[i] = perturbed_sum(p, i, vector, step_int_[i]);
    }
    const bool negative = signed_serial && p == cycles_ - 1;
    std::int64_t* accumulated = negative ? negative_codes_.data() : positive_codes_.data();
    const auto cycle_shift = static_cast<unsigned>(p * v);
    std::int32_t* codes = &codes_[base];
    const double* inverse = inverse_step_.data();
    ClipCounts clips;
    if (noise) {
      clips = inverse_step_.empty()
                  ? convert_perturbed_divide(perturbed_.data(), step_.data(), max_code_.data(), n,
                                             cycle_shift, codes, accumulated)
                  : convert_perturbed_inverse(perturbed_.data(), inverse, max_code_.data(), n,
                                              cycle_shift, codes, accumulated);
    } else {
      clips =
          inverse_step_.empty()
              ? convert_cycle_divide(&sum_[base], adc_offset_lsb_.data(), step_.data(),
                                     max_code_.data(), n, cycle_shift, codes, accumulated)
              : convert_cycle_inverse(&sum_[base], adc_offset_lsb_.data(), step_.data(), inverse,
                                      max_code_.data(), n, cycle_shift, codes, accumulated);
    }
    tally.below_zero += clips.below;
    tally.clipped += clips.below + clips.above;
  }
  // Each column's positive and negative part; when every output's positive parts and negative
  // parts each stay within the accumulator, no partial sum in any order can saturate, and the
  // total is the sum. Else the conversions are added one by one in the per-vector path's order.
  // (Column weights and codes are far below 2^63: bounded by the column's lossless sum.)
  std::fill(output_up_.begin(), output_up_.end(), 0);
  std::fill(output_down_.begin(), output_down_.end(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t a = positive_codes_[i] * code_weight_[i];
    const std::int64_t b = -negative_codes_[i] * code_weight_[i];
    output_up_[output_[i]] += std::max<std::int64_t>(a, 0) + std::max<std::int64_t>(b, 0);
    output_down_[output_[i]] += std::min<std::int64_t>(a, 0) + std::min<std::int64_t>(b, 0);
  }
  bool saturates = false;
  for (std::size_t o = 0; o < output_up_.size(); ++o) {
    saturates = saturates || output_up_[o] > limit || output_down_[o] < -limit - 1;
  }
  if (!saturates) {
    for (std::size_t o = 0; o < output_up_.size(); ++o) {
      accumulators[o] += output_up_[o] + output_down_[o];
    }
  }
  tally.ordered = saturates;
  if (saturates) {
    for (int p = 0; p < cycles_; ++p) {
      if (converts[p] == 0) continue;
      const std::int64_t cycle_sign = (signed_serial && p == cycles_ - 1) ? -1 : 1;
      for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t value = codes_[static_cast<std::size_t>(p) * n + i] * step_int_[i];
        if (value == 0) continue;
        const auto shift = static_cast<unsigned>(p * v) + shift_[i];
        if (saturating_add(accumulators[output_[i]], cycle_sign * polarity_[i] * (value << shift),
                           limit)) {
          ++tally.overflows;
        }
      }
    }
  }
  return tally;
}

}  // namespace cimsim
