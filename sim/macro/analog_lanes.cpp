#include "sim/macro/analog_lanes.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "sim/core/kernel_variant.h"

namespace cimsim::kernels {
namespace {

// AnalogKernel's float conversion of one sum (convert_cycle_float in analog_kernel.cpp, where
// its exactness is argued): round half up of sum / step, clamped to [0, max_code].
struct LaneCode {
  std::int32_t code = 0;
  bool below = false;
  bool above = false;
};

inline LaneCode convert_sum(float sum, float inverse_step, float top_half, float max_code) {
  const float t = sum * inverse_step;
  const float low_clamped = t < 0.0F ? 0.0F : t;
  const float clamped = low_clamped >= top_half ? max_code : low_clamped;
  const auto whole = static_cast<std::int32_t>(clamped);
  const float fraction = clamped - static_cast<float>(whole);
  return {whole + (fraction >= 0.5F ? 1 : 0), t < -0.5F, t >= top_half};
}

// Lane by lane, rows in order: the definition.
AnalogLaneClips lane_block_portable(const std::uint64_t* masks, int cycles, int negative_cycle,
                                    const AnalogLaneColumns& in, std::int32_t* codes,
                                    std::int32_t* weighted, std::int32_t* negative,
                                    std::uint32_t* nonzero) {
  AnalogLaneClips clips;
  const std::size_t n = in.columns;
  std::fill(weighted, weighted + n * kAnalogLanes, 0);
  std::fill(negative, negative + n * kAnalogLanes, 0);
  for (int p = 0; p < cycles; ++p) {
    const std::uint64_t* mask = masks + static_cast<std::size_t>(p) * in.plane_words;
    const auto pu = static_cast<std::size_t>(p);
    for (std::size_t t = 0; t < kAnalogLanes; ++t) {
      std::uint32_t set = 0;
      for (std::size_t r = 0; r < in.rows; ++r) {
        set += static_cast<std::uint32_t>(mask[in.gather[r]] >> t) & 1U;
      }
      nonzero[pu * kAnalogLanes + t] = set;
      for (std::size_t i = 0; i < n; ++i) {
        float sum = 0.0F;
        for (std::uint32_t e = in.begin[i]; e < in.begin[i + 1]; ++e) {
          if (((mask[in.word[e]] >> t) & 1U) != 0) sum += in.g[e];
        }
        const LaneCode code = convert_sum(sum, in.inverse_step[i], in.top_half[i], in.max_code[i]);
        clips.below += code.below ? 1 : 0;
        clips.above += code.above ? 1 : 0;
        codes[(pu * n + i) * kAnalogLanes + t] = code.code;
        (p == negative_cycle ? negative : weighted)[i * kAnalogLanes + t] += code.code << p;
      }
    }
  }
  return clips;
}

#if defined(__GNUC__) && defined(__x86_64__)
#define CIMSIM_AVX512BW_TARGET __attribute__((target("avx512f,avx512bw")))

// Lanes [16 part, 16 part + 16) of a cycle's row word, read as its part-th 16-bit half-word
// (little-endian x86): a load and a move into a mask register, where shifting the word takes a
// shift, an extension and a move per part.
CIMSIM_AVX512BW_TARGET inline __mmask16 lane_mask(const std::uint64_t* word, unsigned part) {
  std::uint16_t bits = 0;
  std::memcpy(&bits, reinterpret_cast<const unsigned char*>(word) + std::size_t{2} * part,
              sizeof bits);
  return bits;
}

// convert_sum in 16 lanes (zero-masked forms throughout: GCC 12 warns of an undefined source in
// the plain ones): the codes of column i, cycle p, lanes [lane, lane + 16).
struct LaneTables {
  __m512 inverse;
  __m512 top;
  __m512 max_code;
};

CIMSIM_AVX512BW_TARGET inline __m512i convert_16(__m512 sum, const LaneTables& table,
                                                 AnalogLaneClips& clips) {
  const __m512 zero = _mm512_setzero_ps();
  const __m512 t = _mm512_mul_ps(sum, table.inverse);
  const __mmask16 below = _mm512_cmp_ps_mask(t, _mm512_set1_ps(-0.5F), _CMP_LT_OQ);
  const __mmask16 above = _mm512_cmp_ps_mask(t, table.top, _CMP_GE_OQ);
  clips.below += static_cast<std::uint64_t>(__builtin_popcount(below));
  clips.above += static_cast<std::uint64_t>(__builtin_popcount(above));
  const __m512 low_clamped = _mm512_mask_mov_ps(t, _mm512_cmp_ps_mask(t, zero, _CMP_LT_OQ), zero);
  const __m512 clamped = _mm512_mask_mov_ps(
      low_clamped, _mm512_cmp_ps_mask(low_clamped, table.top, _CMP_GE_OQ), table.max_code);
  const __m512i whole = _mm512_maskz_cvttps_epi32(0xFFFF, clamped);
  const __m512 fraction = _mm512_sub_ps(clamped, _mm512_maskz_cvtepi32_ps(0xFFFF, whole));
  return _mm512_mask_add_epi32(whole,
                               _mm512_cmp_ps_mask(fraction, _mm512_set1_ps(0.5F), _CMP_GE_OQ),
                               whole, _mm512_set1_epi32(1));
}

// Column i's sums of PC cycles from p0 in the first Q parts of 16 lanes (a block of at most
// 16 Q vectors: the other lanes are zero and never read): PC * Q sums in registers while the
// column's entries go by (one broadcast conductance, PC row words), then their conversions.
template <int PC, int Q>
CIMSIM_AVX512BW_TARGET void column_cycles(const std::uint64_t* masks, int p0, int negative_cycle,
                                          const AnalogLaneColumns& in, std::size_t i,
                                          std::int32_t* codes, std::int32_t* weighted,
                                          std::int32_t* negative, AnalogLaneClips& clips) {
  __m512 acc[PC][Q];
#pragma GCC unroll 8
  for (int c = 0; c < PC; ++c) {
#pragma GCC unroll 4
    for (int q = 0; q < Q; ++q) acc[c][q] = _mm512_setzero_ps();
  }
  const std::uint64_t* base = masks + static_cast<std::size_t>(p0) * in.plane_words;
  for (std::uint32_t e = in.begin[i]; e < in.begin[i + 1]; ++e) {
    const __m512 term = _mm512_set1_ps(in.g[e]);
    const std::uint64_t* word = base + in.word[e];
#pragma GCC unroll 8
    for (int c = 0; c < PC; ++c) {
      const std::uint64_t* cycle_word = word + static_cast<std::size_t>(c) * in.plane_words;
#pragma GCC unroll 4
      for (int q = 0; q < Q; ++q) {
        acc[c][q] = _mm512_mask_add_ps(acc[c][q], lane_mask(cycle_word, static_cast<unsigned>(q)),
                                       acc[c][q], term);
      }
    }
  }
  const std::size_t n = in.columns;
  const LaneTables table{_mm512_set1_ps(in.inverse_step[i]), _mm512_set1_ps(in.top_half[i]),
                         _mm512_set1_ps(in.max_code[i])};
#pragma GCC unroll 8
  for (int c = 0; c < PC; ++c) {
    const int p = p0 + c;
    std::int32_t* sums = (p == negative_cycle ? negative : weighted) + i * kAnalogLanes;
    std::int32_t* cycle_codes = codes + (static_cast<std::size_t>(p) * n + i) * kAnalogLanes;
#pragma GCC unroll 4
    for (int q = 0; q < Q; ++q) {
      const std::size_t lane = std::size_t{16} * static_cast<std::size_t>(q);
      const __m512i code = convert_16(acc[c][q], table, clips);
      _mm512_storeu_si512(cycle_codes + lane, code);
      _mm512_storeu_si512(
          sums + lane,
          _mm512_add_epi32(_mm512_loadu_si512(sums + lane),
                           _mm512_maskz_slli_epi32(0xFFFF, code, static_cast<unsigned>(p))));
    }
  }
}

using ColumnCycles = void (*)(const std::uint64_t*, int, int, const AnalogLaneColumns&, std::size_t,
                              std::int32_t*, std::int32_t*, std::int32_t*, AnalogLaneClips&);

// column_cycles<PC, Q> for PC = 1 to the table's size: at most 16 sums in registers.
template <int Q, std::size_t... C>
constexpr std::array<ColumnCycles, sizeof...(C)> cycle_kernels(std::index_sequence<C...> /*pc*/) {
  return {&column_cycles<static_cast<int>(C + 1), Q>...};
}
constexpr auto kOnePart = cycle_kernels<1>(std::make_index_sequence<8>{});
constexpr auto kTwoParts = cycle_kernels<2>(std::make_index_sequence<8>{});
constexpr auto kThreeParts = cycle_kernels<3>(std::make_index_sequence<5>{});
constexpr auto kFourParts = cycle_kernels<4>(std::make_index_sequence<4>{});

CIMSIM_AVX512BW_TARGET AnalogLaneClips
lane_block_avx512(const std::uint64_t* masks, std::size_t vectors, int cycles, int negative_cycle,
                  const AnalogLaneColumns& in, std::int32_t* codes, std::int32_t* weighted,
                  std::int32_t* negative, std::uint32_t* nonzero) {
  AnalogLaneClips clips;
  const std::size_t n = in.columns;
  std::fill(weighted, weighted + n * kAnalogLanes, 0);
  std::fill(negative, negative + n * kAnalogLanes, 0);
  // Each lane's rows with a set bit, per cycle: 16-bit counts of 32 lanes, widened to int32.
  const __m512i one = _mm512_set1_epi16(1);
  for (int p = 0; p < cycles; ++p) {
    const auto pu = static_cast<std::size_t>(p);
    const std::uint64_t* mask = masks + pu * in.plane_words;
    __m512i low = _mm512_setzero_si512();
    __m512i high = _mm512_setzero_si512();
    for (std::size_t r = 0; r < in.rows; ++r) {
      const std::uint64_t word = mask[in.gather[r]];
      low = _mm512_mask_add_epi16(low, static_cast<__mmask32>(word), low, one);
      high = _mm512_mask_add_epi16(high, static_cast<__mmask32>(word >> 32U), high, one);
    }
    std::uint32_t* out = nonzero + pu * kAnalogLanes;
    _mm512_storeu_si512(
        out, _mm512_maskz_cvtepu16_epi32(0xFFFF, _mm512_maskz_extracti64x4_epi64(0xF, low, 0)));
    _mm512_storeu_si512(out + 16, _mm512_maskz_cvtepu16_epi32(
                                      0xFFFF, _mm512_maskz_extracti64x4_epi64(0xF, low, 1)));
    _mm512_storeu_si512(out + 32, _mm512_maskz_cvtepu16_epi32(
                                      0xFFFF, _mm512_maskz_extracti64x4_epi64(0xF, high, 0)));
    _mm512_storeu_si512(out + 48, _mm512_maskz_cvtepu16_epi32(
                                      0xFFFF, _mm512_maskz_extracti64x4_epi64(0xF, high, 1)));
  }
  // Only the parts of 16 lanes that hold vectors.
  const std::size_t parts = std::max<std::size_t>(1, (vectors + 15) / 16);
  const ColumnCycles* kernels = parts == 1   ? kOnePart.data()
                                : parts == 2 ? kTwoParts.data()
                                : parts == 3 ? kThreeParts.data()
                                             : kFourParts.data();
  const int most = parts == 1   ? static_cast<int>(kOnePart.size())
                   : parts == 2 ? static_cast<int>(kTwoParts.size())
                   : parts == 3 ? static_cast<int>(kThreeParts.size())
                                : static_cast<int>(kFourParts.size());
  for (std::size_t i = 0; i < n; ++i) {
    for (int p0 = 0; p0 < cycles; p0 += most) {
      const int pc = std::min(most, cycles - p0);
      kernels[pc - 1](masks, p0, negative_cycle, in, i, codes, weighted, negative, clips);
    }
  }
  return clips;
}
#endif

KernelVariant& variant() {
  static KernelVariant kernel_variant{CpuFeature::kAvx512F, CpuFeature::kAvx512Bw};
  return kernel_variant;
}

}  // namespace

bool analog_lanes_use_avx512() { return variant().wide(); }

void force_portable_analog_lanes(bool portable) { variant().force_portable(portable); }

AnalogLaneClips analog_lane_block(const std::uint64_t* masks, std::size_t vectors, int cycles,
                                  int negative_cycle, const AnalogLaneColumns& columns,
                                  std::int32_t* codes, std::int32_t* weighted,
                                  std::int32_t* negative, std::uint32_t* nonzero) {
#if defined(__GNUC__) && defined(__x86_64__)
  if (analog_lanes_use_avx512()) {
    return lane_block_avx512(masks, vectors, cycles, negative_cycle, columns, codes, weighted,
                             negative, nonzero);
  }
#endif

  return lane_block_portable(masks, cycles, negative_cycle, columns, codes, weighted, negative,
                             nonzero);
}

}  // namespace cimsim::kernels
