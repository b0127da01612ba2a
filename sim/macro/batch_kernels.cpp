#include "sim/macro/batch_kernels.h"

#include <algorithm>
#include <cstring>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "sim/core/simd_clones.h"

namespace cimsim::kernels {
namespace {

// GCC vector types of one 64-byte vector: one AVX-512 register, two AVX2 or four SSE2 ones,
// whichever the clone has.
typedef std::int16_t V16 __attribute__((vector_size(kVectorBytes)));
typedef std::int32_t V32 __attribute__((vector_size(kVectorBytes)));

template <typename S>
struct VectorOf;
template <>
struct VectorOf<std::int16_t> {
  using type = V16;
};
template <>
struct VectorOf<std::int32_t> {
  using type = V32;
};

// Up to four vectors of sums held in registers while rows are added: one load and one add per
// vector and row, no store until the end. Inlined into each clone below.
template <typename S, int N>
struct RegisterSums {
  using V = typename VectorOf<S>::type;
  static constexpr std::size_t kLanes = kVectorBytes / sizeof(S);
  V acc[N] = {};

  // Adds digit x row; with a constant digit 1 (bit-serial rows) the multiply folds away.
  [[gnu::always_inline]] void add(const S* row, S digit) {
    for (int k = 0; k < N; ++k) {
      V c;
      std::memcpy(&c, row + static_cast<std::size_t>(k) * kLanes, kVectorBytes);
      acc[k] += c * digit;
    }
  }
  [[gnu::always_inline]] void store(S* sums) const {
    for (int k = 0; k < N; ++k) {
      std::memcpy(sums + static_cast<std::size_t>(k) * kLanes, &acc[k], kVectorBytes);
    }
  }
};

// The rows of one cycle: a list, with each row's digit (null: every digit is 1) ...
template <typename S>
struct ListedRows {
  const std::uint32_t* rows;
  const S* digits;
  std::size_t count;
};
// ... or the set bits of an input bit plane (digits 1), in ascending order.
struct PlaneRows {
  const std::uint64_t* plane;
  std::size_t words;
};

template <typename S, int N>
[[gnu::always_inline]] inline void add_rows(RegisterSums<S, N>& sums, const S* cells,
                                            std::size_t stride, const ListedRows<S>& listed) {
  if (listed.digits == nullptr) {
    for (std::size_t n = 0; n < listed.count; ++n) sums.add(cells + listed.rows[n] * stride, S{1});
  } else {
    for (std::size_t n = 0; n < listed.count; ++n) {
      sums.add(cells + listed.rows[n] * stride, listed.digits[n]);
    }
  }
}

template <typename S, int N>
[[gnu::always_inline]] inline void add_rows(RegisterSums<S, N>& sums, const S* cells,
                                            std::size_t stride, const PlaneRows& bits) {
  for (std::size_t w = 0; w < bits.words; ++w) {
    for (std::uint64_t word = bits.plane[w]; word != 0; word &= word - 1) {
      sums.add(cells + (w * 64 + static_cast<std::size_t>(__builtin_ctzll(word))) * stride, S{1});
    }
  }
}

template <typename S, int N, typename Rows>
[[gnu::always_inline]] inline void cycle_sums_block(const S* cells, std::size_t stride,
                                                    const Rows& rows, S* sums) {
  RegisterSums<S, N> block;
  add_rows(block, cells, stride, rows);
  block.store(sums);
}

// sums[i] for every i < stride, four vectors of columns at a time.
template <typename S, typename Rows>
[[gnu::always_inline]] inline void cycle_sums_body(const S* cells, std::size_t stride,
                                                   const Rows& rows, S* sums) {
  constexpr std::size_t kLanes = kVectorBytes / sizeof(S);
  for (std::size_t begin = 0; begin < stride; begin += 4 * kLanes) {
    const S* block = cells + begin;
    S* out = sums + begin;
    switch (std::min<std::size_t>(4, (stride - begin) / kLanes)) {
      case 4:
        cycle_sums_block<S, 4>(block, stride, rows, out);
        break;
      case 3:
        cycle_sums_block<S, 3>(block, stride, rows, out);
        break;
      case 2:
        cycle_sums_block<S, 2>(block, stride, rows, out);
        break;
      default:
        cycle_sums_block<S, 1>(block, stride, rows, out);
        break;
    }
  }
}

template <typename S>
[[gnu::always_inline]] inline std::uint64_t convert_cycle_body(
    const S* __restrict sums, std::size_t columns, const std::int32_t* __restrict half,
    const std::int32_t* __restrict shift, const std::int32_t* __restrict max_code,
    unsigned cycle_shift, bool negative, std::int64_t* __restrict column_acc) {
  std::int32_t clipped = 0;  // at most `columns` per call
  if (negative) {
    for (std::size_t i = 0; i < columns; ++i) {
      const std::int32_t rounded = (static_cast<std::int32_t>(sums[i]) + half[i]) >> shift[i];
      clipped += rounded > max_code[i] ? 1 : 0;
      const std::int32_t value = std::min(rounded, max_code[i]) << shift[i];
      column_acc[i] -= static_cast<std::int64_t>(value) << cycle_shift;
    }
  } else {
    for (std::size_t i = 0; i < columns; ++i) {
      const std::int32_t rounded = (static_cast<std::int32_t>(sums[i]) + half[i]) >> shift[i];
      clipped += rounded > max_code[i] ? 1 : 0;
      const std::int32_t value = std::min(rounded, max_code[i]) << shift[i];
      column_acc[i] += static_cast<std::int64_t>(value) << cycle_shift;
    }
  }
  return static_cast<std::uint64_t>(clipped);
}

}  // namespace

CIMSIM_SIMD_CLONES_BW void cycle_sums(const std::int16_t* cells, std::size_t stride,
                                      const std::uint32_t* rows, const std::int16_t* digits,
                                      std::size_t count, std::int16_t* sums) {
  cycle_sums_body(cells, stride, ListedRows<std::int16_t>{rows, digits, count}, sums);
}

CIMSIM_SIMD_CLONES_BW void cycle_sums(const std::int32_t* cells, std::size_t stride,
                                      const std::uint32_t* rows, const std::int32_t* digits,
                                      std::size_t count, std::int32_t* sums) {
  cycle_sums_body(cells, stride, ListedRows<std::int32_t>{rows, digits, count}, sums);
}

CIMSIM_SIMD_CLONES_BW std::uint64_t convert_cycle(const std::int16_t* sums, std::size_t columns,
                                                  const std::int32_t* half,
                                                  const std::int32_t* shift,
                                                  const std::int32_t* max_code,
                                                  unsigned cycle_shift, bool negative,
                                                  std::int64_t* column_acc) {
  return convert_cycle_body(sums, columns, half, shift, max_code, cycle_shift, negative,
                            column_acc);
}

CIMSIM_SIMD_CLONES_BW std::uint64_t convert_cycle(const std::int32_t* sums, std::size_t columns,
                                                  const std::int32_t* half,
                                                  const std::int32_t* shift,
                                                  const std::int32_t* max_code,
                                                  unsigned cycle_shift, bool negative,
                                                  std::int64_t* column_acc) {
  return convert_cycle_body(sums, columns, half, shift, max_code, cycle_shift, negative,
                            column_acc);
}

namespace {

void bit_planes_portable(const std::uint32_t* driven, std::size_t rows, int cycles,
                         std::uint64_t* planes) {
  const std::size_t words = (rows + 63) / 64;
  const auto cycle_count = static_cast<std::size_t>(cycles);
  std::fill(planes, planes + cycle_count * words, 0);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::uint32_t bits = driven[r]; bits != 0; bits &= bits - 1) {
      planes[static_cast<std::size_t>(__builtin_ctz(bits)) * words + r / 64] |= std::uint64_t{1}
                                                                                << (r % 64);
    }
  }
}

