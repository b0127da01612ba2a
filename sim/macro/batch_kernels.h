// The inner loops of the clipping kernel (CrossbarEngine's split path), vectorised across the
// crossbar's columns and built as AVX-512, AVX2 and baseline clones (sim/core/simd_clones.h).
// Everything is integer arithmetic, so every clone gives the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cimsim::kernels {

// Columns are padded to whole 64-byte vectors: `stride` (the row length of `cells` and of
// `sums`) is a multiple of 32 int16 or 16 int32 values.
constexpr std::size_t kVectorBytes = 64;

// One input cycle's column sums: sums[i] = sum over the n listed rows of digit_n *
// cells[row_n * stride + i], for every i < stride; `digits` null means every digit is 1
// (bit-serial inputs). Rows are added in list order. The int16 version needs every sum to fit
// 16 bits (the caller checks the column bounds).
void cycle_sums(const std::int16_t* cells, std::size_t stride, const std::uint32_t* rows,
                const std::int16_t* digits, std::size_t count, std::int16_t* sums);
void cycle_sums(const std::int32_t* cells, std::size_t stride, const std::uint32_t* rows,
                const std::int32_t* digits, std::size_t count, std::int32_t* sums);

// The DAC inputs of `count` consecutive layer inputs: driven[i] = (x[i] + offset) & mask (the
// offset 2^(A-1) of signed multi-bit inputs, else 0), values[i] = x[i] when `signed_serial`
// (the two's-complement value) else driven[i].
void drive_inputs(const std::int32_t* x, std::size_t count, std::uint32_t offset,
                  std::uint32_t mask, bool signed_serial, std::uint32_t* driven,
                  std::int32_t* values);

// The same for the layer inputs gather[0..count): driven[i] from x[gather[i]]. A loop of its own
// so that the clones gather 8 or 16 inputs per instruction (SWS crossbars' rows are spread over
// the layer's inputs, so their inputs cannot be read as one window).
void gather_inputs(const std::int32_t* x, const std::int32_t* gather, std::size_t count,
                   std::uint32_t offset, std::uint32_t mask, bool signed_serial,
                   std::uint32_t* driven, std::int32_t* values);

// For bit-serial inputs (one bit per cycle): bit r % 64 of planes[p * words + r / 64] is bit p
// of driven[r], for p < cycles (at most 32) and words = ceil(rows / 64). AVX-512F tests 16 rows
// per instruction where the CPU has it (checked at run time), else a portable loop; the planes
// are the same.
void bit_planes(const std::uint32_t* driven, std::size_t rows, int cycles, std::uint64_t* planes);

// Bit r % 64 of plane[r / 64] as byte bytes[r] (0 or 1), for r < 64 * words: a bit plane as
// the int8 product's inputs. AVX-512BW writes 64 bytes per instruction where the CPU has it.
void expand_bits(const std::uint64_t* plane, std::size_t words, std::uint8_t* bytes);

// One cycle's column sums of bit-serial inputs: sums[i] = sum over the rows r set in `plane`
// (`words` 64-bit words) of cells[r * stride + i], rows in ascending order.
void cycle_sums(const std::int16_t* cells, std::size_t stride, const std::uint64_t* plane,
                std::size_t words, std::int16_t* sums);
void cycle_sums(const std::int32_t* cells, std::size_t stride, const std::uint64_t* plane,
                std::size_t words, std::int32_t* sums);

// The same from bit planes of the cells, for crossbars with few clipping columns: sums[i] = sum
// over cell bits b of popcount(plane & cell_planes[(i * cell_bits + b) * words ...]) << b, for
// i < columns; the other entries of `sums` are left alone.
void popcount_sums(const std::uint64_t* plane, std::size_t words, const std::uint64_t* cell_planes,
                   std::size_t columns, int cell_bits, std::int16_t* sums);
void popcount_sums(const std::uint64_t* plane, std::size_t words, const std::uint64_t* cell_planes,
                   std::size_t columns, int cell_bits, std::int32_t* sums);

// The ADC of each column on one cycle's sums (AdcTransfer::convert with a power-of-two step
// 2^shift[i]): code = min((sum + half[i]) >> shift[i], max_code[i]); the converted value
// code << shift[i], shifted by the cycle's `cycle_shift`, is added to (or, for `negative`,
// subtracted from) column_acc[i]. Returns the number of clipped conversions (rounded code above
// max_code).
std::uint64_t convert_cycle(const std::int16_t* sums, std::size_t columns, const std::int32_t* half,
                            const std::int32_t* shift, const std::int32_t* max_code,
                            unsigned cycle_shift, bool negative, std::int64_t* column_acc);
std::uint64_t convert_cycle(const std::int32_t* sums, std::size_t columns, const std::int32_t* half,
                            const std::int32_t* shift, const std::int32_t* max_code,
                            unsigned cycle_shift, bool negative, std::int64_t* column_acc);

// acc[o] = sum over rows r of values[r] * weights_t[o * rows + r] (weights transposed): the exact
// product of the columns that cannot clip. The 32-bit version needs every partial sum to fit.
void weighted_sums(const std::int32_t* values, std::size_t rows, const std::int32_t* weights_t,
                   std::size_t outputs, std::int32_t* acc);
// acc[o] += values[r] * weights[r * outputs + o] over the rows with a nonzero value, in 64 bits.
void add_weighted_rows(const std::int32_t* values, std::size_t rows, const std::int64_t* weights,
                       std::size_t outputs, std::int64_t* acc);

}  // namespace cimsim::kernels
