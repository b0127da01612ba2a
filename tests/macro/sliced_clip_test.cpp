// The bit-sliced clipping kernel (sim/macro/sliced_clip.h) against its definition written out
// here: per column, cycle and lane the sum of the listed rows' cell bits, rounded, clipped to
// the ADC's largest code and weighted by 2^cycle (the top cycle negative for signed inputs), with
// the AVX-512 variant (where the CPU has it) and with the portable loops forced. Random lists of
// 0 to 300 rows per cell bit (one to nineteen carry-save groups, so that the counters' ripple
// planes are reached), cells of 1 to 4 bits, 1 to 8 cycles, ADCs of 1 to 8 bits in both transfer
// modes, input densities from none to all (all-ones inputs with 8-bit codes and 8 cycles reach
// the ends of the 16-bit lane sums); and the rows' digit counts.
#include "sim/macro/sliced_clip.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

namespace cimsim::kernels {
namespace {

constexpr std::size_t kCycles = kSlicedCycles;

// Bit t of cycle p's word of input k (k = 0 is the zero input).
bool digit(const std::vector<std::uint64_t>& by_input, std::uint32_t k, int p, std::size_t t) {
  return ((by_input[k * kCycles + static_cast<std::size_t>(p)] >> t) & 1U) != 0;
}

// Inputs 1..inputs with the given percentage of bits set in their first `cycles` words.
std::vector<std::uint64_t> random_inputs(std::mt19937_64& rng, std::size_t inputs, int cycles,
                                         int density) {
  std::uniform_int_distribution<int> percent(0, 99);
  std::vector<std::uint64_t> by_input((inputs + 1) * kCycles, 0);
  for (std::size_t k = 1; k <= inputs; ++k) {
    for (int p = 0; p < cycles; ++p) {
      std::uint64_t word = 0;
      for (std::size_t t = 0; t < kClipBlock; ++t) {
        if (percent(rng) < density) word |= std::uint64_t{1} << t;
      }
      by_input[k * kCycles + static_cast<std::size_t>(p)] = word;
    }
  }
  return by_input;
}

// A list of `rows` random inputs in 1..inputs, padded with the zero input.
void append_list(std::mt19937_64& rng, std::size_t rows, std::size_t inputs,
                 std::vector<std::uint32_t>& list) {
  std::uniform_int_distribution<std::uint32_t> input(1, static_cast<std::uint32_t>(inputs));
  for (std::size_t r = 0; r < rows; ++r) list.push_back(input(rng));
  while (list.size() % kSlicedGroup != 0) list.push_back(0);
}

TEST(SlicedClip, ConversionsMatchTheirDefinitionOnBothVariants) {
  std::mt19937_64 rng(2410);
  std::uniform_int_distribution<int> pick(0, 1000);
  std::uint64_t clipped_total = 0;
  std::uint64_t unclipped_total = 0;
  int ripple_runs = 0;   // a list of more than 32 rows: the sixteens' counter carries
  int extreme_runs = 0;  // all inputs set, 8 cycles and 8-bit codes
  int signed_scale_runs = 0;
  for (bool portable : {false, true}) {
    force_portable_sliced_clip(portable);
    EXPECT_EQ(sliced_clip_uses_avx512(), !portable && __builtin_cpu_supports("avx512bw") != 0 &&
                                             __builtin_cpu_supports("avx512dq") != 0);
    for (int trial = 0; trial < 60; ++trial) {
      const bool extreme = trial % 10 == 0;
      const int cycles = extreme ? 8 : 1 + pick(rng) % 8;
      const int cell_bits = 1 + pick(rng) % 4;
      const std::size_t columns = 1 + static_cast<std::size_t>(pick(rng) % 6);
      const std::size_t inputs = 1 + static_cast<std::size_t>(pick(rng) % 400);
      const int density = extreme ? 100 : std::array{0, 5, 30, 60, 100}[pick(rng) % 5];
      const bool negative_top = pick(rng) % 2 == 0;
      const std::vector<std::uint64_t> by_input = random_inputs(rng, inputs, cycles, density);
      std::vector<std::uint32_t> lists;
      std::vector<std::uint32_t> begin{0};
      std::vector<std::int32_t> half(columns);
      std::vector<std::int32_t> shift(columns);
      std::vector<std::int32_t> max_code(columns);
      for (std::size_t i = 0; i < columns; ++i) {
        for (int b = 0; b < cell_bits; ++b) {
          append_list(rng, static_cast<std::size_t>(pick(rng) % 301), inputs, lists);
          begin.push_back(static_cast<std::uint32_t>(lists.size()));
          ripple_runs += begin.back() - begin[begin.size() - 2] > 32 ? 1 : 0;
        }
        const bool scale = pick(rng) % 2 == 0;
        shift[i] = scale ? pick(rng) % 6 : 0;
        half[i] = shift[i] == 0 ? 0 : 1 << (shift[i] - 1);
        const int bits = extreme ? 8 : 1 + pick(rng) % 8;
        max_code[i] = (1 << bits) - 1;
        signed_scale_runs += negative_top && shift[i] > 0 ? 1 : 0;
      }
      const SlicedColumns sliced{lists.data(),
                                 begin.data(),
                                 columns,
                                 cell_bits,
                                 {half.data(), shift.data(), max_code.data()}};
      std::vector<std::int64_t> acc(columns * kClipBlock + 1, -7);
      const std::uint64_t clipped =
          sliced_clip_convert(by_input.data(), cycles, sliced, negative_top, acc.data());
      SCOPED_TRACE(::testing::Message()
                   << (portable ? "portable" : "avx512 if present") << " trial " << trial
                   << " cycles " << cycles << " cell bits " << cell_bits << " density " << density);
      EXPECT_EQ(acc.back(), -7) << "lane past the last column written";
      std::uint64_t expected_clipped = 0;
      for (std::size_t i = 0; i < columns; ++i) {
        for (std::size_t t = 0; t < kClipBlock; ++t) {
          std::int64_t expected = 0;
          for (int p = 0; p < cycles; ++p) {
            std::int64_t sum = 0;
            for (int b = 0; b < cell_bits; ++b) {
              const std::size_t list =
                  i * static_cast<std::size_t>(cell_bits) + static_cast<std::size_t>(b);
              for (std::uint32_t e = begin[list]; e < begin[list + 1]; ++e) {
                sum += digit(by_input, lists[e], p, t) ? std::int64_t{1} << b : 0;
              }
            }
            const std::int64_t rounded = (sum + half[i]) >> shift[i];
            (rounded > max_code[i] ? expected_clipped : unclipped_total) += 1;
            const std::int64_t value = (std::min<std::int64_t>(rounded, max_code[i]) << shift[i])
                                       << p;
            expected += negative_top && p == cycles - 1 ? -value : value;
          }
          ASSERT_EQ(acc[i * kClipBlock + t], expected) << "column " << i << " lane " << t;
        }
      }
      EXPECT_EQ(clipped, expected_clipped);
      clipped_total += expected_clipped;
      extreme_runs += extreme ? 1 : 0;
    }
  }
  force_portable_sliced_clip(false);
  EXPECT_GT(clipped_total, 0U);
  EXPECT_GT(unclipped_total, 0U);
  EXPECT_GT(ripple_runs, 0);
  EXPECT_GT(extreme_runs, 0);
  EXPECT_GT(signed_scale_runs, 0);
}

TEST(SlicedClip, RowDigitsCountEveryNonzeroDigitAndMarkEachLanesCycles) {
  std::mt19937_64 rng(11298);
  std::uniform_int_distribution<int> pick(0, 1000);
  for (bool portable : {false, true}) {
    force_portable_sliced_clip(portable);
    for (int trial = 0; trial < 20; ++trial) {
      const int cycles = 1 + pick(rng) % 8;
      const std::size_t inputs = 1 + static_cast<std::size_t>(pick(rng) % 300);
      const int density = std::array{0, 1, 20, 100}[pick(rng) % 4];
      const std::vector<std::uint64_t> by_input = random_inputs(rng, inputs, cycles, density);
      std::vector<std::uint32_t> rows;
      append_list(rng, static_cast<std::size_t>(pick(rng) % 300), inputs, rows);
      std::array<std::uint64_t, kCycles> any{};
      const std::uint64_t digits =
          sliced_row_digits(by_input.data(), rows.data(), rows.size(), any.data());
      std::uint64_t expected_digits = 0;
      for (int p = 0; p < static_cast<int>(kCycles); ++p) {
        std::uint64_t expected_any = 0;
        for (std::uint32_t k : rows) {
          const std::uint64_t word = by_input[k * kCycles + static_cast<std::size_t>(p)];
          expected_any |= word;
          expected_digits += static_cast<std::uint64_t>(__builtin_popcountll(word));
        }
        EXPECT_EQ(any[static_cast<std::size_t>(p)], expected_any) << "cycle " << p;
      }
      EXPECT_EQ(digits, expected_digits) << "trial " << trial;
    }
  }
  force_portable_sliced_clip(false);
}

}  // namespace
}  // namespace cimsim::kernels