#if defined(__GNUC__) && defined(__x86_64__)
// driven[begin, begin + 16) as 16 lanes, zero past `rows`.
__attribute__((target("avx512f"), always_inline)) inline __m512i load_16_rows(
    const std::uint32_t* driven, std::size_t rows, std::size_t begin) {
  const std::size_t count = begin < rows ? std::min<std::size_t>(16, rows - begin) : 0;
  const auto tail = static_cast<__mmask16>((1U << count) - 1U);
  return _mm512_maskz_loadu_epi32(tail, driven + std::min(begin, rows));
}

__attribute__((target("avx512f"))) void bit_planes_avx512(const std::uint32_t* driven,
                                                          std::size_t rows, int cycles,
                                                          std::uint64_t* planes) {
  const std::size_t words = (rows + 63) / 64;
  for (std::size_t w = 0; w < words; ++w) {
    __m512i values[4];
    for (std::size_t k = 0; k < 4; ++k) values[k] = load_16_rows(driven, rows, w * 64 + k * 16);
    for (int p = 0; p < cycles; ++p) {
      const __m512i bit = _mm512_set1_epi32(static_cast<int>(1U << static_cast<unsigned>(p)));
      std::uint64_t plane = 0;
      for (std::size_t k = 0; k < 4; ++k) {
        plane |= static_cast<std::uint64_t>(_mm512_test_epi32_mask(values[k], bit)) << (16 * k);
      }
      planes[static_cast<std::size_t>(p) * words + w] = plane;
    }
  }
}
#endif

