// The batched clipping kernel of bit-serial crossbars with few clipping columns (CrossbarEngine's
// split path, popcount variant): the per-cycle column sums of a whole block of vectors as
// AND-and-popcount of bit planes, converted by each column's ADC in the same pass. One call per
// block of vectors and not one per vector and cycle: the vectors of the block are the SIMD lanes,
// so each cell plane word is loaded once for the block and AVX-512 VPOPCNTQ counts eight planes
// per instruction where the CPU has it (checked at run time; a portable loop otherwise). Integer
// arithmetic only: every variant gives the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cimsim::kernels {

// Vectors per block [vectors]: the lanes of the popcount loops (a multiple of 8, the uint64 lanes
// of one AVX-512 register); 64 keeps one column's block of sums (64 x 8 B) in L1.
constexpr std::size_t kClipBlock = 64;

// The clip columns' ADCs, per column: the rounding offset, step exponent and largest code
// (AdcTransfer::convert with a power-of-two step 2^shift[i]).
struct ClipAdcs {
  const std::int32_t* half = nullptr;
  const std::int32_t* shift = nullptr;
  const std::int32_t* max_code = nullptr;
};

// The clip columns: cell bit planes [column][cell bit][word], and their ADCs.
struct ClipColumns {
  const std::uint64_t* cell_planes = nullptr;
  std::size_t count = 0;
  int cell_bits = 0;
  ClipAdcs adc;
};

// For every clip column i and vector t < kClipBlock: the shifted sum over bit-serial cycles p of
// that column's converted value, acc[i * kClipBlock + t] = sum_p sign_p * (value << p), where the
// column sum of cycle p is sum_b popcount(plane & cells) << b over `words` words of the input
// plane planes[(p * words + w) * kClipBlock + t], code = min((sum + half) >> shift, max_code),
// value = code << shift, and sign_p is -1 for the top cycle of two's-complement inputs
// (`negative_top`), else +1. Returns the number of clipped conversions (rounded code above
// max_code). A cycle whose plane is zero converts to code 0 and never clips, so a skipped cycle
// or an unused lane (all planes zero) adds nothing. Likewise a word of an input plane that is
// zero in all the block's lanes (post-ReLU inputs leave the top bits mostly clear) adds nothing
// to any sum: such (cycle, word) planes are found once per call and skipped for every column,
// and a cycle with none left is not converted at all; `dead_planes`, when given, gets their
// number added.
std::uint64_t popcount_convert(const std::uint64_t* planes, int cycles, std::size_t words,
                               const ClipColumns& columns, bool negative_top, std::int64_t* acc,
                               std::uint64_t* dead_planes = nullptr);

// Whether popcount_convert runs its AVX-512 VPOPCNTQ variant on this CPU (for the tests and the
// benchmarks); `force_portable` makes every later call take the portable loop.
[[nodiscard]] bool popcount_convert_uses_avx512();
void force_portable_popcount_convert(bool portable);

}  // namespace cimsim::kernels
