// The shared input forms of gathering crossbars (sim/macro/shared_inputs.h): each bit and value
// where its contract puts it (bit planes by cycle and by input, built by both variants of the
// transpose, values), and the bit-matrix
// transpose they are read through, in both of its variants.
#include "sim/macro/shared_inputs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

#include "sim/core/errors.h"
#include "tests/test_util.h"

namespace cimsim {
namespace {

TEST(SharedInputPlanes, EveryBitAndValueSitsInItsInputAndLane) {
  std::mt19937_64 rng(77);
  for (int run = 0; run < 4; ++run) {
    const bool input_signed = run % 2 == 1;
    const bool portable = run >= 2;  // the planes are built by the transpose's variants
    kernels::force_portable_transpose(portable);
    const int input_bits = 6;
    const std::int32_t lo = input_signed ? -32 : 0;
    const std::int32_t hi = input_signed ? 31 : 63;
    // 37 vectors (lanes 37-63 unused) of 150 inputs: three tiles, the last partial.
    const IntMatrix x = testing::random_matrix(rng, 37, 150, lo, hi, 0.3);
    SharedInputPlanes shared(x, {input_bits, input_signed});
    ASSERT_EQ(shared.tiles(), 3U);
    for (std::size_t tile = 0; tile < shared.tiles(); ++tile) shared.fill(tile);
    for (std::size_t k = 0; k < x.cols; ++k) {
      for (std::size_t t = 0; t < SharedInputPlanes::kLanes; ++t) {
        const std::int32_t value = t < x.rows ? x.at(t, k) : 0;
        const auto driven = static_cast<std::uint32_t>(value) & 63U;
        EXPECT_EQ(shared.values()[k * SharedInputPlanes::kLanes + t],
                  input_signed ? value : static_cast<std::int32_t>(driven));
        for (int p = 0; p < kernels::kSlicedCycles; ++p) {
          const std::uint64_t bit = p < input_bits ? (driven >> p) & 1U : 0U;
          if (p < input_bits) {
            EXPECT_EQ((shared.planes(p)[k] >> t) & 1U, bit)
                << "input " << k << " lane " << t << " cycle " << p;
          }
          const std::uint64_t word = shared.planes_by_input()[(k + 1) * kernels::kSlicedCycles +
                                                              static_cast<std::size_t>(p)];
          EXPECT_EQ((word >> t) & 1U, bit)
              << "by input: input " << k << " lane " << t << " cycle " << p;
        }
      }
    }
    for (int p = 0; p < kernels::kSlicedCycles; ++p) {
      EXPECT_EQ(shared.planes_by_input()[p], 0U) << "the zero input, cycle " << p;
    }
    // Built alone, each form is the same, and the forms not asked for are not there.
    const SerialDrive drive{input_bits, input_signed};
    SharedInputPlanes by_cycle(x, drive, {true, false, false});
    SharedInputPlanes by_input(x, drive, {false, true, true});
    for (std::size_t tile = 0; tile < shared.tiles(); ++tile) {
      by_cycle.fill(tile);
      by_input.fill(tile);
    }
    EXPECT_EQ(by_cycle.planes_by_input(), nullptr);
    EXPECT_EQ(by_cycle.values(), nullptr);
    for (int p = 0; p < input_bits; ++p) {
      EXPECT_TRUE(std::equal(shared.planes(p), shared.planes(p) + x.cols, by_cycle.planes(p)));
    }
    const std::size_t words = (x.cols + 1) * kernels::kSlicedCycles;
    EXPECT_TRUE(std::equal(shared.planes_by_input(), shared.planes_by_input() + words,
                           by_input.planes_by_input()));
    EXPECT_TRUE(std::equal(shared.values(), shared.values() + x.cols * SharedInputPlanes::kLanes,
                           by_input.values()));
  }
  kernels::force_portable_transpose(false);
  // Inputs of more cycles than the bit-sliced kernel reads have no form by input.
  const IntMatrix wide = testing::random_matrix(rng, 3, 10, 0, 511, 0.3);
  EXPECT_EQ(SharedInputPlanes(wide, {9, false}).planes_by_input(), nullptr);
  EXPECT_THROW(SharedInputPlanes(IntMatrix(65, 3), SerialDrive{4, false}), RuntimeError);
}

TEST(TransposeBits64, BothVariantsMoveBitCOfWordRToBitROfWordCAndCountEachWord) {
  std::mt19937_64 rng(64);
  for (bool portable : {false, true}) {
    kernels::force_portable_transpose(portable);
    EXPECT_EQ(kernels::transpose_bits64_uses_gfni(),
              !portable && __builtin_cpu_supports("avx512vbmi") != 0 &&
                  __builtin_cpu_supports("gfni") != 0 &&
                  __builtin_cpu_supports("avx512vpopcntdq") != 0);
    for (int trial = 0; trial < 50; ++trial) {
      std::array<std::uint64_t, 64> words{};
      for (auto& word : words) word = rng() & rng();  // a quarter of the bits set
      std::array<std::uint64_t, 64> expected{};
      for (std::size_t r = 0; r < 64; ++r) {
        for (std::size_t c = 0; c < 64; ++c) {
          if (((words[r] >> c) & 1U) != 0) expected[c] |= std::uint64_t{1} << r;
        }
      }
      std::array<std::uint64_t, 64> counts{};
      counts.fill(5);  // counts are added to
      kernels::transpose_bits64(words.data(), counts.data());
      ASSERT_EQ(words, expected) << (portable ? "portable" : "gfni if present");
      for (std::size_t c = 0; c < 64; ++c) {
        ASSERT_EQ(counts[c], 5U + static_cast<std::uint64_t>(__builtin_popcountll(expected[c])));
      }
    }
  }
  kernels::force_portable_transpose(false);
}

}  // namespace
}  // namespace cimsim