template <typename S>
[[gnu::always_inline]] inline void popcount_sums_body(const std::uint64_t* plane, std::size_t words,
                                                      const std::uint64_t* cell_planes,
                                                      std::size_t columns, int cell_bits, S* sums) {
  const auto bits = static_cast<std::size_t>(cell_bits);
  for (std::size_t i = 0; i < columns; ++i) {
    std::int32_t sum = 0;
    for (std::size_t b = 0; b < bits; ++b) {
      const std::uint64_t* cells = cell_planes + (i * bits + b) * words;
      std::int32_t ones = 0;
      for (std::size_t w = 0; w < words; ++w) ones += __builtin_popcountll(plane[w] & cells[w]);
      sum += ones << b;
    }
    sums[i] = static_cast<S>(sum);
  }
}

}  // namespace

void popcount_sums(const std::uint64_t* plane, std::size_t words, const std::uint64_t* cell_planes,
                   std::size_t columns, int cell_bits, std::int16_t* sums) {
  popcount_sums_body(plane, words, cell_planes, columns, cell_bits, sums);
}

void popcount_sums(const std::uint64_t* plane, std::size_t words, const std::uint64_t* cell_planes,
                   std::size_t columns, int cell_bits, std::int32_t* sums) {
  popcount_sums_body(plane, words, cell_planes, columns, cell_bits, sums);
}

#if defined(__GNUC__) && defined(__x86_64__)
// Driven values below 2^8 (bit-serial inputs of at most 8 bits, so cycles <= 8): 64 rows
// narrowed to bytes, then one AVX-512BW test per cycle.
__attribute__((target("avx512f,avx512bw"))) void bit_planes_avx512bw(const std::uint32_t* driven,
                                                                     std::size_t rows, int cycles,
                                                                     std::uint64_t* planes) {
  const std::size_t words = (rows + 63) / 64;
  for (std::size_t w = 0; w < words; ++w) {
    __m128i narrow[4];
    for (std::size_t k = 0; k < 4; ++k) {
      narrow[k] = _mm512_mask_cvtepi32_epi8(_mm_setzero_si128(), 0xFFFF,
                                            load_16_rows(driven, rows, w * 64 + k * 16));
    }
    // Byte i of `bytes` is row w * 64 + i.
    __m512i bytes = _mm512_castsi128_si512(narrow[0]);
    bytes = _mm512_inserti32x4(bytes, narrow[1], 1);
    bytes = _mm512_inserti32x4(bytes, narrow[2], 2);
    bytes = _mm512_inserti32x4(bytes, narrow[3], 3);
    for (int p = 0; p < cycles; ++p) {
      const __m512i bit = _mm512_set1_epi8(static_cast<char>(1U << static_cast<unsigned>(p)));
      planes[static_cast<std::size_t>(p) * words + w] = _mm512_test_epi8_mask(bytes, bit);
    }
  }
}
#endif

