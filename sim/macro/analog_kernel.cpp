#include "sim/macro/analog_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "sim/core/simd_clones.h"
#include "sim/device/device_model.h"
#include "sim/macro/analog_lanes.h"
#include "sim/macro/crossbar_engine.h"
#include "sim/macro/saturating_add.h"

namespace cimsim {
namespace {

// The per-cycle column sums of one vector, each sum held in a register across the rows. Every
// sum adds, in row order, the conductance times the digit of each row whose digit in that cycle
// is nonzero (squared when kSquare, for the read-noise variances): the one-row-at-a-time loop's
// terms in its order. Rows come from per-cycle lists of the rows with a nonzero digit
// (load_digits), so a zero digit costs nothing; with 1-bit digits the conductance is added as
// it is (1 * g is g). Lists of the cycles sharing a pass are padded to the longest with a row
// of zero conductances, whose +0 terms leave any sum unchanged (sums start at +0, and in
// round-to-nearest x + -x is +0, so no sum is ever -0). So each sum is the same float in any
// clone, layout or grouping of cycles (-ffp-contract=off).
using Floats8 = float __attribute__((vector_size(32)));
using Floats16 = float __attribute__((vector_size(64)));

// K cycles (order[0..K), the longest list first) times CC chunks of V's width from column c0:
// K * CC independent sums, enough to hide the adds' latency. `lists` holds each cycle's rows
// [cycle][capacity], `digit_lists` (kDigits: multi-bit digits) their digits as floats.
template <typename V, int K, int CC, bool kSquare, bool kDigits>
[[gnu::always_inline]] inline void add_listed_rows(const std::uint32_t* lists,
                                                   const float* digit_lists, std::size_t capacity,
                                                   const int* order, std::uint32_t length,
                                                   const float* g, std::size_t stride,
                                                   std::size_t c0, std::size_t n, float* sums) {
  constexpr std::size_t kWidth = sizeof(V) / sizeof(float);
  V acc[K][CC];
  const std::uint32_t* list[K];
  const float* digits[K];
  for (int k = 0; k < K; ++k) {
    for (int cc = 0; cc < CC; ++cc) acc[k][cc] = V{};
    list[k] = lists + static_cast<std::size_t>(order[k]) * capacity;
    digits[k] = kDigits ? digit_lists + static_cast<std::size_t>(order[k]) * capacity : nullptr;
  }
  for (std::uint32_t s = 0; s < length; ++s) {
    for (int k = 0; k < K; ++k) {
      const float* row = g + list[k][s] * stride + c0;
      float factor = 1.0F;
      if constexpr (kDigits) factor = kSquare ? digits[k][s] * digits[k][s] : digits[k][s];
      for (int cc = 0; cc < CC; ++cc) {
        V v;
        std::memcpy(&v, row + cc * kWidth, sizeof v);
        if constexpr (kDigits) {
          acc[k][cc] += factor * v;
        } else {
          acc[k][cc] += v;
        }
      }
    }
  }
  for (int k = 0; k < K; ++k) {
    for (int cc = 0; cc < CC; ++cc) {
      const std::size_t c = c0 + static_cast<std::size_t>(cc) * kWidth;
      if (c >= n) break;
      float* out = sums + static_cast<std::size_t>(order[k]) * n + c;
      if (n - c >= kWidth) {
        std::memcpy(out, &acc[k][cc], sizeof(V));
      } else {
        for (std::size_t lane = 0; lane < n - c; ++lane) out[lane] = acc[k][cc][lane];
      }
    }
  }
}

// Runs the cycles of `order` in groups of K over CC chunks, each group as long as its longest
// list; the cycles left over go in smaller groups.
template <typename V, int K, int CC, bool kSquare, bool kDigits>
[[gnu::always_inline]] inline void add_cycle_groups(const std::uint32_t* lists,
                                                    const float* digit_lists, std::size_t capacity,
                                                    const int* order, const std::uint64_t* count,
                                                    int cycles, const float* g, std::size_t stride,
                                                    std::size_t c0, std::size_t n, float* sums) {
  int q = 0;
  for (; q + K <= cycles; q += K) {
    std::uint64_t length = 0;
    for (int k = 0; k < K; ++k) length = std::max(length, count[order[q + k]]);
    add_listed_rows<V, K, CC, kSquare, kDigits>(lists, digit_lists, capacity, order + q,
                                                static_cast<std::uint32_t>(length), g, stride, c0,
                                                n, sums);
  }
  if constexpr (K > 1) {
    add_cycle_groups<V, K / 2, CC, kSquare, kDigits>(lists, digit_lists, capacity, order + q, count,
                                                     cycles - q, g, stride, c0, n, sums);
  }
}

// CC chunks at a time, with 8 / CC cycles: 8 sums in registers.
template <typename V, int CC, bool kSquare, bool kDigits>
[[gnu::always_inline]] inline void add_chunk_group(const std::uint32_t* lists,
                                                   const float* digit_lists, std::size_t capacity,
                                                   const int* order, const std::uint64_t* count,
                                                   int cycles, const float* g, std::size_t stride,
                                                   std::size_t c0, std::size_t n, float* sums) {
  add_cycle_groups<V, 8 / CC, CC, kSquare, kDigits>(lists, digit_lists, capacity, order, count,
                                                    cycles, g, stride, c0, n, sums);
}

template <bool kSquare, bool kDigits>
[[gnu::always_inline]] inline void add_listed_all(const std::uint32_t* lists,
                                                  const float* digit_lists, std::size_t capacity,
                                                  const int* order, const std::uint64_t* count,
                                                  int cycles, const float* g, std::size_t stride,
                                                  std::size_t n, float* sums) {
  if (stride == 8) {
    add_chunk_group<Floats8, 1, kSquare, kDigits>(lists, digit_lists, capacity, order, count,
                                                  cycles, g, stride, 0, n, sums);
    return;
  }
  const std::size_t chunks = stride / 16;
  std::size_t c = 0;
  while (c < chunks) {
    const std::size_t left = chunks - c;
    if (left >= 8) {
      add_chunk_group<Floats16, 8, kSquare, kDigits>(lists, digit_lists, capacity, order, count,
                                                     cycles, g, stride, c * 16, n, sums);
      c += 8;
    } else if (left >= 4) {
      add_chunk_group<Floats16, 4, kSquare, kDigits>(lists, digit_lists, capacity, order, count,
                                                     cycles, g, stride, c * 16, n, sums);
      c += 4;
    } else if (left >= 2) {
      add_chunk_group<Floats16, 2, kSquare, kDigits>(lists, digit_lists, capacity, order, count,
                                                     cycles, g, stride, c * 16, n, sums);
      c += 2;
    } else {
      add_chunk_group<Floats16, 1, kSquare, kDigits>(lists, digit_lists, capacity, order, count,
                                                     cycles, g, stride, c * 16, n, sums);
      c += 1;
    }
  }
}

// The clones: each builds the variants in its own vector width. `stride` is 8 (narrow
// crossbars) or a multiple of 16; `digit_lists` is null for 1-bit digits.
CIMSIM_SIMD_CLONES void add_listed_rows_all(const std::uint32_t* lists, const float* digit_lists,
                                            std::size_t capacity, const int* order,
                                            const std::uint64_t* count, int cycles, const float* g,
                                            std::size_t stride, std::size_t n, bool square,
                                            float* sums) {
  if (digit_lists == nullptr) {
    if (square) {
      add_listed_all<true, false>(lists, nullptr, capacity, order, count, cycles, g, stride, n,
                                  sums);
    } else {
      add_listed_all<false, false>(lists, nullptr, capacity, order, count, cycles, g, stride, n,
                                   sums);
    }
  } else if (square) {
    add_listed_all<true, true>(lists, digit_lists, capacity, order, count, cycles, g, stride, n,
                               sums);
  } else {
    add_listed_all<false, true>(lists, digit_lists, capacity, order, count, cycles, g, stride, n,
                                sums);
  }
}

// Entries of the zero row written after each list: the first pads of the sum kernel's passes.
constexpr std::size_t kZeroRowPads = 16;

// Gathers a vector's inputs for the crossbar's rows (offset, masked to the input width) and
// lists per cycle, in row order, the rows whose digit is nonzero: lists[p * capacity + s]
// (capacity >= rows + kZeroRowPads), their count in cycle_nonzero[p], then kZeroRowPads times
// `zero_row`, and when `digit_lists` is given (multi-bit digits) each listed row's digit as a
// float alongside (0 for the pads). The rows that drive a nonzero value are listed first
// (live_rows, with their values in `driven`; both hold rows + 16 entries). The portable
// version is branch-free: every row is written and the count advances past the nonzero ones.
CIMSIM_SIMD_CLONES void list_digits_portable(const std::int32_t* x, const std::int32_t* gather,
                                             std::size_t rows, std::uint32_t offset,
                                             std::uint32_t input_mask, int dac_bits, int cycles,
                                             std::uint32_t* driven, std::uint32_t* live_rows,
                                             std::uint64_t* cycle_nonzero, std::uint32_t* lists,
                                             float* digit_lists, std::size_t capacity,
                                             std::uint32_t zero_row) {
  const std::uint32_t digit_mask = (1U << dac_bits) - 1U;
  std::size_t live = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint32_t value = (static_cast<std::uint32_t>(x[gather[r]]) + offset) & input_mask;
    live_rows[live] = static_cast<std::uint32_t>(r);
    driven[live] = value;
    live += value != 0 ? 1 : 0;
  }
  for (int p = 0; p < cycles; ++p) {
    const auto shift = static_cast<unsigned>(p * dac_bits);
    std::uint32_t* list = lists + static_cast<std::size_t>(p) * capacity;
    float* digits =
        digit_lists != nullptr ? digit_lists + static_cast<std::size_t>(p) * capacity : nullptr;
    std::size_t listed = 0;
    for (std::size_t j = 0; j < live; ++j) {
      const std::uint32_t digit = (driven[j] >> shift) & digit_mask;
      list[listed] = live_rows[j];
      if (digits != nullptr) digits[listed] = static_cast<float>(digit);
      listed += digit != 0 ? 1 : 0;
    }
    cycle_nonzero[p] = listed;
    for (std::size_t k = 0; k < kZeroRowPads; ++k) {
      list[listed + k] = zero_row;
      if (digits != nullptr) digits[listed + k] = 0.0F;
    }
  }
}

#if defined(__GNUC__) && defined(__x86_64__)
// The same lists with AVX-512: 16 rows at a time, the nonzero ones packed to the front of a
// register (vpcompressd into a register, then a full store: the lists have 16 entries of slack)
// and the count advanced by their number.
__attribute__((target("avx512f"))) void list_digits_avx512(
    const std::int32_t* x, const std::int32_t* gather, std::size_t rows, std::uint32_t offset,
    std::uint32_t input_mask, int dac_bits, int cycles, std::uint32_t* driven,
    std::uint32_t* live_rows, std::uint64_t* cycle_nonzero, std::uint32_t* lists,
    float* digit_lists, std::size_t capacity, std::uint32_t zero_row) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i add = _mm512_set1_epi32(static_cast<int>(offset));
  const __m512i mask = _mm512_set1_epi32(static_cast<int>(input_mask));
  std::size_t live = 0;
  for (std::size_t r = 0; r < rows; r += 16) {
    const auto tail = static_cast<__mmask16>((1U << std::min<std::size_t>(16, rows - r)) - 1U);
    const __m512i index = _mm512_maskz_loadu_epi32(tail, gather + r);
    const __m512i value = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), tail, index, x, 4);
    const __m512i masked = _mm512_and_si512(_mm512_add_epi32(value, add), mask);
    const __mmask16 nonzero = _mm512_mask_test_epi32_mask(tail, masked, masked);
    const __m512i row = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(r)));
    _mm512_storeu_si512(live_rows + live, _mm512_maskz_compress_epi32(nonzero, row));
    _mm512_storeu_si512(driven + live, _mm512_maskz_compress_epi32(nonzero, masked));
    live += static_cast<std::size_t>(__builtin_popcount(nonzero));
  }
  const __m512i digit_mask = _mm512_set1_epi32(static_cast<int>((1U << dac_bits) - 1U));
  for (int p = 0; p < cycles; ++p) {
    const __m512i shift = _mm512_set1_epi32(p * dac_bits);
    std::uint32_t* list = lists + static_cast<std::size_t>(p) * capacity;
    float* digits =
        digit_lists != nullptr ? digit_lists + static_cast<std::size_t>(p) * capacity : nullptr;
    std::size_t listed = 0;
    for (std::size_t j = 0; j < live; j += 16) {
      const auto tail = static_cast<__mmask16>((1U << std::min<std::size_t>(16, live - j)) - 1U);
      const __m512i row = _mm512_maskz_loadu_epi32(tail, live_rows + j);
      const __m512i value = _mm512_maskz_loadu_epi32(tail, driven + j);
      const __m512i digit =
          _mm512_and_si512(_mm512_maskz_srlv_epi32(0xFFFF, value, shift), digit_mask);
      const __mmask16 nonzero = _mm512_mask_test_epi32_mask(tail, digit, digit);
      _mm512_storeu_si512(list + listed, _mm512_maskz_compress_epi32(nonzero, row));
      if (digits != nullptr) {
        _mm512_storeu_ps(digits + listed, _mm512_maskz_compress_ps(
                                              nonzero, _mm512_maskz_cvtepi32_ps(0xFFFF, digit)));
      }
      listed += static_cast<std::size_t>(__builtin_popcount(nonzero));
    }
    cycle_nonzero[p] = listed;
    _mm512_storeu_si512(list + listed, _mm512_set1_epi32(static_cast<int>(zero_row)));
    if (digits != nullptr) _mm512_storeu_ps(digits + listed, _mm512_setzero_ps());
  }
}
#endif

