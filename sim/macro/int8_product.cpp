#include "sim/macro/int8_product.h"

#include <algorithm>
#include <cstring>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "sim/core/kernel_variant.h"
#include "sim/core/simd_clones.h"

namespace cimsim::kernels {

PackedInt8Matrix::PackedInt8Matrix(std::size_t rows, std::size_t cols)
    : rows_(rows),
      cols_(cols),
      groups_((rows + kGroup - 1) / kGroup),
      blocks_((cols + kLanes - 1) / kLanes),
      data_(groups_ * blocks_ * kGroup * kLanes, 0) {}

PackedInt8Matrix::PackedInt8Matrix(const std::int32_t* values, std::size_t rows, std::size_t cols)
    : PackedInt8Matrix(rows, cols) {
  // In the packed order, so that the writes are sequential and each group reads four rows of
  // 16 values (once per layer product: it must cost little beside the product).
  std::int8_t* out = data_.data();
  for (std::size_t nb = 0; nb < blocks_; ++nb) {
    const std::size_t lanes = std::min(kLanes, cols - nb * kLanes);
    for (std::size_t g = 0; g < groups_; ++g, out += kGroup * kLanes) {
      const std::size_t group = std::min(kGroup, rows - g * kGroup);
      for (std::size_t q = 0; q < group; ++q) {
        const std::int32_t* row = values + (g * kGroup + q) * cols + nb * kLanes;
        for (std::size_t l = 0; l < lanes; ++l)
          out[l * kGroup + q] = static_cast<std::int8_t>(row[l]);
      }
    }
  }
}

namespace {

constexpr std::size_t kGroupBytes = PackedInt8Matrix::kGroup * PackedInt8Matrix::kLanes;

// Row by row and block by block; the lane loop vectorises in each clone. Zero inputs (most ReLU
// outputs and input digits) are skipped.
CIMSIM_SIMD_CLONES void int8_product_portable(const std::uint8_t* a, std::size_t m, std::size_t lda,
                                              const PackedInt8Matrix& b, std::int32_t* c,
                                              std::size_t ldc) {
  constexpr std::size_t kLanes = PackedInt8Matrix::kLanes;
  constexpr std::size_t kGroup = PackedInt8Matrix::kGroup;
  const std::size_t k_count = b.rows();
  for (std::size_t i = 0; i < m; ++i) {
    const std::uint8_t* row = a + i * lda;
    for (std::size_t nb = 0; nb < b.blocks(); ++nb) {
      std::int32_t acc[kLanes] = {};
      const std::int8_t* block = b.block(nb);
      for (std::size_t k = 0; k < k_count; ++k) {
        const std::int32_t value = row[k];
        if (value == 0) continue;
        const std::int8_t* lanes = block + (k / kGroup) * kGroupBytes + k % kGroup;
        for (std::size_t l = 0; l < kLanes; ++l) acc[l] += value * lanes[l * kGroup];
      }
      const std::size_t n0 = nb * kLanes;
      std::copy_n(acc, std::min(kLanes, b.cols() - n0), c + i * ldc + n0);
    }
  }
}

#if defined(__GNUC__) && defined(__x86_64__)
#define CIMSIM_VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni")))

// One group of four k: each of the NB blocks' vectors of B loaded once for the R rows, each
// row's four input bytes broadcast once for the NB blocks.
template <int R, int NB>
[[gnu::always_inline]] CIMSIM_VNNI_TARGET inline void vnni_group(
    __m512i (&acc)[R][NB], const std::int8_t* const (&blocks)[NB], std::size_t g,
    const std::int32_t (&words)[R]) {
  __m512i cells[NB];
  for (int j = 0; j < NB; ++j) cells[j] = _mm512_loadu_si512(blocks[j] + g * kGroupBytes);
  for (int r = 0; r < R; ++r) {
    const __m512i inputs = _mm512_set1_epi32(words[r]);
    for (int j = 0; j < NB; ++j) acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], inputs, cells[j]);
  }
}

