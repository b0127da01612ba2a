// The int8 product (sim/macro/int8_product.h) against a naive triple loop, with its VNNI variant
// (where the CPU has it) and with the portable loop forced: random shapes whose k is not a
// multiple of 4 and whose n is not a multiple of 16, the extremes of both types, sparse inputs,
// and a row stride wider than k whose padding must not be read into the sums.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "sim/macro/int8_product.h"
#include "sim/macro/integer_gemm.h"
#include "tests/test_util.h"

namespace cimsim::kernels {
namespace {

struct Case {
  std::size_t m = 0;
  std::size_t k = 0;
  std::size_t n = 0;
  std::size_t lda = 0;
  std::vector<std::uint8_t> a;
  std::vector<std::int8_t> b;  // row-major k x n
};

Case random_case(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> pick(0, 1000);
  Case c;
  c.m = 1 + static_cast<std::size_t>(pick(rng) % 11);
  c.k = 1 + static_cast<std::size_t>(pick(rng) % 70);
  c.n = 1 + static_cast<std::size_t>(pick(rng) % 90);
  c.lda = c.k + static_cast<std::size_t>(pick(rng) % 5);
  // Padding bytes past k are 0xFF: a kernel reading them into its sums gives a wrong result.
  c.a.assign(c.m * c.lda, 0xFF);
  const int zero_percent = pick(rng) % 90;
  for (std::size_t i = 0; i < c.m; ++i) {
    for (std::size_t k = 0; k < c.k; ++k) {
      c.a[i * c.lda + k] =
          pick(rng) % 100 < zero_percent ? 0 : static_cast<std::uint8_t>(pick(rng) % 256);
    }
  }
  c.b.resize(c.k * c.n);
  for (auto& v : c.b) v = static_cast<std::int8_t>(pick(rng) % 256 - 128);
  return c;
}

std::vector<std::int32_t> naive(const Case& c) {
  std::vector<std::int32_t> out(c.m * c.n, 0);
  for (std::size_t i = 0; i < c.m; ++i) {
    for (std::size_t n = 0; n < c.n; ++n) {
      std::int32_t sum = 0;
      for (std::size_t k = 0; k < c.k; ++k) sum += c.a[i * c.lda + k] * c.b[k * c.n + n];
      out[i * c.n + n] = sum;
    }
  }
  return out;
}

std::vector<std::int32_t> product(const Case& c) {
  PackedInt8Matrix packed(c.k, c.n);
  for (std::size_t k = 0; k < c.k; ++k) {
    for (std::size_t n = 0; n < c.n; ++n) packed.set(k, n, c.b[k * c.n + n]);
  }
  // One sentinel column past n in c: the product must leave it alone.
  const std::size_t ldc = c.n + 1;
  std::vector<std::int32_t> wide(c.m * ldc, -7);
  int8_product(c.a.data(), c.m, c.lda, packed, wide.data(), ldc);
  std::vector<std::int32_t> out(c.m * c.n);
  for (std::size_t i = 0; i < c.m; ++i) {
    EXPECT_EQ(wide[i * ldc + c.n], -7) << "row " << i << ": column past n written";
    for (std::size_t n = 0; n < c.n; ++n) out[i * c.n + n] = wide[i * ldc + n];
  }
  return out;
}

TEST(Int8Product, MatchesNaiveProductOnBothVariants) {
  std::mt19937_64 rng(8);
  int ragged_k = 0;
  int ragged_n = 0;
  for (bool portable : {false, true}) {
    force_portable_int8_product(portable);
    if (portable) {
      EXPECT_FALSE(int8_product_uses_vnni());
    } else {
      EXPECT_EQ(int8_product_uses_vnni(), __builtin_cpu_supports("avx512vnni") != 0 &&
                                              __builtin_cpu_supports("avx512bw") != 0);
    }
    for (int trial = 0; trial < 150; ++trial) {
      const Case c = random_case(rng);
      SCOPED_TRACE(::testing::Message() << (portable ? "portable" : "vnni if present") << " m "
                                        << c.m << " k " << c.k << " n " << c.n << " lda " << c.lda);
      EXPECT_EQ(product(c), naive(c));
      ragged_k += c.k % 4 != 0 ? 1 : 0;
      ragged_n += c.n % 16 != 0 ? 1 : 0;
    }
  }
  force_portable_int8_product(false);
  EXPECT_GT(ragged_k, 0);
  EXPECT_GT(ragged_n, 0);
}

// The largest magnitudes: 255 x -128 over every k, the most negative sums the caller allows.
TEST(Int8Product, ExtremeValuesAreExact) {
  for (bool portable : {false, true}) {
    force_portable_int8_product(portable);
    Case c;
    c.m = 5;
    c.k = 1027;
    c.n = 33;
    c.lda = c.k;
    c.a.assign(c.m * c.k, 255);
    c.b.assign(c.k * c.n, -128);
    for (std::size_t n = 0; n < c.n; n += 2) c.b[n] = 127;  // row 0 of B mixes in the maximum
    const std::vector<std::int32_t> got = product(c);
    EXPECT_EQ(got, naive(c));
    EXPECT_EQ(got[1], -255 * 128 * 1027);
  }
  force_portable_int8_product(false);
}

// integer_gemm takes the int8 product for unsigned-byte inputs and, offset by 128, for
// signed-byte ones; wider inputs or weights take the 32- and 64-bit loops. Every case equals a
// naive 64-bit product.
TEST(Int8Product, IntegerGemmEqualsNaiveProductForEveryInputRange) {
  std::mt19937_64 rng(19);
  struct Range {
    std::int32_t x_lo, x_hi, w_lo, w_hi;
  };
  for (const Range& r : {Range{0, 255, -128, 127}, Range{-128, 127, -128, 127},
                         Range{0, 255, -300, 300}, Range{-5000, 70000, -128, 127}}) {
    const std::size_t t = 1 + rng() % 70;
    const std::size_t k = 1 + rng() % 300;
    const std::size_t n = 1 + rng() % 40;
    const IntMatrix x = testing::random_matrix(rng, t, k, r.x_lo, r.x_hi, 0.4);
    const IntMatrix w = testing::random_matrix(rng, k, n, r.w_lo, r.w_hi, 0.1);
    SCOPED_TRACE(::testing::Message() << "x in [" << r.x_lo << ", " << r.x_hi << "], w in ["
                                      << r.w_lo << ", " << r.w_hi << "]");
    EXPECT_EQ(integer_gemm(x, w).data, testing::integer_product(x, w).data);
  }
}

}  // namespace
}  // namespace cimsim::kernels
