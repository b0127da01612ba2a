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

// sums[i] = min(255, sum over the rows r set in plane[0, words) of cells[r * stride + i]) for
// i < columns, where `stride` (bytes per row of `cells`) is a multiple of 64 and columns <=
// stride. AVX-512BW where the CPU has it (checked once at run time), else a portable loop.
void saturating_plane_sums(const std::uint8_t* cells, std::size_t stride,
                           const std::uint64_t* plane, std::size_t words, std::size_t columns,
                           std::int32_t* sums);

// Whether saturating_plane_sums runs its AVX-512BW variant (for the tests); `portable` makes
// every later call take the portable loop.
[[nodiscard]] bool saturating_sums_use_avx512();
void force_portable_saturating_sums(bool portable);

}  // namespace cimsim::kernels