// Rows [0, R) of a against blocks [nb0, nb0 + NB) of b, in R x NB accumulator registers.
template <int R, int NB>
CIMSIM_VNNI_TARGET inline void vnni_tile(const std::uint8_t* a, std::size_t lda,
                                         const PackedInt8Matrix& b, std::size_t nb0,
                                         std::int32_t* c, std::size_t ldc) {
  constexpr std::size_t kGroup = PackedInt8Matrix::kGroup;
  __m512i acc[R][NB];
  for (int r = 0; r < R; ++r) {
    for (int j = 0; j < NB; ++j) acc[r][j] = _mm512_setzero_si512();
  }
  const std::size_t k_count = b.rows();
  const std::size_t full = k_count / kGroup;
  const std::int8_t* blocks[NB];
  for (int j = 0; j < NB; ++j) blocks[j] = b.block(nb0 + static_cast<std::size_t>(j));
  for (std::size_t g = 0; g < full; ++g) {
    std::int32_t words[R];
    std::int32_t any = 0;
    for (int r = 0; r < R; ++r) {
      std::memcpy(&words[r], a + static_cast<std::size_t>(r) * lda + g * kGroup, kGroup);
      any |= words[r];
    }
    if (any != 0) vnni_group<R, NB>(acc, blocks, g, words);  // zero inputs add nothing
  }
  if (full < b.groups()) {  // k not a multiple of 4: the last group's missing bytes are zero
    std::int32_t words[R] = {};
    for (int r = 0; r < R; ++r) {
      std::memcpy(&words[r], a + static_cast<std::size_t>(r) * lda + full * kGroup,
                  k_count - full * kGroup);
    }
    vnni_group<R, NB>(acc, blocks, full, words);
  }
  for (int j = 0; j < NB; ++j) {
    const std::size_t n0 = (nb0 + static_cast<std::size_t>(j)) * PackedInt8Matrix::kLanes;
    const std::size_t lanes = std::min(PackedInt8Matrix::kLanes, b.cols() - n0);
    const auto mask = static_cast<__mmask16>((1U << lanes) - 1U);
    for (int r = 0; r < R; ++r) {
      _mm512_mask_storeu_epi32(c + static_cast<std::size_t>(r) * ldc + n0, mask, acc[r][j]);
    }
  }
}

template <int R>
CIMSIM_VNNI_TARGET inline void vnni_rows(const std::uint8_t* a, std::size_t lda,
                                         const PackedInt8Matrix& b, std::int32_t* c,
                                         std::size_t ldc) {
  std::size_t nb = 0;
  for (; nb + 4 <= b.blocks(); nb += 4) vnni_tile<R, 4>(a, lda, b, nb, c, ldc);
  switch (b.blocks() - nb) {
    case 3:
      vnni_tile<R, 3>(a, lda, b, nb, c, ldc);
      break;
    case 2:
      vnni_tile<R, 2>(a, lda, b, nb, c, ldc);
      break;
    case 1:
      vnni_tile<R, 1>(a, lda, b, nb, c, ldc);
      break;
    default:
      break;
  }
}

CIMSIM_VNNI_TARGET void int8_product_vnni(const std::uint8_t* a, std::size_t m, std::size_t lda,
                                          const PackedInt8Matrix& b, std::int32_t* c,
                                          std::size_t ldc) {
  std::size_t i = 0;
  for (; i + 4 <= m; i += 4) vnni_rows<4>(a + i * lda, lda, b, c + i * ldc, ldc);
  for (; i < m; ++i) vnni_rows<1>(a + i * lda, lda, b, c + i * ldc, ldc);
}
#endif

KernelVariant& variant() {
  static KernelVariant kernel_variant{CpuFeature::kAvx512Vnni, CpuFeature::kAvx512Bw};
  return kernel_variant;
}

}  // namespace

bool int8_product_uses_vnni() { return variant().wide(); }

void force_portable_int8_product(bool portable) { variant().force_portable(portable); }

void int8_product(const std::uint8_t* a, std::size_t m, std::size_t lda, const PackedInt8Matrix& b,
                  std::int32_t* c, std::size_t ldc) {
#if defined(__GNUC__) && defined(__x86_64__)
  if (int8_product_uses_vnni()) {
    int8_product_vnni(a, m, lda, b, c, ldc);
    return;
  }
#endif
  int8_product_portable(a, m, lda, b, c, ldc);
}

}  // namespace cimsim::kernels
