#include "sim/macro/saturating_sums.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "sim/core/kernel_variant.h"
#include "sim/core/simd_clones.h"

namespace cimsim::kernels {
namespace {

// sums[i] = min(255, sum of cells[r * stride + i] over the rows r set in plane[0, words)), for
// i < columns: one 64-column vector at a time, rows in ascending order; the column loop
// vectorises in each clone (the byte add and the min are exact in any width).
CIMSIM_SIMD_CLONES_BW void saturating_sums_portable(const std::uint8_t* cells, std::size_t stride,
                                                    const std::uint64_t* plane, std::size_t words,
                                                    std::size_t columns, std::int32_t* sums) {
  for (std::size_t begin = 0; begin < columns; begin += kSaturatingLanes) {
    std::uint8_t acc[kSaturatingLanes] = {};
    for (std::size_t w = 0; w < words; ++w) {
      for (std::uint64_t bits = plane[w]; bits != 0; bits &= bits - 1) {
        const std::size_t row = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
        const std::uint8_t* cell = cells + row * stride + begin;
        for (std::size_t i = 0; i < kSaturatingLanes; ++i) {
          const unsigned sum = unsigned{acc[i]} + cell[i];
          acc[i] = static_cast<std::uint8_t>(std::min(sum, 255U));
        }
      }
    }
    const std::size_t count = std::min(kSaturatingLanes, columns - begin);
    for (std::size_t i = 0; i < count; ++i) sums[begin + i] = acc[i];
  }
}

// The definition, cycle by cycle and column by column.
std::uint64_t saturating_convert_portable(const std::uint8_t* cells, std::size_t stride,
                                          const std::uint64_t* planes, std::size_t words,
                                          int cycles, int negative_cycle, std::size_t columns,
                                          const std::int32_t* half, const std::int32_t* shift,
                                          const std::int32_t* max_code, std::int64_t* acc) {
  std::fill(acc, acc + columns, 0);
  std::vector<std::int32_t> sums(columns);
  std::uint64_t clipped = 0;
  for (int p = 0; p < cycles; ++p) {
    const std::uint64_t* plane = planes + static_cast<std::size_t>(p) * words;
    if (std::all_of(plane, plane + words, [](std::uint64_t word) { return word == 0; })) continue;
    saturating_sums_portable(cells, stride, plane, words, columns, sums.data());
    for (std::size_t i = 0; i < columns; ++i) {
      const std::int32_t rounded = (sums[i] + half[i]) >> shift[i];
      clipped += rounded > max_code[i] ? 1 : 0;
      const std::int64_t value = std::int64_t{std::min(rounded, max_code[i]) << shift[i]} << p;
      acc[i] += p == negative_cycle ? -value : value;
    }
  }
  return clipped;
}

#if defined(__GNUC__) && defined(__x86_64__)
// With BMI (every AVX-512 CPU has it): the set-bit loop clears its lowest bit with one BLSR, a
// one-cycle chain, where the baseline ISA takes an add and an and.
#define CIMSIM_AVX512BW_TARGET __attribute__((target("avx512f,avx512bw,bmi,bmi2")))

// NV vectors of 64 columns: each cycle's byte sums in NV registers, then converted 16 columns
// at a time into 4 NV int32 accumulators that stay in registers across the cycles.
template <int NV>
CIMSIM_AVX512BW_TARGET std::uint64_t saturating_convert_vectors(
    const std::uint8_t* cells, std::size_t stride, const std::uint64_t* planes, std::size_t words,
    int cycles, int negative_cycle, std::size_t columns, const std::int32_t* half,
    const std::int32_t* shift, const std::int32_t* max_code, std::int64_t* acc) {
  __m512i total[NV][4];
  for (int v = 0; v < NV; ++v) {
    for (int q = 0; q < 4; ++q) total[v][q] = _mm512_setzero_si512();
  }
  std::uint64_t clipped = 0;
  for (int p = 0; p < cycles; ++p) {
    const std::uint64_t* plane = planes + static_cast<std::size_t>(p) * words;
    std::uint64_t any = 0;
    for (std::size_t w = 0; w < words; ++w) any |= plane[w];
    if (any == 0) continue;
    __m512i sum[NV];
    for (int v = 0; v < NV; ++v) sum[v] = _mm512_setzero_si512();
    for (std::size_t w = 0; w < words; ++w) {
      for (std::uint64_t bits = plane[w]; bits != 0; bits &= bits - 1) {
        const std::uint8_t* row =
            cells + (w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))) * stride;
        for (int v = 0; v < NV; ++v) {
          sum[v] = _mm512_adds_epu8(sum[v], _mm512_loadu_si512(row + v * kSaturatingLanes));
        }
      }
    }
    for (int v = 0; v < NV; ++v) {
      alignas(64) std::uint8_t bytes[kSaturatingLanes];
      _mm512_store_si512(bytes, sum[v]);
      for (std::size_t q = 0; q < 4; ++q) {
        const std::size_t at = static_cast<std::size_t>(v) * kSaturatingLanes + 16 * q;
        if (at >= columns) break;
        const auto tail =
            static_cast<__mmask16>((1U << std::min<std::size_t>(16, columns - at)) - 1U);
        // (Zero-masked forms throughout: GCC 12's plain ones warn of an undefined source.)
        const __m512i s32 = _mm512_maskz_cvtepu8_epi32(
            0xFFFF, _mm_load_si128(reinterpret_cast<const __m128i*>(bytes + 16 * q)));
        const __m512i shifts = _mm512_maskz_loadu_epi32(tail, shift + at);
        const __m512i top = _mm512_maskz_loadu_epi32(tail, max_code + at);
        const __m512i rounded = _mm512_maskz_srlv_epi32(
            0xFFFF, _mm512_add_epi32(s32, _mm512_maskz_loadu_epi32(tail, half + at)), shifts);
        clipped += static_cast<std::uint64_t>(
            __builtin_popcount(_mm512_mask_cmpgt_epi32_mask(tail, rounded, top)));
        const __m512i value = _mm512_maskz_slli_epi32(
            0xFFFF,
            _mm512_maskz_sllv_epi32(0xFFFF, _mm512_maskz_min_epi32(0xFFFF, rounded, top), shifts),
            static_cast<unsigned>(p));
        total[v][q] = p == negative_cycle ? _mm512_sub_epi32(total[v][q], value)
                                          : _mm512_add_epi32(total[v][q], value);
      }
    }
  }
  // Widened to int64, 8 columns per store.
  for (int v = 0; v < NV; ++v) {
    for (std::size_t q = 0; q < 4; ++q) {
      for (std::size_t h = 0; h < 2; ++h) {
        const std::size_t at = static_cast<std::size_t>(v) * kSaturatingLanes + 16 * q + 8 * h;
        if (at >= columns) return clipped;
        const auto tail =
            static_cast<__mmask8>((1U << std::min<std::size_t>(8, columns - at)) - 1U);
        const __m256i half_lanes = h == 0 ? _mm512_maskz_extracti64x4_epi64(0xF, total[v][q], 0)
                                          : _mm512_maskz_extracti64x4_epi64(0xF, total[v][q], 1);
        _mm512_mask_storeu_epi64(acc + at, tail, _mm512_maskz_cvtepi32_epi64(0xFF, half_lanes));
      }
    }
  }
  return clipped;
}