// The lists of load_vector: the AVX-512 version where the machine has it (the same lists).
// Set by tests (AnalogKernel::use_portable_lists) to run the portable list building here too.
bool& portable_lists_for_tests() {
  static bool portable = false;
  return portable;
}

bool avx512_lists() {
#if defined(__GNUC__) && defined(__x86_64__)
  static const bool kAvx512 = __builtin_cpu_supports("avx512f") != 0;
  return kAvx512 && !portable_lists_for_tests();
#else
  return false;
#endif
}

void list_digits(const std::int32_t* x, const std::int32_t* gather, std::size_t rows,
                 std::uint32_t offset, std::uint32_t input_mask, int dac_bits, int cycles,
                 std::uint32_t* driven, std::uint32_t* live_rows, std::uint64_t* cycle_nonzero,
                 std::uint32_t* lists, float* digit_lists, std::size_t capacity,
                 std::uint32_t zero_row) {
#if defined(__GNUC__) && defined(__x86_64__)
  if (avx512_lists()) {
    list_digits_avx512(x, gather, rows, offset, input_mask, dac_bits, cycles, driven, live_rows,
                       cycle_nonzero, lists, digit_lists, capacity, zero_row);
    return;
  }
#endif
  list_digits_portable(x, gather, rows, offset, input_mask, dac_bits, cycles, driven, live_rows,
                       cycle_nonzero, lists, digit_lists, capacity, zero_row);
}

