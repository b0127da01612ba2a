#include "sim/macro/sliced_clip.h"

#include <algorithm>
#include <cstring>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "sim/core/kernel_variant.h"

namespace cimsim::kernels {
namespace {

// Eight uint64 words side by side: one input's eight cycles, or one bit plane of eight cycles'
// bit-sliced numbers. GCC's vector extension, one 512-bit register in the AVX-512 variant (where
// the three-input logic below folds into VPTERNLOGQ) and 128-bit pairs in the portable build.
// No library offers bit-sliced counters. Passed by reference only: a 64-byte vector by value
// would change the calling convention between the variants.
using Words = std::uint64_t __attribute__((vector_size(64)));

// Bit planes of a bit-sliced number, least significant first [planes]: room for sums of up to
// 2^14 rows of 15-valued cells plus a rounding offset, and a carry.
constexpr std::size_t kMaxPlanes = 24;
struct Sliced {
  Words plane[kMaxPlanes];
  std::size_t planes = 0;
};

[[gnu::always_inline]] inline void load(Words& w, const std::uint64_t* words) {
  std::memcpy(&w, words, sizeof w);
}

// Carry-save adder, bit by bit: a + b + c = 2 * high + low (the outputs may alias the inputs).
[[gnu::always_inline]] inline void csa(Words& high, Words& low, const Words& a, const Words& b,
                                       const Words& c) {
  const Words u = a ^ b;
  const Words h = (a & b) | (u & c);
  const Words l = u ^ c;
  high = h;
  low = l;
}

// Harley-Seal's tree over eight words: into the running ones and twos (carry-save sums), their
// carry into the fours added to `fours`, its carry out returned in `eights`.
[[gnu::always_inline]] inline void add_eight(const Words* w, Words& ones, Words& twos, Words& fours,
                                             Words& eights) {
  Words twos_a;
  Words twos_b;
  Words fours_a;
  Words fours_b;
  csa(twos_a, ones, ones, w[0], w[1]);
  csa(twos_b, ones, ones, w[2], w[3]);
  csa(fours_a, twos, twos, twos_a, twos_b);
  csa(twos_a, ones, ones, w[4], w[5]);
  csa(twos_b, ones, ones, w[6], w[7]);
  csa(fours_b, twos, twos, twos_a, twos_b);
  csa(eights, fours, fours, fours_a, fours_b);
}

// ... and over 16 listed inputs' words: the running ones, twos, fours and eights, the carry out
// of the eights returned in `sixteens`.
[[gnu::always_inline]] inline void add_sixteen(const std::uint64_t* by_input,
                                               const std::uint32_t* inputs, Words& ones,
                                               Words& twos, Words& fours, Words& eights,
                                               Words& sixteens) {
  Words w[kSlicedGroup];
  for (std::size_t j = 0; j < kSlicedGroup; ++j) {
    load(w[j], by_input + std::size_t{inputs[j]} * kSlicedCycles);
  }
  Words eights_a;
  Words eights_b;
  add_eight(w, ones, twos, fours, eights_a);
  add_eight(w + 8, ones, twos, fours, eights_b);
  csa(sixteens, eights, eights, eights_a, eights_b);
}

// The vertical count of the listed inputs (n, a multiple of kSlicedGroup): bit x of plane j of
// `count` is bit j of how many of the inputs' words have bit x set.
[[gnu::always_inline]] inline void vertical_count(const std::uint64_t* by_input,
                                                  const std::uint32_t* inputs, std::size_t n,
                                                  Sliced& count) {
  const std::size_t groups = n / kSlicedGroup;
  // The sixteens are counted by a ripple counter wide enough for every group.
  std::size_t high_planes = 0;
  while ((std::size_t{1} << high_planes) <= groups) ++high_planes;
  Words zero{};
  for (std::size_t j = 0; j < 4 + high_planes; ++j) count.plane[j] = zero;
  count.planes = 4 + high_planes;
  for (std::size_t g = 0; g < groups; ++g) {
    Words carry;
    add_sixteen(by_input, inputs + g * kSlicedGroup, count.plane[0], count.plane[1], count.plane[2],
                count.plane[3], carry);
    for (std::size_t j = 4; j < count.planes; ++j) {
      const Words next = count.plane[j] & carry;
      count.plane[j] ^= carry;
      carry = next;
    }
  }
}

// sum += addend * 2^shift, bit-sliced (ripple carry), widening sum by one plane.
[[gnu::always_inline]] inline void add_shifted(Sliced& sum, const Sliced& addend,
                                               std::size_t shift) {
  const std::size_t top = std::max(sum.planes, addend.planes + shift);
  Words zero{};
  for (std::size_t j = sum.planes; j < top; ++j) sum.plane[j] = zero;
  Words carry{};
  for (std::size_t j = shift; j < top; ++j) {
    const Words& bit = j - shift < addend.planes ? addend.plane[j - shift] : zero;
    csa(carry, sum.plane[j], sum.plane[j], bit, carry);
  }
  sum.plane[top] = carry;
  sum.planes = top + 1;
}

// The ADC codes of a column, bit-sliced, and its clipped conversions.
struct SlicedCodes {
  Words bit[kSlicedMaxAdcBits];
  int bits = 0;
  std::uint64_t clipped = 0;
};

// One clip column: counts its cell bits' rows, adds them into the column sum with the ADC's
// rounding offset, and converts: code = min(sum + half >> shift, 2^bits - 1).
[[gnu::always_inline]] inline void column_codes(const std::uint64_t* by_input,
                                                const SlicedColumns& columns, std::size_t i,
                                                SlicedCodes& codes) {
  const auto cell_bits = static_cast<std::size_t>(columns.cell_bits);
  Sliced sum;
  Sliced count;
  for (std::size_t b = 0; b < cell_bits; ++b) {
    const std::uint32_t begin = columns.begin[i * cell_bits + b];
    const std::uint32_t end = columns.begin[i * cell_bits + b + 1];
    vertical_count(by_input, columns.inputs + begin, end - begin, b == 0 ? sum : count);
    if (b != 0) add_shifted(sum, count, b);
  }
  const auto half = static_cast<std::uint32_t>(columns.adc.half[i]);
  if (half != 0) {
    Sliced offset;
    const Words ones = ~Words{};
    const Words zero{};
    offset.planes = 0;
    for (std::uint32_t rest = half; rest != 0; rest >>= 1U) {
      offset.plane[offset.planes++] = (rest & 1U) != 0 ? ones : zero;
    }
    add_shifted(sum, offset, 0);
  }
  const auto shift = static_cast<std::size_t>(columns.adc.shift[i]);
  codes.bits = __builtin_ctz(static_cast<unsigned>(columns.adc.max_code[i]) + 1U);
  const auto bits = static_cast<std::size_t>(codes.bits);
  Words saturated{};
  for (std::size_t j = shift + bits; j < sum.planes; ++j) saturated |= sum.plane[j];
  const Words zero{};
  for (std::size_t j = 0; j < bits; ++j) {
    codes.bit[j] = (shift + j < sum.planes ? sum.plane[shift + j] : zero) | saturated;
  }
  std::uint64_t clipped = 0;
  for (std::size_t p = 0; p < static_cast<std::size_t>(kSlicedCycles); ++p) {
    clipped += static_cast<std::uint64_t>(__builtin_popcountll(saturated[p]));
  }
  codes.clipped = clipped;
}

// Spreads a column's codes back into its lanes: acc[t] = sum over cycles p of sign_p *
// (code_p[t] << p) << shift.
using SpreadCodes = void (*)(const SlicedCodes& codes, int cycles, bool negative_top, int shift,
                             std::int64_t* acc);

void spread_codes_portable(const SlicedCodes& codes, int cycles, bool negative_top, int shift,
                           std::int64_t* acc) {
  std::int64_t lane[kClipBlock] = {};
  for (int p = 0; p < cycles; ++p) {
    const std::int64_t sign = negative_top && p == cycles - 1 ? -1 : 1;
    for (int j = 0; j < codes.bits; ++j) {
      const std::int64_t weight = sign * (std::int64_t{1} << (p + j));
      for (std::uint64_t word = codes.bit[j][p]; word != 0; word &= word - 1) {
        lane[__builtin_ctzll(word)] += weight;
      }
    }
  }
  for (std::size_t t = 0; t < kClipBlock; ++t) acc[t] = lane[t] * (std::int64_t{1} << shift);
}

template <typename Spread>
[[gnu::always_inline]] inline std::uint64_t sliced_body(const std::uint64_t* by_input, int cycles,
                                                        const SlicedColumns& columns,
                                                        bool negative_top, std::int64_t* acc,
                                                        Spread spread) {
  std::uint64_t clipped = 0;
  for (std::size_t i = 0; i < columns.count; ++i) {
    SlicedCodes codes;
    column_codes(by_input, columns, i, codes);
    clipped += codes.clipped;
    spread(codes, cycles, negative_top, columns.adc.shift[i], acc + i * kClipBlock);
  }
  return clipped;
}

// The rows' digits of a block, counted as a column of cells 1 would be: any[p] gets the vectors
// with some nonzero digit in cycle p; returns the nonzero digits over rows, cycles and vectors.
[[gnu::always_inline]] inline std::uint64_t row_digits_body(const std::uint64_t* by_input,
                                                            const std::uint32_t* inputs,
                                                            std::size_t n, std::uint64_t* any) {
  Sliced count;
  vertical_count(by_input, inputs, n, count);
  Words nonzero{};
  std::uint64_t digits = 0;
  for (std::size_t j = 0; j < count.planes; ++j) {
    nonzero |= count.plane[j];
    for (std::size_t p = 0; p < static_cast<std::size_t>(kSlicedCycles); ++p) {
      digits += static_cast<std::uint64_t>(__builtin_popcountll(count.plane[j][p])) << j;
    }
  }
  for (std::size_t p = 0; p < static_cast<std::size_t>(kSlicedCycles); ++p) any[p] = nonzero[p];
  return digits;
}

std::uint64_t row_digits_portable(const std::uint64_t* by_input, const std::uint32_t* inputs,
                                  std::size_t n, std::uint64_t* any) {
  return row_digits_body(by_input, inputs, n, any);
}

std::uint64_t sliced_portable(const std::uint64_t* by_input, int cycles,
                              const SlicedColumns& columns, bool negative_top, std::int64_t* acc) {
  return sliced_body(by_input, cycles, columns, negative_top, acc, &spread_codes_portable);
}

#if defined(__GNUC__) && defined(__x86_64__)
#define CIMSIM_SLICED_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

template <int Part>
CIMSIM_SLICED_TARGET inline void widen_part(__m512i sums, bool is_signed, __m128i shift,
                                            std::int64_t* acc) {
  const __m128i part = _mm512_maskz_extracti32x4_epi32(0xF, sums, Part);
  const __m512i wide =
      is_signed ? _mm512_maskz_cvtepi16_epi64(0xFF, part) : _mm512_maskz_cvtepu16_epi64(0xFF, part);
  _mm512_storeu_si512(acc + std::ptrdiff_t{8} * Part, _mm512_maskz_sll_epi64(0xFF, wide, shift));
}

// The lanes' sums in 16 bits, two registers of 32 lanes, each code bit added under its lanes'
// mask. 16 bits hold them exactly: with at most 8 cycles of 8-bit codes the sum lies in [0,
// 255 * 255] without a negative top cycle and in [-255 * 128, 255 * 127] with one, so it is read
// back zero- or sign-extended (additions wrap modulo 2^16 on the way).
CIMSIM_SLICED_TARGET void spread_codes_avx512(const SlicedCodes& codes, int cycles,
                                              bool negative_top, int shift, std::int64_t* acc) {
  __m512i low = _mm512_setzero_si512();
  __m512i high = _mm512_setzero_si512();
  for (int p = 0; p < cycles; ++p) {
    const int sign = negative_top && p == cycles - 1 ? -1 : 1;
    for (int j = 0; j < codes.bits; ++j) {
      const std::uint64_t word = codes.bit[j][p];
      if (word == 0) continue;
      const __m512i weight = _mm512_set1_epi16(static_cast<std::int16_t>(sign * (1 << (p + j))));
      low = _mm512_mask_add_epi16(low, static_cast<__mmask32>(word), low, weight);
      high = _mm512_mask_add_epi16(high, static_cast<__mmask32>(word >> 32U), high, weight);
    }
  }
  const __m128i count = _mm_cvtsi32_si128(shift);
  widen_part<0>(low, negative_top, count, acc);
  widen_part<1>(low, negative_top, count, acc);
  widen_part<2>(low, negative_top, count, acc);
  widen_part<3>(low, negative_top, count, acc);
  widen_part<0>(high, negative_top, count, acc + 32);
  widen_part<1>(high, negative_top, count, acc + 32);
  widen_part<2>(high, negative_top, count, acc + 32);
  widen_part<3>(high, negative_top, count, acc + 32);
}

CIMSIM_SLICED_TARGET std::uint64_t sliced_avx512(const std::uint64_t* by_input, int cycles,
                                                 const SlicedColumns& columns, bool negative_top,
                                                 std::int64_t* acc) {
  return sliced_body(by_input, cycles, columns, negative_top, acc, &spread_codes_avx512);
}

CIMSIM_SLICED_TARGET std::uint64_t row_digits_avx512(const std::uint64_t* by_input,
                                                     const std::uint32_t* inputs, std::size_t n,
                                                     std::uint64_t* any) {
  return row_digits_body(by_input, inputs, n, any);
}
#endif

KernelVariant& variant() {
  static KernelVariant kernel_variant{CpuFeature::kAvx512F, CpuFeature::kAvx512Bw,
                                      CpuFeature::kAvx512Vl, CpuFeature::kAvx512Dq};
  return kernel_variant;
}

}  // namespace

bool sliced_clip_uses_avx512() { return variant().wide(); }

void force_portable_sliced_clip(bool portable) { variant().force_portable(portable); }

std::uint64_t sliced_clip_convert(const std::uint64_t* by_input, int cycles,
                                  const SlicedColumns& columns, bool negative_top,
                                  std::int64_t* acc) {
#if defined(__GNUC__) && defined(__x86_64__)
  if (sliced_clip_uses_avx512()) {
    return sliced_avx512(by_input, cycles, columns, negative_top, acc);
  }
#endif
  return sliced_portable(by_input, cycles, columns, negative_top, acc);
}

std::uint64_t sliced_row_digits(const std::uint64_t* by_input, const std::uint32_t* inputs,
                                std::size_t n, std::uint64_t* any) {
#if defined(__GNUC__) && defined(__x86_64__)
  if (sliced_clip_uses_avx512()) return row_digits_avx512(by_input, inputs, n, any);
#endif

  return row_digits_portable(by_input, inputs, n, any);
}

}  // namespace cimsim::kernels