void bit_planes(const std::uint32_t* driven, std::size_t rows, int cycles, std::uint64_t* planes) {
#if defined(__GNUC__) && defined(__x86_64__)
  static const bool kAvx512Bw = __builtin_cpu_supports("avx512bw") != 0;
  if (kAvx512Bw && cycles <= 8) {
    bit_planes_avx512bw(driven, rows, cycles, planes);
    return;
  }
  static const bool kAvx512 = __builtin_cpu_supports("avx512f") != 0;
  if (kAvx512) {
    bit_planes_avx512(driven, rows, cycles, planes);
    return;
  }
#endif
  bit_planes_portable(driven, rows, cycles, planes);
}

#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target("avx512f,avx512bw"))) void expand_bits_avx512bw(const std::uint64_t* plane,
                                                                      std::size_t words,
                                                                      std::uint8_t* bytes) {
  for (std::size_t w = 0; w < words; ++w) {
    _mm512_storeu_si512(bytes + w * 64, _mm512_maskz_set1_epi8(plane[w], 1));
  }
}
#endif

void expand_bits(const std::uint64_t* plane, std::size_t words, std::uint8_t* bytes) {
#if defined(__GNUC__) && defined(__x86_64__)
  static const bool kAvx512Bw = __builtin_cpu_supports("avx512bw") != 0;
  if (kAvx512Bw) {
    expand_bits_avx512bw(plane, words, bytes);
    return;
  }
#endif
  for (std::size_t w = 0; w < words; ++w) {
    for (std::size_t b = 0; b < 64; ++b) {
      bytes[w * 64 + b] = static_cast<std::uint8_t>((plane[w] >> b) & 1U);
    }
  }
}

CIMSIM_SIMD_CLONES_BW void cycle_sums(const std::int16_t* cells, std::size_t stride,
                                      const std::uint64_t* plane, std::size_t words,
                                      std::int16_t* sums) {
  cycle_sums_body(cells, stride, PlaneRows{plane, words}, sums);
}

CIMSIM_SIMD_CLONES_BW void cycle_sums(const std::int32_t* cells, std::size_t stride,
                                      const std::uint64_t* plane, std::size_t words,
                                      std::int32_t* sums) {
  cycle_sums_body(cells, stride, PlaneRows{plane, words}, sums);
}

CIMSIM_SIMD_CLONES_BW void drive_inputs(const std::int32_t* x, std::size_t count,
                                        std::uint32_t offset, std::uint32_t mask,
                                        bool signed_serial, std::uint32_t* driven,
                                        std::int32_t* values) {
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t d = (static_cast<std::uint32_t>(x[i]) + offset) & mask;
    driven[i] = d;
    values[i] = signed_serial ? x[i] : static_cast<std::int32_t>(d);
  }
}

CIMSIM_SIMD_CLONES_BW void gather_inputs(const std::int32_t* x, const std::int32_t* gather,
                                         std::size_t count, std::uint32_t offset,
                                         std::uint32_t mask, bool signed_serial,
                                         std::uint32_t* driven, std::int32_t* values) {
  for (std::size_t i = 0; i < count; ++i) {
    const std::int32_t value = x[gather[i]];
    const std::uint32_t d = (static_cast<std::uint32_t>(value) + offset) & mask;
    driven[i] = d;
    values[i] = signed_serial ? value : static_cast<std::int32_t>(d);
  }
}

CIMSIM_SIMD_CLONES_BW void weighted_sums(const std::int32_t* values, std::size_t rows,
                                         const std::int32_t* weights_t, std::size_t outputs,
                                         std::int32_t* acc) {
  for (std::size_t o = 0; o < outputs; ++o) {
    const std::int32_t* __restrict w = weights_t + o * rows;
    std::int32_t sum = 0;
    for (std::size_t r = 0; r < rows; ++r) sum += values[r] * w[r];
    acc[o] = sum;
  }
}

CIMSIM_SIMD_CLONES_BW void add_weighted_rows(const std::int32_t* values, std::size_t rows,
                                             const std::int64_t* weights, std::size_t outputs,
                                             std::int64_t* acc) {
  for (std::size_t r = 0; r < rows; ++r) {
    const std::int64_t value = values[r];
    if (value == 0) continue;
    const std::int64_t* __restrict w = weights + r * outputs;
    for (std::size_t o = 0; o < outputs; ++o) acc[o] += value * w[o];
  }
}

}  // namespace cimsim::kernels
