#include "sim/macro/analog_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "sim/core/simd_clones.h"
#include "sim/device/device_model.h"
#include "sim/macro/crossbar_engine.h"
#include "sim/macro/saturating_add.h"

namespace cimsim {
namespace {

// The per-cycle column sums of one vector, computed with each sum held in a register across the
// rows. Every sum adds, in row order, each row's conductance times its digit in that cycle
// (squared when kSquare, for the read-noise variances), exactly as the one-row-at-a-time loop
// did: a digit of 1 multiplies exactly, and a zero digit adds +0 or -0, which leaves any sum
// unchanged (sums start at +0, and in round-to-nearest x + -x is +0, so no sum is ever -0).
// So each sum is the same float in any clone and any layout (-ffp-contract=off).
using Floats8 = float __attribute__((vector_size(32)));
using Floats16 = float __attribute__((vector_size(64)));
using Ints16 = std::int32_t __attribute__((vector_size(64)));
using Words16 = std::uint32_t __attribute__((vector_size(64)));

// Wide crossbars (more than kNarrowColumns converting columns): 16 columns at a time, K cycles
// starting at p0 each in its own register; `digits` holds each row's digits as floats
// [cycle][row], `g` the conductances [row][stride] (stride a multiple of 16, zero-padded).
template <int K, bool kSquare>
[[gnu::always_inline]] inline void add_rows_wide(const std::uint32_t* driven, const float* digits,
                                                 std::size_t rows, int p0, const float* g,
                                                 std::size_t stride, std::size_t c, std::size_t n,
                                                 float* sums) {
  Floats16 acc[K];
  for (int k = 0; k < K; ++k) acc[k] = Floats16{};
  for (std::size_t r = 0; r < rows; ++r) {
    if (driven[r] == 0) continue;
    Floats16 row;
    std::memcpy(&row, g + r * stride + c, sizeof row);
    for (int k = 0; k < K; ++k) {
      const float d = digits[static_cast<std::size_t>(p0 + k) * rows + r];
      const float factor = kSquare ? d * d : d;
      acc[k] += factor * row;
    }
  }
  const std::size_t lanes = std::min<std::size_t>(16, n - c);
  for (int k = 0; k < K; ++k) {
    std::memcpy(sums + static_cast<std::size_t>(p0 + k) * n + c, &acc[k], lanes * sizeof(float));
  }
}

template <bool kSquare>
[[gnu::always_inline]] inline void add_rows_wide_all(const std::uint32_t* driven,
                                                     const float* digits, std::size_t rows,
                                                     int cycles, const float* g, std::size_t stride,
                                                     std::size_t n, float* sums) {
  for (std::size_t c = 0; c < n; c += 16) {
    int p0 = 0;
    while (p0 < cycles) {
      const int left = cycles - p0;
      if (left >= 8) {
        add_rows_wide<8, kSquare>(driven, digits, rows, p0, g, stride, c, n, sums);
        p0 += 8;
      } else if (left >= 4) {
        add_rows_wide<4, kSquare>(driven, digits, rows, p0, g, stride, c, n, sums);
        p0 += 4;
      } else if (left >= 2) {
        add_rows_wide<2, kSquare>(driven, digits, rows, p0, g, stride, c, n, sums);
        p0 += 2;
      } else {
        add_rows_wide<1, kSquare>(driven, digits, rows, p0, g, stride, c, n, sums);
        p0 += 1;
      }
    }
  }
}

// The clones: each builds both variants in its own vector width.
CIMSIM_SIMD_CLONES void add_digit_rows_wide(const std::uint32_t* driven, const float* digits,
                                            std::size_t rows, int cycles, const float* g,
                                            std::size_t stride, std::size_t n, bool square,
                                            float* sums) {
  if (square) {
    add_rows_wide_all<true>(driven, digits, rows, cycles, g, stride, n, sums);
  } else {
    add_rows_wide_all<false>(driven, digits, rows, cycles, g, stride, n, sums);
  }
}

// Narrow crossbars (at most kNarrowColumns converting columns, as SWS's): a register holds two
// cycles, the row's 8 (zero-padded) conductances in each half, and the digits are taken from
// the driven value in the register (a shift and a mask per lane); A registers cover the 2 A
// cycles from p0 (cycles past the last one get a zero mask).
template <int A, bool kSquare>
[[gnu::always_inline]] inline void add_rows_narrow(const std::uint32_t* driven, std::size_t rows,
                                                   int dac_bits, int cycles, int p0, const float* g,
                                                   std::size_t n, float* sums) {
  const std::uint32_t digit_mask = (1U << dac_bits) - 1U;
  Words16 shift[A];
  Words16 mask[A];
  Floats16 acc[A];
  for (int a = 0; a < A; ++a) {
    for (int lane = 0; lane < 16; ++lane) {
      const int p = p0 + 2 * a + (lane >= 8 ? 1 : 0);
      shift[a][lane] = p < cycles ? static_cast<std::uint32_t>(p * dac_bits) : 0U;
      mask[a][lane] = p < cycles ? digit_mask : 0U;
    }
    acc[a] = Floats16{};
  }
  for (std::size_t r = 0; r < rows; ++r) {
    if (driven[r] == 0) continue;
    Floats8 half;
    std::memcpy(&half, g + r * 8, sizeof half);
    const Floats16 row =
        __builtin_shufflevector(half, half, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
    const Words16 value = Words16{} + driven[r];
    for (int a = 0; a < A; ++a) {
      const Ints16 digit = reinterpret_cast<Ints16>((value >> shift[a]) & mask[a]);
      Floats16 factor = __builtin_convertvector(digit, Floats16);
      if constexpr (kSquare) factor = factor * factor;
      acc[a] += factor * row;
    }
  }
  for (int a = 0; a < A; ++a) {
    for (int h = 0; h < 2; ++h) {
      const int p = p0 + 2 * a + h;
      if (p >= cycles) break;
      std::memcpy(sums + static_cast<std::size_t>(p) * n,
                  reinterpret_cast<const float*>(&acc[a]) + std::ptrdiff_t{8} * h,
                  n * sizeof(float));
    }
  }
}

template <bool kSquare>
[[gnu::always_inline]] inline void add_rows_narrow_all(const std::uint32_t* driven,
                                                       std::size_t rows, int dac_bits, int cycles,
                                                       const float* g, std::size_t n, float* sums) {
  for (int p0 = 0; p0 < cycles; p0 += 8) {
    const int left = cycles - p0;
    if (left > 4) {
      add_rows_narrow<4, kSquare>(driven, rows, dac_bits, cycles, p0, g, n, sums);
    } else if (left > 2) {
      add_rows_narrow<2, kSquare>(driven, rows, dac_bits, cycles, p0, g, n, sums);
    } else {
      add_rows_narrow<1, kSquare>(driven, rows, dac_bits, cycles, p0, g, n, sums);
    }
  }
}

CIMSIM_SIMD_CLONES void add_digit_rows_narrow(const std::uint32_t* driven, std::size_t rows,
                                              int dac_bits, int cycles, const float* g,
                                              std::size_t n, bool square, float* sums) {
  if (square) {
    add_rows_narrow_all<true>(driven, rows, dac_bits, cycles, g, n, sums);
  } else {
    add_rows_narrow_all<false>(driven, rows, dac_bits, cycles, g, n, sums);
  }
}

// Gathers a vector's inputs for the crossbar's rows into `driven` (offset, masked to the input
// width), counts per cycle the rows with a nonzero digit, and when `digits` is given writes
// every digit as a float [cycle][row]: cycle-major loops that vectorize over the rows.
CIMSIM_SIMD_CLONES void load_digits(const std::int32_t* x, const std::int32_t* gather,
                                    std::size_t rows, std::uint32_t offset,
                                    std::uint32_t input_mask, int dac_bits, int cycles,
                                    std::uint32_t* driven, std::uint64_t* cycle_nonzero,
                                    float* digits) {
  const std::uint32_t digit_mask = (1U << dac_bits) - 1U;
  for (std::size_t r = 0; r < rows; ++r) {
    driven[r] = (static_cast<std::uint32_t>(x[gather[r]]) + offset) & input_mask;
  }
  for (int p = 0; p < cycles; ++p) {
    const auto shift = static_cast<unsigned>(p * dac_bits);
    std::uint32_t nonzero = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      nonzero += ((driven[r] >> shift) & digit_mask) != 0 ? 1U : 0U;
    }
    cycle_nonzero[p] = nonzero;
    if (digits == nullptr) continue;
    float* row_digits = digits + static_cast<std::size_t>(p) * rows;
    for (std::size_t r = 0; r < rows; ++r) {
      row_digits[r] =
          static_cast<float>(static_cast<std::int32_t>((driven[r] >> shift) & digit_mask));
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

// The same conversion in float lanes, twice as many per register, for the common case of sums
// without noise or offset and power-of-two steps (`inverse_step`) with codes below 2^23. It
// gives the double path's codes and clip counts exactly: t = sum * inverse_step is exact in
// float as in double (a power-of-two scaling; an underflow only where the code is 0 either
// way), and the double path's floor(t + 0.5), with its clip tests y < 0 and y >= max_code + 1,
// equals round half up of t: clipped below when t < -0.5, above when t >= max_code + 0.5 (exact
// in float below 2^23), else floor(t) + (t - floor(t) >= 0.5) for t >= 0 (floor(t) is its
// truncation, and t - floor(t) is exact) and 0 for t in [-0.5, 0).
CIMSIM_SIMD_CLONES ClipCounts convert_cycle_float(
    const float* __restrict sums, const float* __restrict inverse_step,
    const float* __restrict top_half, const float* __restrict max_code, std::size_t n,
    unsigned cycle_shift, std::int32_t* __restrict codes, std::int64_t* __restrict accumulated) {
  std::uint64_t below = 0;
  std::uint64_t above = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float t = sums[i] * inverse_step[i];
    const float top = top_half[i];
    below += t < -0.5F ? 1 : 0;
    above += t >= top ? 1 : 0;
    const float low_clamped = t < 0.0F ? 0.0F : t;
    const float clamped = low_clamped >= top ? max_code[i] : low_clamped;
    const auto whole = static_cast<std::int32_t>(clamped);
    const float fraction = clamped - static_cast<float>(whole);
    const std::int32_t code = whole + (fraction >= 0.5F ? 1 : 0);
    codes[i] = code;
    accumulated[i] += static_cast<std::int64_t>(code) << cycle_shift;
  }
  return {below, above};
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
  // Rows padded with zero conductances to the kernel's width: 8 columns for narrow crossbars,
  // a multiple of 16 for the others.
  narrow_ = count <= kNarrowColumns;
  stride_ = narrow_ ? kNarrowColumns : (count + 15) / 16 * 16;
  g_.assign(rows * stride_, 0.0F);
  if (read_noise_) g2_.assign(rows * stride_, 0.0F);
  const CounterRng offset_rng(device.seed, RandomStream::kAdcOffset);
  adc_offset_lsb_.assign(count, 0.0);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t j = converting_[i];
    const std::vector<std::uint8_t>& cells = crossbar.columns[j].cells;
    for (std::size_t r = 0; r < rows; ++r) {
      const double g = model.conductance(cells[r], crossbar_id_, r, j);
      g_[r * stride_ + i] = static_cast<float>(g);
      if (read_noise_) g2_[r * stride_ + i] = static_cast<float>(g * g);
    }
    if (device.adc_offset_sigma_lsb > 0.0) {
      adc_offset_lsb_[i] = device.adc_offset_sigma_lsb * offset_rng.normal(crossbar_id_, j);
    }
  }
  sum_.resize(static_cast<std::size_t>(cycles_) * count);
  if (read_noise_) variance_.resize(sum_.size());
  driven_.resize(rows);
  if (!narrow_) digits_.resize(rows * static_cast<std::size_t>(cycles_));
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
  // The float conversion: no noise, no offset, power-of-two steps, codes below 2^23.
  bool float_ready = !inverse_step_.empty() && !read_noise_ && device.adc_noise_sigma_lsb <= 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    float_ready = float_ready && adc_offset_lsb_[i] == 0.0 && max_code_[i] < 8388608.0;
  }
  if (float_ready) {
    inverse_step_float_.resize(count);
    top_half_.resize(count);
    max_code_float_.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      inverse_step_float_[i] = static_cast<float>(inverse_step_[i]);
      top_half_[i] = static_cast<float>(max_code_[i] + 0.5);
      max_code_float_[i] = static_cast<float>(max_code_[i]);
    }
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
  const std::size_t rows = crossbar_->gather.size();
  const std::size_t converting = converting_.size();
  load_digits(x, crossbar_->gather.data(), rows, static_cast<std::uint32_t>(offset_), input_mask_,
              v, cycles_, driven_.data(), cycle_nonzero, narrow_ ? nullptr : digits_.data());
  // Column sums of every cycle at once: a row's conductances are added, times its digit, into
  // the sums of each cycle (the sum of independent per-cell read noise is a Gaussian of
  // variance sum d^2 (sigma g)^2, kept alongside).
  if (narrow_) {
    add_digit_rows_narrow(driven_.data(), rows, v, cycles_, g_.data(), converting, false,
                          sum_.data());
    if (read_noise_) {
      add_digit_rows_narrow(driven_.data(), rows, v, cycles_, g2_.data(), converting, true,
                            variance_.data());
    }
    return;
  }
  add_digit_rows_wide(driven_.data(), digits_.data(), rows, cycles_, g_.data(), stride_, converting,
                      false, sum_.data());
  if (read_noise_) {
    add_digit_rows_wide(driven_.data(), digits_.data(), rows, cycles_, g2_.data(), stride_,
                        converting, true, variance_.data());
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
    if (!top_half_.empty()) {
      clips = convert_cycle_float(&sum_[base], inverse_step_float_.data(), top_half_.data(),
                                  max_code_float_.data(), n, cycle_shift, codes, accumulated);
      ++float_cycles_;
    } else if (noise) {
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