// The lists of list_digits for 1-bit digits given as bit planes (AnalogKernel::
// load_vector_planes): per cycle the rows whose bit is set, in row order, their count, and
// kZeroRowPads times `zero_row` after them.
void list_plane_bits_portable(const std::uint64_t* planes, std::size_t words,
                              std::size_t lane_stride, int cycles, std::uint32_t* lists,
                              std::size_t capacity, std::uint32_t zero_row,
                              std::uint64_t* cycle_nonzero) {
  for (std::size_t p = 0; p < static_cast<std::size_t>(cycles); ++p) {
    std::uint32_t* list = lists + p * capacity;
    std::size_t listed = 0;
    for (std::size_t w = 0; w < words; ++w) {
      for (std::uint64_t bits = planes[(p * words + w) * lane_stride]; bits != 0;
           bits &= bits - 1) {
        list[listed++] =
            static_cast<std::uint32_t>(64 * w) + static_cast<std::uint32_t>(__builtin_ctzll(bits));
      }
    }
    cycle_nonzero[p] = listed;
    std::fill(list + listed, list + listed + kZeroRowPads, zero_row);
  }
}

#if defined(__GNUC__) && defined(__x86_64__)
// The same lists with AVX-512: 16 rows at a time, the set ones packed to the front of a
// register (vpcompressd, then a full store into the lists' slack).
__attribute__((target("avx512f"))) void list_plane_bits_avx512(
    const std::uint64_t* planes, std::size_t words, std::size_t lane_stride, int cycles,
    std::uint32_t* lists, std::size_t capacity, std::uint32_t zero_row,
    std::uint64_t* cycle_nonzero) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (std::size_t p = 0; p < static_cast<std::size_t>(cycles); ++p) {
    std::uint32_t* list = lists + p * capacity;
    std::size_t listed = 0;
    for (std::size_t w = 0; w < words; ++w) {
      const std::uint64_t bits = planes[(p * words + w) * lane_stride];
      for (unsigned chunk = 0; chunk < 4 && (bits >> (16 * chunk)) != 0; ++chunk) {
        const auto set = static_cast<__mmask16>(bits >> (16 * chunk));
        const __m512i row = _mm512_add_epi32(
            lane, _mm512_set1_epi32(static_cast<int>(64 * w + std::size_t{16} * chunk)));
        _mm512_storeu_si512(list + listed, _mm512_maskz_compress_epi32(set, row));
        listed += static_cast<std::size_t>(__builtin_popcount(set));
      }
    }
    cycle_nonzero[p] = listed;
    _mm512_storeu_si512(list + listed, _mm512_set1_epi32(static_cast<int>(zero_row)));
  }
}
#endif