CIMSIM_AVX512BW_TARGET std::uint64_t saturating_convert_avx512(
    const std::uint8_t* cells, std::size_t stride, const std::uint64_t* planes, std::size_t words,
    int cycles, int negative_cycle, std::size_t columns, const std::int32_t* half,
    const std::int32_t* shift, const std::int32_t* max_code, std::int64_t* acc) {
  constexpr std::size_t kChunk = 4 * kSaturatingLanes;  // at most 4 vectors of byte sums
  std::uint64_t clipped = 0;
  for (std::size_t begin = 0; begin < columns; begin += kChunk) {
    const std::size_t count = std::min(kChunk, columns - begin);
    const auto run = [&](auto vectors) {
      clipped += saturating_convert_vectors<decltype(vectors)::value>(
          cells + begin, stride, planes, words, cycles, negative_cycle, count, half + begin,
          shift + begin, max_code + begin, acc + begin);
    };
    switch ((count + kSaturatingLanes - 1) / kSaturatingLanes) {
      case 4:
        run(std::integral_constant<int, 4>{});
        break;
      case 3:
        run(std::integral_constant<int, 3>{});
        break;
      case 2:
        run(std::integral_constant<int, 2>{});
        break;
      default:
        run(std::integral_constant<int, 1>{});
        break;
    }
  }
  return clipped;
}
#endif

KernelVariant& variant() {
  static KernelVariant kernel_variant{CpuFeature::kAvx512Bw, CpuFeature::kBmi, CpuFeature::kBmi2};
  return kernel_variant;
}

}  // namespace

bool saturating_sums_use_avx512() { return variant().wide(); }

void force_portable_saturating_sums(bool portable) { variant().force_portable(portable); }

std::uint64_t saturating_convert(const std::uint8_t* cells, std::size_t stride,
                                 const std::uint64_t* planes, std::size_t words, int cycles,
                                 int negative_cycle, std::size_t columns, const std::int32_t* half,
                                 const std::int32_t* shift, const std::int32_t* max_code,
                                 std::int64_t* acc) {
#if defined(__GNUC__) && defined(__x86_64__)
  if (saturating_sums_use_avx512()) {
    return saturating_convert_avx512(cells, stride, planes, words, cycles, negative_cycle, columns,
                                     half, shift, max_code, acc);
  }
#endif
  return saturating_convert_portable(cells, stride, planes, words, cycles, negative_cycle, columns,
                                     half, shift, max_code, acc);
}

}  // namespace cimsim::kernels
