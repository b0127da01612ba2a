#include "sim/macro/clip_kernel.h"

#include <algorithm>
#include <vector>

#include "sim/core/kernel_variant.h"

namespace cimsim::kernels {
namespace {

// The input planes of a block that are not zero in every lane: the only ones that add to a sum.
// words[begin[p], begin[p + 1]) are cycle p's live words; a cycle with none converts every lane
// to code 0, never clips and adds nothing, so it is left out altogether.
struct LivePlanes {
  std::vector<std::uint32_t> words;  // word indices w, cycle by cycle
  std::vector<std::uint32_t> begin;  // [cycle], cycles + 1 entries
};

LivePlanes live_planes(const std::uint64_t* planes, int cycles, std::size_t words) {
  LivePlanes live;
  live.begin.reserve(static_cast<std::size_t>(cycles) + 1);
  for (std::size_t p = 0; p < static_cast<std::size_t>(cycles); ++p) {
    live.begin.push_back(static_cast<std::uint32_t>(live.words.size()));
    for (std::size_t w = 0; w < words; ++w) {
      const std::uint64_t* lane = planes + (p * words + w) * kClipBlock;
      std::uint64_t any = 0;
      for (std::size_t t = 0; t < kClipBlock; ++t) any |= lane[t];
      if (any != 0) live.words.push_back(static_cast<std::uint32_t>(w));
    }
  }
  live.begin.push_back(static_cast<std::uint32_t>(live.words.size()));
  return live;
}

// Written once per column and cycle, read per lane: GCC vectorises the loops over the block's
// vectors (kClipBlock lanes) in each variant below.
[[gnu::always_inline]] inline std::uint64_t popcount_convert_body(
    const std::uint64_t* planes, int cycles, std::size_t words, const LivePlanes& live,
    const ClipColumns& columns, bool negative_top, std::int64_t* acc) {
  const auto cell_bits = static_cast<std::size_t>(columns.cell_bits);
  std::uint64_t clipped = 0;
  for (std::size_t i = 0; i < columns.count; ++i) {
    std::int64_t* __restrict column_acc = acc + i * kClipBlock;
    std::fill(column_acc, column_acc + kClipBlock, 0);
    const std::int64_t half = columns.adc.half[i];
    const std::int64_t shift = columns.adc.shift[i];
    const std::int64_t max_code = columns.adc.max_code[i];
    for (int p = 0; p < cycles; ++p) {
      const std::uint32_t live_begin = live.begin[static_cast<std::size_t>(p)];
      const std::uint32_t live_end = live.begin[static_cast<std::size_t>(p) + 1];
      if (live_begin == live_end) continue;
      std::int64_t sums[kClipBlock] = {};
      for (std::size_t b = 0; b < cell_bits; ++b) {
        const std::uint64_t* cells = columns.cell_planes + (i * cell_bits + b) * words;
        for (std::uint32_t k = live_begin; k < live_end; ++k) {
          const std::size_t w = live.words[k];
          const std::uint64_t cell_word = cells[w];
          if (cell_word == 0) continue;
          const std::uint64_t* __restrict lane =
              planes + (static_cast<std::size_t>(p) * words + w) * kClipBlock;
          for (std::size_t t = 0; t < kClipBlock; ++t) {
            sums[t] += static_cast<std::int64_t>(__builtin_popcountll(lane[t] & cell_word)) << b;
          }
        }
      }
      const bool negative = negative_top && p == cycles - 1;
      const std::int64_t sign = negative ? -1 : 1;
      std::int64_t cycle_clipped = 0;
      for (std::size_t t = 0; t < kClipBlock; ++t) {
        const std::int64_t rounded = (sums[t] + half) >> shift;
        cycle_clipped += rounded > max_code ? 1 : 0;
        column_acc[t] += sign * ((std::min(rounded, max_code) << shift) << p);
      }
      clipped += static_cast<std::uint64_t>(cycle_clipped);
    }
  }
  return clipped;
}

std::uint64_t popcount_convert_portable(const std::uint64_t* planes, int cycles, std::size_t words,
                                        const LivePlanes& live, const ClipColumns& columns,
                                        bool negative_top, std::int64_t* acc) {
  return popcount_convert_body(planes, cycles, words, live, columns, negative_top, acc);
}

#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vpopcntdq"))) std::uint64_t
popcount_convert_avx512(const std::uint64_t* planes, int cycles, std::size_t words,
                        const LivePlanes& live, const ClipColumns& columns, bool negative_top,
                        std::int64_t* acc) {
  return popcount_convert_body(planes, cycles, words, live, columns, negative_top, acc);
}
#endif

KernelVariant& variant() {
  static KernelVariant kernel_variant{CpuFeature::kAvx512Vpopcntdq, CpuFeature::kAvx512Bw,
                                      CpuFeature::kAvx512Vl, CpuFeature::kAvx512Dq};
  return kernel_variant;
}

}  // namespace

bool popcount_convert_uses_avx512() { return variant().wide(); }

void force_portable_popcount_convert(bool portable) { variant().force_portable(portable); }

std::uint64_t popcount_convert(const std::uint64_t* planes, int cycles, std::size_t words,
                               const ClipColumns& columns, bool negative_top, std::int64_t* acc,
                               std::uint64_t* dead_planes) {
  const LivePlanes live = live_planes(planes, cycles, words);
  if (dead_planes != nullptr) {
    *dead_planes += static_cast<std::uint64_t>(cycles) * words - live.words.size();
  }
#if defined(__GNUC__) && defined(__x86_64__)
  if (popcount_convert_uses_avx512()) {
    return popcount_convert_avx512(planes, cycles, words, live, columns, negative_top, acc);
  }
#endif

  return popcount_convert_portable(planes, cycles, words, live, columns, negative_top, acc);
}

}  // namespace cimsim::kernels