void list_plane_bits(const std::uint64_t* planes, std::size_t words, std::size_t lane_stride,
                     int cycles, std::uint32_t* lists, std::size_t capacity, std::uint32_t zero_row,
                     std::uint64_t* cycle_nonzero) {
#if defined(__GNUC__) && defined(__x86_64__)
  if (avx512_lists()) {
    list_plane_bits_avx512(planes, words, lane_stride, cycles, lists, capacity, zero_row,
                           cycle_nonzero);
    return;
  }
#endif
  list_plane_bits_portable(planes, words, lane_stride, cycles, lists, capacity, zero_row,
                           cycle_nonzero);
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

// A lane block's results between AnalogKernel::convert_lanes and finish_lane, in this thread's
// scratch (a crossbar's block is converted and finished by one task; per crossbar they would
// take 30 kB each, 280 MB for SWS's 9432 crossbars of the MNIST CNN): codes [cycle][column]
// [lane], per column and lane the codes weighted by 2^cycle over the positive cycles and the
// negative one, per cycle and lane the rows with a nonzero digit, and per output and lane
// add_codes' positive and negative parts.
struct LaneBlock {
  std::vector<std::int32_t> codes;
  std::vector<std::int32_t> weighted;
  std::vector<std::int32_t> negative;
  std::vector<std::uint32_t> nonzero;
  std::vector<std::int64_t> up;
  std::vector<std::int64_t> down;
};

LaneBlock& lane_block() {
  thread_local LaneBlock block;
  return block;
}

// sums[t] += codes[t] * weight over a block's lanes, where each product has the sign of weight.
CIMSIM_SIMD_CLONES_BW void add_weighted(const std::int32_t* __restrict codes, std::int64_t weight,
                                        std::int64_t* __restrict sums) {
  for (std::size_t t = 0; t < kernels::kAnalogLanes; ++t) {
    sums[t] += static_cast<std::int64_t>(codes[t]) * weight;
  }
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
  // a multiple of 16 for the others; one more row of zeros pads the sum kernel's lists.
  narrow_ = count <= kNarrowColumns;
  stride_ = narrow_ ? kNarrowColumns : (count + 15) / 16 * 16;
  g_.assign((rows + 1) * stride_, 0.0F);
  if (read_noise_) g2_.assign((rows + 1) * stride_, 0.0F);
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
  driven_.resize(rows + kListSlack);
  live_rows_.resize(rows + kListSlack);
  lists_.resize((rows + kListSlack) * static_cast<std::size_t>(cycles_));
  if (dac_bits_ > 1) digit_lists_.resize(lists_.size());
  cycle_count_.resize(static_cast<std::size_t>(cycles_));
  order_.resize(static_cast<std::size_t>(cycles_));
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
  // The lane kernel: codes weighted by up to 2^(cycles - 1) sum to at most max_code *
  // (2^cycles - 1) per column and lane.
  lane_parallel_ =
      !top_half_.empty() && dac_bits_ == 1 && count >= 1 && cycles_ < 31 && rows < 65536;
  for (std::size_t i = 0; lane_parallel_ && i < count; ++i) {
    lane_parallel_ =
        max_code_[i] * static_cast<double>((std::int64_t{1} << cycles_) - 1) < 2147483648.0;
  }
  if (lane_parallel_) {
    // Each column's rows of nonzero conductance (sim/macro/analog_lanes.h).
    lane_begin_.assign(count + 1, 0);
    for (std::size_t i = 0; i < count; ++i) {
      for (std::size_t r = 0; r < rows; ++r) {
        const float g = g_[r * stride_ + i];
        if (g == 0.0F) continue;
        lane_word_.push_back(static_cast<std::uint32_t>(crossbar.gather[r]));
        lane_g_.push_back(g);
      }
      lane_begin_[i + 1] = static_cast<std::uint32_t>(lane_word_.size());
    }
  }
  if (read_noise_ || device.adc_noise_sigma_lsb > 0.0) perturbed_.resize(count);
  positive_codes_.resize(count);
  negative_codes_.resize(count);
  output_up_.resize(crossbar.outputs.size());
  output_down_.resize(crossbar.outputs.size());
}

void AnalogKernel::use_portable_lists(bool portable) { portable_lists_for_tests() = portable; }

bool AnalogKernel::lists_avx512() { return avx512_lists(); }

void AnalogKernel::load_vector(const std::int32_t* x, std::uint64_t* cycle_nonzero) {
  const std::size_t rows = crossbar_->gather.size();
  float* digit_lists = digit_lists_.empty() ? nullptr : digit_lists_.data();
  const std::size_t capacity = rows + kListSlack;
  list_digits(x, crossbar_->gather.data(), rows, static_cast<std::uint32_t>(offset_), input_mask_,
              dac_bits_, cycles_, driven_.data(), live_rows_.data(), cycle_count_.data(),
              lists_.data(), digit_lists, capacity, static_cast<std::uint32_t>(rows));
  std::copy(cycle_count_.begin(), cycle_count_.end(), cycle_nonzero);
  sum_listed_rows();
}

void AnalogKernel::load_vector_planes(const std::uint64_t* planes, std::size_t words,
                                      std::size_t lane_stride, std::uint64_t* cycle_nonzero) {
  const std::size_t rows = crossbar_->gather.size();
  list_plane_bits(planes, words, lane_stride, cycles_, lists_.data(), rows + kListSlack,
                  static_cast<std::uint32_t>(rows), cycle_count_.data());
  std::copy(cycle_count_.begin(), cycle_count_.end(), cycle_nonzero);
  sum_listed_rows();
}

void AnalogKernel::sum_listed_rows() {
  const std::size_t rows = crossbar_->gather.size();
  const std::size_t converting = converting_.size();
  float* digit_lists = digit_lists_.empty() ? nullptr : digit_lists_.data();
  const std::size_t capacity = rows + kListSlack;
  // The sum kernel's passes take K cycles over CC chunks, K = 8 / CC, CC the powers of two that
  // make up the chunks (narrow crossbars: one chunk of 8 columns, K = 8). The lists of a pass
  // are padded to the longest with the zero row, and the cycles are put in order of list
  // length, longest first, so that a pass's lists are of similar length (list_digits wrote the
  // first kZeroRowPads pads). Passes of one cycle need no padding, and one pass over all
  // cycles no ordering.
  bool pad = false;
  bool sort = false;
  std::size_t chunks = narrow_ ? 8 : stride_ / 16;
  while (chunks > 0) {
    std::size_t group = 8;
    while (group > chunks) group /= 2;
    const auto k = static_cast<int>(narrow_ ? 8 : 8 / group);
    pad = pad || (k > 1 && cycles_ > 1);
    sort = sort || (k > 1 && k < cycles_);
    chunks -= narrow_ ? chunks : group;
  }
  for (int p = 0; p < cycles_; ++p) order_[static_cast<std::size_t>(p)] = p;
  for (std::size_t q = 1; sort && q < order_.size(); ++q) {
    const int p = order_[q];
    std::size_t at = q;
    for (; at > 0 && cycle_count_[static_cast<std::size_t>(order_[at - 1])] <
                         cycle_count_[static_cast<std::size_t>(p)];
         --at) {
      order_[at] = order_[at - 1];
    }
    order_[at] = p;
  }
  const std::uint64_t longest = *std::max_element(cycle_count_.begin(), cycle_count_.end());
  static_assert(kListSlack >= kZeroRowPads, "the lists hold their zero-row pads");
  for (int p = 0; pad && p < cycles_; ++p) {
    const std::size_t base = static_cast<std::size_t>(p) * capacity;
    const std::uint64_t padded = cycle_count_[static_cast<std::size_t>(p)] + kZeroRowPads;
    if (padded >= longest) continue;
    std::fill(lists_.begin() + static_cast<std::ptrdiff_t>(base + padded),
              lists_.begin() + static_cast<std::ptrdiff_t>(base + longest),
              static_cast<std::uint32_t>(rows));
    if (digit_lists != nullptr) {
      std::fill(digit_lists + base + padded, digit_lists + base + longest, 0.0F);
    }
  }
  // Column sums of every cycle (the sum of independent per-cell read noise is a Gaussian of
  // variance sum d^2 (sigma g)^2, kept alongside).
  add_listed_rows_all(lists_.data(), digit_lists, capacity, order_.data(), cycle_count_.data(),
                      cycles_, g_.data(), stride_, converting, false, sum_.data());
  if (read_noise_) {
    add_listed_rows_all(lists_.data(), digit_lists, capacity, order_.data(), cycle_count_.data(),
                        cycles_, g2_.data(), stride_, converting, true, variance_.data());
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
    // Without noise or offset, a cycle whose digits are all zero sums +0 in every column: code
    // 0, nothing clipped, nothing to add.
    if (!top_half_.empty() && cycle_count_[static_cast<std::size_t>(p)] == 0) {
      std::fill_n(codes_.begin() + static_cast<std::ptrdiff_t>(base), n, 0);
      ++zero_cycles_;
      continue;
    }
    const bool negative = signed_serial && p == cycles_ - 1;
    std::int64_t* accumulated = negative ? negative_codes_.data() : positive_codes_.data();
    const auto cycle_shift = static_cast<unsigned>(p * v);
    // (Pointer arithmetic, not &codes_[base]: a crossbar may have no converting column, and
    // then the vectors are empty.)
    std::int32_t* codes = codes_.data() + base;
    const float* sums = sum_.data() + base;
    const double* inverse = inverse_step_.data();
    ClipCounts clips;
    if (!top_half_.empty()) {
      clips = convert_cycle_float(sums, inverse_step_float_.data(), top_half_.data(),
                                  max_code_float_.data(), n, cycle_shift, codes, accumulated);
      ++float_cycles_;
    } else if (noise) {
      clips = inverse_step_.empty()
                  ? convert_perturbed_divide(perturbed_.data(), step_.data(), max_code_.data(), n,
                                             cycle_shift, codes, accumulated)
                  : convert_perturbed_inverse(perturbed_.data(), inverse, max_code_.data(), n,
                                              cycle_shift, codes, accumulated);
    } else {
      clips = inverse_step_.empty()
                  ? convert_cycle_divide(sums, adc_offset_lsb_.data(), step_.data(),
                                         max_code_.data(), n, cycle_shift, codes, accumulated)
                  : convert_cycle_inverse(sums, adc_offset_lsb_.data(), step_.data(), inverse,
                                          max_code_.data(), n, cycle_shift, codes, accumulated);
    }
    tally.below_zero += clips.below;
    tally.clipped += clips.below + clips.above;
  }
  return add_codes(converts, signed_serial, limit, accumulators, tally);
}

AnalogTally AnalogKernel::convert_lanes(const std::uint64_t* planes, std::size_t plane_words,
                                        std::size_t vectors, bool signed_serial) {
  constexpr std::size_t kLanes = kernels::kAnalogLanes;
  const std::size_t n = converting_.size();
  LaneBlock& block = lane_block();
  block.codes.resize(static_cast<std::size_t>(cycles_) * n * kLanes);
  block.weighted.resize(n * kLanes);
  block.negative.resize(n * kLanes);
  block.nonzero.resize(static_cast<std::size_t>(cycles_) * kLanes);
  block.up.assign(output_up_.size() * kLanes, 0);
  block.down.assign(output_up_.size() * kLanes, 0);
  kernels::AnalogLaneColumns columns;
  columns.rows = crossbar_->gather.size();
  columns.columns = n;
  columns.gather = crossbar_->gather.data();
  columns.plane_words = plane_words;
  columns.begin = lane_begin_.data();
  columns.word = lane_word_.data();
  columns.g = lane_g_.data();
  columns.inverse_step = inverse_step_float_.data();
  columns.top_half = top_half_.data();
  columns.max_code = max_code_float_.data();
  const kernels::AnalogLaneClips clips = kernels::analog_lane_block(
      planes, vectors, cycles_, signed_serial ? cycles_ - 1 : -1, columns, block.codes.data(),
      block.weighted.data(), block.negative.data(), block.nonzero.data());
  // Per output and lane, the positive and the negative parts of its columns' weighted codes
  // (add_codes' sums, for the whole block). Codes are never negative, so a column's positive
  // cycles add to one side and its negative cycle to the other, by the sign of its weight.
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t weight = code_weight_[i];
    std::int64_t* up = &block.up[output_[i] * kLanes];
    std::int64_t* down = &block.down[output_[i] * kLanes];
    add_weighted(&block.weighted[i * kLanes], weight, weight >= 0 ? up : down);
    add_weighted(&block.negative[i * kLanes], -weight, weight >= 0 ? down : up);
  }
  AnalogTally tally;
  tally.below_zero = clips.below;
  tally.clipped = clips.below + clips.above;
  return tally;
}

