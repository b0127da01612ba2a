// The clipping columns' per-cycle sums of bit-serial inputs in bytes that saturate at 255, for
// CrossbarEngine::run_batch_row_adds. A 1-bit DAC's digit is 0 or 1, so a cycle's sum of a
// column is the sum of its cells (at most 15 each) on the rows whose bit is set: one saturating
// byte add (VPADDUSB, 64 columns per instruction) per set bit, where the int8 product would
// multiply every row's 0/1 byte. Cells are never negative, so adding with saturation in any
// order gives exactly min(sum, 255): where every column's ADC clips below 255, that converts to
// the same code and clip count as the true sum.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cimsim::kernels {

// Columns of the byte cells are padded to whole 64-byte vectors.
constexpr std::size_t kSaturatingLanes = 64;  // columns per vector [columns]
constexpr std::int32_t kSaturatedSum = 255;   // the largest sum a byte holds

// One vector's bit-serial cycles, summed and converted: for every column i < columns (`stride`,
// the bytes per row of `cells`, a multiple of 64 and at least columns), acc[i] = sum over cycles
// p of sign_p * (min((S_p,i + half[i]) >> shift[i], max_code[i]) << shift[i]) << p, where
// S_p,i = min(255, sum of cells[r * stride + i] over the rows r set in planes[p * words,
// (p + 1) * words)) and sign_p is -1 for p == negative_cycle, else +1; the conversion is
// kernels::convert_cycle's (sim/macro/batch_kernels.h), fused with the sums so that they never
// leave the registers.
// Returns the conversions that clipped (rounded code above max_code). A cycle without a set bit
// converts to code 0 and never clips (half[i] < 2^shift[i]), so it is skipped. The caller
// guarantees that every column's codes weighted by 2^p sum within int32 (they are below 256 <<
// (cycles - 1) when the sums clip at most at 255). AVX-512BW where the CPU has it, else a
// portable loop.
std::uint64_t saturating_convert(const std::uint8_t* cells, std::size_t stride,
                                 const std::uint64_t* planes, std::size_t words, int cycles,
                                 int negative_cycle, std::size_t columns, const std::int32_t* half,
                                 const std::int32_t* shift, const std::int32_t* max_code,
                                 std::int64_t* acc);

// Whether saturating_convert runs its AVX-512BW variant (for the tests); `portable` makes every
// later call take the portable loop.
[[nodiscard]] bool saturating_sums_use_avx512();
void force_portable_saturating_sums(bool portable);

}  // namespace cimsim::kernels
