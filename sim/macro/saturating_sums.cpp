#include "sim/macro/saturating_sums.h"

#include <algorithm>
#include <atomic>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "sim/core/simd_clones.h"

namespace cimsim::kernels {
namespace {

// One 64-column vector at a time, rows in ascending order; the column loop vectorises in each
// clone (the byte add and the min are exact in any width).
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

#if defined(__GNUC__) && defined(__x86_64__)
#define CIMSIM_AVX512BW_TARGET __attribute__((target("avx512f,avx512bw")))

// NV vectors of 64 columns in registers for the whole plane: each set bit costs NV loads and
// saturating adds.
template <int NV>
CIMSIM_AVX512BW_TARGET inline void saturating_vectors(const std::uint8_t* cells, std::size_t stride,
                                                      const std::uint64_t* plane, std::size_t words,
                                                      std::size_t columns, std::int32_t* sums) {
  __m512i acc[NV];
  for (int v = 0; v < NV; ++v) acc[v] = _mm512_setzero_si512();
  for (std::size_t w = 0; w < words; ++w) {
    for (std::uint64_t bits = plane[w]; bits != 0; bits &= bits - 1) {
      const std::uint8_t* row =
          cells + (w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))) * stride;
      for (int v = 0; v < NV; ++v) {
        acc[v] = _mm512_adds_epu8(acc[v], _mm512_loadu_si512(row + v * kSaturatingLanes));
      }
    }
  }
  // Widen to int32, 16 columns per store; a last partial group is masked.
  for (int v = 0; v < NV; ++v) {
    alignas(64) std::uint8_t bytes[kSaturatingLanes];
    _mm512_store_si512(bytes, acc[v]);
    for (std::size_t q = 0; q < 4; ++q) {
      const std::size_t at = static_cast<std::size_t>(v) * kSaturatingLanes + q * 16;
      if (at >= columns) return;
      const std::size_t lanes = std::min<std::size_t>(16, columns - at);
      // (The zero-masked form: GCC 12's plain one warns of an undefined source.)
      const __m512i wide = _mm512_maskz_cvtepu8_epi32(
          0xFFFF, _mm_load_si128(reinterpret_cast<const __m128i*>(bytes + q * 16)));
      _mm512_mask_storeu_epi32(sums + at, static_cast<__mmask16>((1U << lanes) - 1U), wide);
    }
  }
}

CIMSIM_AVX512BW_TARGET void saturating_sums_avx512(const std::uint8_t* cells, std::size_t stride,
                                                   const std::uint64_t* plane, std::size_t words,
                                                   std::size_t columns, std::int32_t* sums) {
  constexpr std::size_t kChunk = 4 * kSaturatingLanes;  // at most 4 accumulator registers
  for (std::size_t begin = 0; begin < columns; begin += kChunk) {
    const std::size_t count = std::min(kChunk, columns - begin);
    const std::uint8_t* chunk = cells + begin;
    std::int32_t* out = sums + begin;
    switch ((count + kSaturatingLanes - 1) / kSaturatingLanes) {
      case 4:
        saturating_vectors<4>(chunk, stride, plane, words, count, out);
        break;
      case 3:
        saturating_vectors<3>(chunk, stride, plane, words, count, out);
        break;
      case 2:
        saturating_vectors<2>(chunk, stride, plane, words, count, out);
        break;
      default:
        saturating_vectors<1>(chunk, stride, plane, words, count, out);
        break;
    }
  }
}
#endif

std::atomic<bool> portable_forced{false};

}  // namespace

bool saturating_sums_use_avx512() {
#if defined(__GNUC__) && defined(__x86_64__)
  static const bool kSupported = __builtin_cpu_supports("avx512bw") != 0;
  return kSupported && !portable_forced.load(std::memory_order_relaxed);
#else
  return false;
#endif
}

void force_portable_saturating_sums(bool portable) {
  portable_forced.store(portable, std::memory_order_relaxed);
}

void saturating_plane_sums(const std::uint8_t* cells, std::size_t stride,
                           const std::uint64_t* plane, std::size_t words, std::size_t columns,
                           std::int32_t* sums) {
#if defined(__GNUC__) && defined(__x86_64__)
  if (saturating_sums_use_avx512()) {
    saturating_sums_avx512(cells, stride, plane, words, columns, sums);
    return;
  }
#endif
  saturating_sums_portable(cells, stride, plane, words, columns, sums);
}

}  // namespace cimsim::kernels