const std::uint32_t* AnalogKernel::lane_nonzero() const { return lane_block().nonzero.data(); }

AnalogTally AnalogKernel::finish_lane(std::size_t t, bool signed_serial, std::int64_t limit,
                                      std::int64_t* accumulators) const {
  constexpr std::size_t kLanes = kernels::kAnalogLanes;
  const LaneBlock& block = lane_block();
  // As add_codes, from the per-output parts convert_lanes summed for every lane.
  const std::size_t outputs = output_up_.size();
  bool saturates = false;
  for (std::size_t o = 0; o < outputs; ++o) {
    saturates =
        saturates || block.up[o * kLanes + t] > limit || block.down[o * kLanes + t] < -limit - 1;
  }
  AnalogTally tally;
  tally.ordered = saturates;
  if (saturates) {
    tally.overflows =
        add_ordered(nullptr, &block.codes[t], kLanes, signed_serial, limit, accumulators);
  } else {
    for (std::size_t o = 0; o < outputs; ++o) {
      accumulators[o] += block.up[o * kLanes + t] + block.down[o * kLanes + t];
    }
  }
  return tally;
}

AnalogTally AnalogKernel::add_codes(const std::uint8_t* converts, bool signed_serial,
                                    std::int64_t limit, std::int64_t* accumulators,
                                    AnalogTally tally) {
  const std::size_t n = converting_.size();
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
    tally.overflows += add_ordered(converts, codes_.data(), 1, signed_serial, limit, accumulators);
  }
  return tally;
}

std::uint64_t AnalogKernel::add_ordered(const std::uint8_t* converts, const std::int32_t* codes,
                                        std::size_t code_stride, bool signed_serial,
                                        std::int64_t limit, std::int64_t* accumulators) const {
  const std::size_t n = converting_.size();
  const int v = dac_bits_;
  std::uint64_t overflows = 0;
  for (int p = 0; p < cycles_; ++p) {
    if (converts != nullptr && converts[p] == 0) continue;
    const std::int64_t cycle_sign = (signed_serial && p == cycles_ - 1) ? -1 : 1;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t value =
          codes[(static_cast<std::size_t>(p) * n + i) * code_stride] * step_int_[i];
      if (value == 0) continue;
      const auto shift = static_cast<unsigned>(p * v) + shift_[i];
      if (saturating_add(accumulators[output_[i]], cycle_sign * polarity_[i] * (value << shift),
                         limit)) {
        ++overflows;
      }
    }
  }
  return overflows;
}

}  // namespace cimsim
