// The inner loops of the clipping kernel (CrossbarEngine's split path), vectorised across the
// crossbar's columns and built as AVX-512, AVX2 and baseline clones (sim/core/simd_clones.h).
// Everything is integer arithmetic, so every clone gives the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cimsim::kernels {

// Per-cycle column sums of one input vector: for every row r whose driven value has a nonzero
// digit d in cycle p, sums[p * columns + i] += d * cells[r * columns + i] for each column i.
// `nonzero[p]` counts the rows with a nonzero digit in cycle p. Neither array is cleared here.
// The int16 version needs every per-cycle sum to fit 16 bits (the caller checks the bound).
void add_digit_rows(const std::int16_t* cells, std::size_t columns, const std::uint32_t* driven,
                    std::size_t rows, int dac_bits, int cycles, std::int16_t* sums,
                    std::uint64_t* nonzero);
void add_digit_rows(const std::int32_t* cells, std::size_t columns, const std::uint32_t* driven,
                    std::size_t rows, int dac_bits, int cycles, std::int32_t* sums,
                    std::uint64_t* nonzero);

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

// acc[o] += value_r * weights[r * outputs + o] over the rows with a nonzero value: the exact
// product of the columns that cannot clip. The 32-bit version needs every partial sum to fit.
void add_weighted_rows(const std::int32_t* values, std::size_t rows, const std::int32_t* weights,
                       std::size_t outputs, std::int32_t* acc);
void add_weighted_rows(const std::int32_t* values, std::size_t rows, const std::int64_t* weights,
                       std::size_t outputs, std::int64_t* acc);

}  // namespace cimsim::kernels
