// The one int8 product of the integer kernels: C = A (M x K, unsigned 8-bit) * B (K x N, signed
// 8-bit) with 32-bit sums. The exact path's layer product (sim/macro/integer_gemm.h) and the
// split kernel's per-cycle sums of a block of vectors (CrossbarEngine::run_batch_row_adds) both
// reduce to it. AVX-512 VNNI (VPDPBUSD: four u8 x s8 products added into each int32 lane per
// instruction) runs where the CPU has it, checked once at run time; a portable loop otherwise.
// Integer sums are exact in any order, so every variant gives the same numbers, provided the
// caller checked that no sum leaves int32 (VPDPBUSD wraps, it does not saturate).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cimsim::kernels {

// B laid out for the product, once per matrix: k in groups of 4 (the bytes one VPDPBUSD lane
// adds up) and n in blocks of 16 (the int32 lanes of one AVX-512 register); the bytes of k and n
// past the matrix are zero, so that a padded input byte adds nothing.
class PackedInt8Matrix {
 public:
  static constexpr std::size_t kGroup = 4;   // k per int32 lane [values]
  static constexpr std::size_t kLanes = 16;  // n per block [values]

  PackedInt8Matrix() = default;
  PackedInt8Matrix(std::size_t rows, std::size_t cols);
  // B from row-major int32 values, each within [-128, 127] (the caller checked).
  PackedInt8Matrix(const std::int32_t* values, std::size_t rows, std::size_t cols);

  void set(std::size_t k, std::size_t n, std::int8_t value) {
    data_[((n / kLanes) * groups_ + k / kGroup) * kGroup * kLanes + (n % kLanes) * kGroup +
          k % kGroup] = value;
  }
  [[nodiscard]] std::size_t rows() const { return rows_; }
  [[nodiscard]] std::size_t cols() const { return cols_; }
  [[nodiscard]] std::size_t groups() const { return groups_; }
  [[nodiscard]] std::size_t blocks() const { return blocks_; }
  // Block nb: groups() x 64 bytes, group g's byte 4 * l + q being B[4g + q][16 nb + l].
  [[nodiscard]] const std::int8_t* block(std::size_t nb) const {
    return data_.data() + nb * groups_ * kGroup * kLanes;
  }

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::size_t groups_ = 0;
  std::size_t blocks_ = 0;
  std::vector<std::int8_t> data_;
};

// c[i * ldc + n] = sum over k < b.rows() of a[i * lda + k] * B[k][n], for i < m and n < b.cols()
// (the rest of each row of c is left alone).
void int8_product(const std::uint8_t* a, std::size_t m, std::size_t lda, const PackedInt8Matrix& b,
                  std::int32_t* c, std::size_t ldc);

// Whether int8_product runs its AVX-512 VNNI variant on this CPU (for the tests and the
// benchmarks); `portable` makes every later call take the portable loop.
[[nodiscard]] bool int8_product_uses_vnni();
void force_portable_int8_product(bool portable);

}  // namespace cimsim::kernels
