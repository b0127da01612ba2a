// The saturating byte sums of the bit-serial row adds (sim/macro/saturating_sums.h) against a
// plain 64-bit sum clamped to 255, with the AVX-512BW variant (where the CPU has it) and with
// the portable loop forced: random column counts up to five 64-byte vectors (more than the four
// the AVX-512 variant keeps in registers at once), counts that are not whole vectors, cells up
// to 255 so that many sums saturate, planes of every density, and a sentinel past the last
// column that must not be written.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "sim/macro/saturating_sums.h"

namespace cimsim::kernels {
namespace {

TEST(SaturatingSums, MatchClampedSumsOnBothVariants) {
  std::mt19937_64 rng(19);
  std::uniform_int_distribution<int> pick(0, 1000);
  int saturated = 0;
  int unsaturated = 0;
  int ragged = 0;
  for (bool portable : {false, true}) {
    force_portable_saturating_sums(portable);
    EXPECT_EQ(saturating_sums_use_avx512(), !portable && __builtin_cpu_supports("avx512bw") != 0);
    for (int trial = 0; trial < 120; ++trial) {
      const std::size_t columns = 1 + static_cast<std::size_t>(pick(rng) % (5 * 64));
      const std::size_t stride =
          (columns + 63) / 64 * 64 + 64 * static_cast<std::size_t>(pick(rng) % 2);
      const std::size_t words = 1 + static_cast<std::size_t>(pick(rng) % 3);
      const int largest_cell = pick(rng) % 2 == 0 ? 15 : 255;
      std::vector<std::uint8_t> cells(words * 64 * stride);
      for (auto& cell : cells) cell = static_cast<std::uint8_t>(pick(rng) % (largest_cell + 1));
      const int density = pick(rng) % 101;  // percent of rows set
      std::vector<std::uint64_t> plane(words, 0);
      for (std::size_t r = 0; r < words * 64; ++r) {
        if (pick(rng) % 100 < density) plane[r / 64] |= std::uint64_t{1} << (r % 64);
      }
      std::vector<std::int32_t> sums(columns + 1, -7);
      saturating_plane_sums(cells.data(), stride, plane.data(), words, columns, sums.data());
      SCOPED_TRACE(::testing::Message()
                   << (portable ? "portable" : "avx512 if present") << " columns " << columns
                   << " stride " << stride << " words " << words << " density " << density);
      EXPECT_EQ(sums[columns], -7) << "column past the last written";
      for (std::size_t i = 0; i < columns; ++i) {
        std::int64_t sum = 0;
        for (std::size_t r = 0; r < words * 64; ++r) {
          if (((plane[r / 64] >> (r % 64)) & 1U) != 0) sum += cells[r * stride + i];
        }
        ASSERT_EQ(sums[i], std::min<std::int64_t>(sum, kSaturatedSum)) << "column " << i;
        (sum > kSaturatedSum ? saturated : unsaturated) += 1;
      }
      ragged += columns % 16 != 0 ? 1 : 0;
    }
  }
  force_portable_saturating_sums(false);
  EXPECT_GT(saturated, 0);
  EXPECT_GT(unsaturated, 0);
  EXPECT_GT(ragged, 0);
}

}  // namespace
}  // namespace cimsim::kernels
