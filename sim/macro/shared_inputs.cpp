#include "sim/macro/shared_inputs.h"

#include <algorithm>
#include <array>
#include <string>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "sim/core/errors.h"
#include "sim/core/kernel_variant.h"
#include "sim/core/simd_clones.h"

namespace cimsim {

SharedInputPlanes::SharedInputPlanes(const IntMatrix& x, const SerialDrive& drive,
                                     const SharedForms& forms)
    : x_(x), drive_(drive) {
  if (forms.planes_by_cycle) planes_.assign(static_cast<std::size_t>(drive.input_bits) * x.cols, 0);
  if (forms.values) values_.assign(x.cols * kLanes, 0);
  if (forms.planes_by_input && drive.input_bits <= kernels::kSlicedCycles) {
    by_input_.assign((x.cols + 1) * kernels::kSlicedCycles, 0);
  }
  if (x.rows > kLanes) {
    throw RuntimeError("SharedInputPlanes: " + std::to_string(x.rows) + " vectors, at most " +
                       std::to_string(kLanes));
  }
}

namespace kernels {

namespace {

void transpose_bits64_portable(std::uint64_t* words, std::uint64_t* counts) {
  // Six rounds swap ever smaller off-diagonal blocks: in round j, bit c + j of word r (c and r
  // without bit j) trades places with bit c of word r + j. No Debian library transposes bit
  // matrices.
  std::uint64_t mask = 0x00000000FFFFFFFFULL;
  for (unsigned j = 32; j != 0; j >>= 1U, mask ^= mask << j) {
    for (std::size_t r0 = 0; r0 < 64; r0 += 2 * std::size_t{j}) {
      for (std::size_t r = r0; r < r0 + j; ++r) {
        const std::uint64_t swap = ((words[r] >> j) ^ words[r + j]) & mask;
        words[r + j] ^= swap;
        words[r] ^= swap << j;
      }
    }
  }
  if (counts == nullptr) return;
  for (std::size_t c = 0; c < 64; ++c) {
    counts[c] += static_cast<std::uint64_t>(__builtin_popcountll(words[c]));
  }
}

#if defined(__GNUC__) && defined(__x86_64__)
#define CIMSIM_TRANSPOSE_TARGET \
  __attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vpopcntdq,gfni")))

// Round j of the portable loop between registers a (words r) and b (words r + j), j >= 8.
// (The zero-masking forms of the intrinsics throughout: GCC 12 warns about the undefined
// pass-through operand of the plain ones.)
constexpr __mmask8 kAllWords = 0xFF;
constexpr __mmask64 kAllBytes = ~__mmask64{0};

// The byte shuffles of the last three rounds (below): byte 8m + 7 - l of the gathered form is
// byte 8l + m of the register (lane l, byte m), as the affine transform reads its matrix rows in
// reverse; the way back is a plain byte transpose, byte 8q + m from byte 8m + q.
using ByteIndex = std::array<std::uint8_t, 64>;
constexpr ByteIndex byte_transpose(bool reverse_rows) {
  ByteIndex index{};
  for (std::size_t m = 0; m < 8; ++m) {
    for (std::size_t l = 0; l < 8; ++l) {
      index[8 * m + (reverse_rows ? 7 - l : l)] = static_cast<std::uint8_t>(8 * l + m);
    }
  }
  return index;
}
alignas(64) constexpr ByteIndex kToGathered = byte_transpose(true);
alignas(64) constexpr ByteIndex kToWords = byte_transpose(false);

template <unsigned J>
CIMSIM_TRANSPOSE_TARGET inline void swap_blocks(__m512i& a, __m512i& b, __m512i mask) {
  const __m512i swap =
      _mm512_and_si512(_mm512_xor_si512(_mm512_maskz_srli_epi64(kAllWords, a, J), b), mask);
  b = _mm512_xor_si512(b, swap);
  a = _mm512_xor_si512(a, _mm512_maskz_slli_epi64(kAllWords, swap, J));
}

CIMSIM_TRANSPOSE_TARGET void transpose_bits64_gfni(std::uint64_t* words, std::uint64_t* counts) {
  // The rounds commute (round j exchanges bit j of the word index with bit j of the bit index),
  // so rounds 32, 16 and 8 run between the eight registers of eight words each, and rounds 4, 2
  // and 1 (word index bits 0-2: the lane; bit index bits 0-2: the bit within a byte) together
  // transpose, within each register and byte position m, the 8 x 8 bits of its lanes' bytes m:
  // a byte transpose (VPERMB) gathers them into one qword, GF2P8AFFINEQB transposes the 8 x 8
  // bits of each qword, and a second byte transpose puts them back.
  __m512i r[8];
  for (std::size_t i = 0; i < 8; ++i) r[i] = _mm512_loadu_si512(words + 8 * i);
  const __m512i mask32 = _mm512_set1_epi64(0x00000000FFFFFFFFLL);
  const __m512i mask16 = _mm512_set1_epi64(0x0000FFFF0000FFFFLL);
  const __m512i mask8 = _mm512_set1_epi64(0x00FF00FF00FF00FFLL);
  for (std::size_t i = 0; i < 4; ++i) swap_blocks<32>(r[i], r[i + 4], mask32);
  for (std::size_t i : {0UL, 1UL, 4UL, 5UL}) swap_blocks<16>(r[i], r[i + 2], mask16);
  for (std::size_t i : {0UL, 2UL, 4UL, 6UL}) swap_blocks<8>(r[i], r[i + 1], mask8);
  const __m512i to_gathered = _mm512_load_si512(kToGathered.data());
  const __m512i to_words = _mm512_load_si512(kToWords.data());
  // Byte i of each qword holds bit i alone: the affine transform's result byte i, bit j is then
  // bit i of the matrix qword's byte 7 - j.
  const __m512i unit = _mm512_set1_epi64(static_cast<long long>(0x8040201008040201ULL));
  for (std::size_t i = 0; i < 8; ++i) {
    const __m512i gathered = _mm512_maskz_permutexvar_epi8(kAllBytes, to_gathered, r[i]);
    const __m512i transposed = _mm512_gf2p8affine_epi64_epi8(unit, gathered, 0);
    r[i] = _mm512_maskz_permutexvar_epi8(kAllBytes, to_words, transposed);
    _mm512_storeu_si512(words + 8 * i, r[i]);
  }
  if (counts == nullptr) return;
  for (std::size_t i = 0; i < 8; ++i) {
    const __m512i sum = _mm512_add_epi64(_mm512_loadu_si512(counts + 8 * i),
                                         _mm512_maskz_popcnt_epi64(kAllWords, r[i]));
    _mm512_storeu_si512(counts + 8 * i, sum);
  }
}
#endif

KernelVariant& transpose_variant() {
  static KernelVariant kernel_variant{CpuFeature::kAvx512F, CpuFeature::kAvx512Bw,
                                      CpuFeature::kAvx512Vbmi, CpuFeature::kAvx512Vpopcntdq,
                                      CpuFeature::kGfni};
  return kernel_variant;
}

}  // namespace

bool transpose_bits64_uses_gfni() { return transpose_variant().wide(); }

void force_portable_transpose(bool portable) { transpose_variant().force_portable(portable); }

void transpose_bits64(std::uint64_t* words, std::uint64_t* counts) {
#if defined(__GNUC__) && defined(__x86_64__)
  if (transpose_bits64_uses_gfni()) {
    transpose_bits64_gfni(words, counts);
    return;
  }
#endif
  transpose_bits64_portable(words, counts);
}

namespace {

// A tile's bit planes of x, words[(k - k0) * stride + p] for inputs k0 <= k < k1 (at most 64) and
// cycles p: bit t is bit p of vector t's input k (bit p of the driven value and of the
// two's-complement value alike, for p below the input width).
void tile_planes_portable(const IntMatrix& x, std::size_t k0, std::size_t k1, std::size_t cycles,
                          std::size_t stride, std::uint64_t* words) {
  for (std::size_t t = 0; t < x.rows; ++t) {
    const std::int32_t* row = x.row(t);
    for (std::size_t k = k0; k < k1; ++k) {
      const auto value = static_cast<std::uint32_t>(row[k]);
      std::uint64_t* input = words + (k - k0) * stride;
      for (std::size_t p = 0; p < cycles; ++p) {
        input[p] |= static_cast<std::uint64_t>((value >> p) & 1U) << t;
      }
    }
  }
}

#if defined(__GNUC__) && defined(__x86_64__)
// The same by cycle: each vector's bits of the tile's inputs (VPTESTMD, 16 inputs per
// instruction) make a 64 x 64 bit matrix [vector][input], transposed into [input][vector].
CIMSIM_TRANSPOSE_TARGET void tile_planes_gfni(const IntMatrix& x, std::size_t k0, std::size_t k1,
                                              std::size_t cycles, std::size_t stride,
                                              std::uint64_t* words) {
  const std::size_t width = k1 - k0;
  alignas(64) std::array<std::uint64_t, 64> matrix{};
  for (std::size_t p = 0; p < cycles; ++p) {
    std::fill(matrix.begin(), matrix.end(), 0);  // vectors past the block's stay zero
    const __m512i bit = _mm512_set1_epi32(static_cast<int>(1U << p));
    for (std::size_t t = 0; t < x.rows; ++t) {
      std::uint64_t bits = 0;
      for (std::size_t begin = 0; begin < width; begin += 16) {
        const std::size_t count = std::min<std::size_t>(16, width - begin);
        const auto lanes = static_cast<__mmask16>((std::uint32_t{1} << count) - 1U);
        const __m512i values = _mm512_maskz_loadu_epi32(lanes, x.row(t) + k0 + begin);
        bits |= static_cast<std::uint64_t>(_mm512_mask_test_epi32_mask(lanes, values, bit))
                << begin;
      }
      matrix[t] = bits;
    }
    transpose_bits64_gfni(matrix.data(), nullptr);
    for (std::size_t k = 0; k < width; ++k) words[k * stride + p] = matrix[k];
  }
}
#endif

void tile_planes(const IntMatrix& x, std::size_t k0, std::size_t k1, std::size_t cycles,
                 std::size_t stride, std::uint64_t* words) {
#if defined(__GNUC__) && defined(__x86_64__)
  if (transpose_bits64_uses_gfni()) {
    tile_planes_gfni(x, k0, k1, cycles, stride, words);
    return;
  }
#endif
  tile_planes_portable(x, k0, k1, cycles, stride, words);
}

}  // namespace

CIMSIM_SIMD_CLONES void lane_weighted_sums(const std::int32_t* values, const std::int32_t* gather,
                                           std::size_t rows, const std::int32_t* weights_t,
                                           std::size_t outputs, std::int64_t* acc) {
  constexpr std::size_t kLanes = SharedInputPlanes::kLanes;
  for (std::size_t o = 0; o < outputs; ++o) {
    const std::int32_t* weights = weights_t + o * rows;
    std::int32_t sums[kLanes] = {};
    for (std::size_t r = 0; r < rows; ++r) {
      const std::int32_t weight = weights[r];
      if (weight == 0) continue;
      const std::int32_t* __restrict lane = values + static_cast<std::size_t>(gather[r]) * kLanes;
      for (std::size_t t = 0; t < kLanes; ++t) sums[t] += weight * lane[t];
    }
    for (std::size_t t = 0; t < kLanes; ++t) acc[t * outputs + o] = sums[t];
  }
}

}  // namespace kernels

void SharedInputPlanes::fill(std::size_t tile) {
  const std::size_t inputs = x_.cols;
  const std::size_t k0 = tile * kTile;
  const std::size_t k1 = std::min(inputs, k0 + kTile);
  const auto cycles = static_cast<std::size_t>(drive_.input_bits);
  const std::uint32_t mask = (std::uint32_t{1} << drive_.input_bits) - 1U;
  for (std::size_t t = 0; t < x_.rows && !values_.empty(); ++t) {
    const std::int32_t* row = x_.row(t);
    for (std::size_t k = k0; k < k1; ++k) {
      const std::uint32_t driven = static_cast<std::uint32_t>(row[k]) & mask;
      values_[k * kLanes + t] = drive_.signed_serial ? row[k] : static_cast<std::int32_t>(driven);
    }
  }
  if (planes_.empty() && by_input_.empty()) return;
  // The tile's planes by input, then copied by cycle.
  const std::size_t stride = std::max<std::size_t>(cycles, kernels::kSlicedCycles);
  std::vector<std::uint64_t> tile_planes(kTile * stride, 0);
  kernels::tile_planes(x_, k0, k1, cycles, stride, tile_planes.data());
  for (std::size_t k = k0; k < k1 && !planes_.empty(); ++k) {
    const std::uint64_t* words = &tile_planes[(k - k0) * stride];
    for (std::size_t p = 0; p < cycles; ++p) planes_[p * inputs + k] = words[p];
  }
  if (!by_input_.empty()) {
    // (stride is kSlicedCycles here: by_input_ exists for at most that many cycles)
    std::copy(tile_planes.begin(), tile_planes.begin() + (k1 - k0) * stride,
              &by_input_[(k0 + 1) * stride]);
  }
}

}  // namespace cimsim
