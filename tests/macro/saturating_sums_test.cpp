// The fused saturating byte sums and conversions of the bit-serial row adds
// (sim/macro/saturating_sums.h) against their definition written out here: a plain 64-bit sum
// clamped to 255, rounded, clipped and weighted by 2^cycle, with the AVX-512BW variant (where
// the CPU has it) and with the portable loop forced. Random column counts up to five 64-byte
// vectors (more than the four the AVX-512 variant keeps in registers at once), counts that are
// not whole vectors, cells up to 255 so that many sums saturate, planes of every density and
// all-zero cycles, ADC steps of 1 to 16, a negative last cycle or none, and a sentinel past the
// last column that must not be written.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "sim/macro/saturating_sums.h"

namespace cimsim::kernels {
namespace {

TEST(SaturatingSums, FusedConversionsMatchClampedSumsOnBothVariants) {
  std::mt19937_64 rng(19);
  std::uniform_int_distribution<int> pick(0, 1000);
  int saturated = 0;
  int unsaturated = 0;
  int clipped_total = 0;
  int ragged = 0;
  int negative_runs = 0;
  for (bool portable : {false, true}) {
    force_portable_saturating_sums(portable);
    EXPECT_EQ(saturating_sums_use_avx512(), !portable && __builtin_cpu_supports("avx512bw") != 0);
    for (int trial = 0; trial < 120; ++trial) {
      const std::size_t columns = 1 + static_cast<std::size_t>(pick(rng) % (5 * 64));
      const std::size_t stride =
          (columns + 63) / 64 * 64 + 64 * static_cast<std::size_t>(pick(rng) % 2);
      const std::size_t words = 1 + static_cast<std::size_t>(pick(rng) % 3);
      const int cycles = 1 + pick(rng) % 8;
      const int negative_cycle = pick(rng) % 2 == 0 ? cycles - 1 : -1;
      const int largest_cell = pick(rng) % 2 == 0 ? 15 : 255;
      std::vector<std::uint8_t> cells(words * 64 * stride);
      for (auto& cell : cells) cell = static_cast<std::uint8_t>(pick(rng) % (largest_cell + 1));
      std::vector<std::int32_t> half(columns);
      std::vector<std::int32_t> shift(columns);
      std::vector<std::int32_t> max_code(columns);
      for (std::size_t i = 0; i < columns; ++i) {
        shift[i] = pick(rng) % 5;
        half[i] = shift[i] == 0 ? 0 : 1 << (shift[i] - 1);
        max_code[i] = 1 + pick(rng) % 15;
      }
      std::vector<std::uint64_t> planes(static_cast<std::size_t>(cycles) * words, 0);
      for (int p = 0; p < cycles; ++p) {
        const int density = pick(rng) % 4 == 0 ? 0 : pick(rng) % 101;  // percent of rows set
        for (std::size_t r = 0; r < words * 64; ++r) {
          if (pick(rng) % 100 < density) {
            planes[static_cast<std::size_t>(p) * words + r / 64] |= std::uint64_t{1} << (r % 64);
          }
        }
      }
      std::vector<std::int64_t> acc(columns + 1, -7);
      const std::uint64_t clipped =
          saturating_convert(cells.data(), stride, planes.data(), words, cycles, negative_cycle,
                             columns, half.data(), shift.data(), max_code.data(), acc.data());
      SCOPED_TRACE(::testing::Message()
                   << (portable ? "portable" : "avx512 if present") << " columns " << columns
                   << " stride " << stride << " words " << words << " cycles " << cycles);
      EXPECT_EQ(acc[columns], -7) << "column past the last written";
      std::uint64_t expected_clipped = 0;
      for (std::size_t i = 0; i < columns; ++i) {
        std::int64_t expected = 0;
        for (int p = 0; p < cycles; ++p) {
          std::int64_t sum = 0;
          for (std::size_t r = 0; r < words * 64; ++r) {
            const std::uint64_t word = planes[static_cast<std::size_t>(p) * words + r / 64];
            if (((word >> (r % 64)) & 1U) != 0) sum += cells[r * stride + i];
          }
          (sum > kSaturatedSum ? saturated : unsaturated) += 1;
          const std::int64_t rounded =
              (std::min<std::int64_t>(sum, kSaturatedSum) + half[i]) >> shift[i];
          expected_clipped += rounded > max_code[i] ? 1 : 0;
          const std::int64_t value = (std::min<std::int64_t>(rounded, max_code[i]) << shift[i])
                                     << p;
          expected += p == negative_cycle ? -value : value;
        }
        ASSERT_EQ(acc[i], expected) << "column " << i;
      }
      EXPECT_EQ(clipped, expected_clipped);
      clipped_total += static_cast<int>(expected_clipped);
      ragged += columns % 16 != 0 ? 1 : 0;
      negative_runs += negative_cycle >= 0 ? 1 : 0;
    }
  }
  force_portable_saturating_sums(false);
  EXPECT_GT(saturated, 0);
  EXPECT_GT(unsaturated, 0);
  EXPECT_GT(clipped_total, 0);
  EXPECT_GT(ragged, 0);
  EXPECT_GT(negative_runs, 0);
}

}  // namespace
}  // namespace cimsim::kernels
