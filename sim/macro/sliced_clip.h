// The bit-sliced clipping kernel of bit-serial crossbars that read a layer's shared input planes
// (CrossbarEngine's split path, popcount variant, sim/macro/shared_inputs.h): the per-cycle column
// sums of a block of 64 vectors, converted by each column's ADC, without transposing the inputs.
//
// Why: the popcount kernel (sim/macro/clip_kernel.h) needs each vector's bits of the crossbar's
// rows, so every crossbar of a sorted (SWS) layer transposes its gathered rows of the shared
// planes, and then counts every row of every column in every cycle. Here the shared planes are
// read as they are, eight cycles of one input in one 512-bit word (bit t of cycle p's 64 bits is
// vector t's digit), and a column's sum is counted vertically: for each cell bit, the inputs of
// the rows whose cell has that bit are added as bit-sliced binary counters (carry-save adders,
// two three-input logic operations per row), for the 8 cycles x 64 vectors at once. The sum, its
// rounding, its clipping and its code are then bit-sliced arithmetic on about ten words, and only
// the codes are spread back into each vector's lane. Rows whose cell bit is clear cost nothing.
// Integer arithmetic only: every variant gives the same numbers as the popcount kernel.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/macro/clip_kernel.h"

namespace cimsim::kernels {

// Cycles per shared input word [cycles]: the uint64 lanes of one 512-bit word.
constexpr int kSlicedCycles = 8;
// Rows per carry-save group [rows]: each list below has a multiple of this many entries.
constexpr std::size_t kSlicedGroup = 16;
// The widest ADC whose codes the kernel spreads back [bits]: sum over 8 cycles of code * 2^p stays
// within 16 bits.
constexpr int kSlicedMaxAdcBits = 8;

// The clip columns as row lists: for clip column i and cell bit b, the shared-input indices of
// the rows whose cell has bit b set are inputs[begin[i * cell_bits + b] .. begin[... + 1]), padded
// to a multiple of kSlicedGroup with index 0 (the shared form's zero input); their ADCs
// (max_code[i] = 2^bits - 1, bits at most kSlicedMaxAdcBits).
struct SlicedColumns {
  const std::uint32_t* inputs = nullptr;
  const std::uint32_t* begin = nullptr;
  std::size_t count = 0;
  int cell_bits = 0;
  ClipAdcs adc;
};

// What popcount_convert computes, read from `by_input`, the shared planes by input
// (by_input[k * kSlicedCycles + p]: bit t is bit p of vector t's digit on input k; input 0 zero):
// for every clip column i and lane t < kClipBlock, acc[i * kClipBlock + t] = sum over cycles p <
// `cycles` (at most kSlicedCycles) of sign_p * (value << p), value = min((sum + half) >> shift,
// max_code) << shift, sign_p -1 for the top cycle when `negative_top`. Returns the clipped
// conversions.
std::uint64_t sliced_clip_convert(const std::uint64_t* by_input, int cycles,
                                  const SlicedColumns& columns, bool negative_top,
                                  std::int64_t* acc);

// The digits of a crossbar's rows in a block, read as sliced_clip_convert reads them (`inputs`:
// the rows' shared-input indices, padded to a multiple of kSlicedGroup with 0): any[p], for p <
// kSlicedCycles, gets bit t set when vector t has a nonzero digit on some row in cycle p; returns
// the number of nonzero digits over the rows, cycles and vectors.
std::uint64_t sliced_row_digits(const std::uint64_t* by_input, const std::uint32_t* inputs,
                                std::size_t n, std::uint64_t* any);

// Whether sliced_clip_convert runs its AVX-512 variant on this CPU (for the tests);
// `force_portable` makes every later call take the portable loops.
[[nodiscard]] bool sliced_clip_uses_avx512();
void force_portable_sliced_clip(bool portable);

}  // namespace cimsim::kernels
