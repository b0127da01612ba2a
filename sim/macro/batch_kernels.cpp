#include "sim/macro/batch_kernels.h"

#include <algorithm>

#include "sim/core/simd_clones.h"

namespace cimsim::kernels {
namespace {

// Inlined into each clone below, so each gets that clone's instruction set.
template <typename S>
[[gnu::always_inline]] inline void add_digit_rows_body(const S* cells, std::size_t columns,
                                                       const std::uint32_t* driven,
                                                       std::size_t rows, int dac_bits, int cycles,
                                                       S* sums, std::uint64_t* nonzero) {
  const std::uint32_t digit_mask = (1U << dac_bits) - 1U;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint32_t value = driven[r];
    if (value == 0) continue;
    const S* __restrict row = cells + r * columns;
    if (dac_bits == 1) {
      // Bit-serial digits are 0 or 1: visit the set bits and add the row as it is.
      for (std::uint32_t bits = value; bits != 0; bits &= bits - 1) {
        const auto p = static_cast<std::size_t>(__builtin_ctz(bits));
        ++nonzero[p];
        S* __restrict sum = sums + p * columns;
        for (std::size_t i = 0; i < columns; ++i) sum[i] = static_cast<S>(sum[i] + row[i]);
      }
      continue;
    }
    for (int p = 0; p < cycles; ++p) {
      const auto digit = static_cast<S>((value >> static_cast<unsigned>(p * dac_bits)) & digit_mask);
      if (digit == 0) continue;
      ++nonzero[p];
      S* __restrict sum = sums + static_cast<std::size_t>(p) * columns;
      for (std::size_t i = 0; i < columns; ++i) sum[i] = static_cast<S>(sum[i] + digit * row[i]);
    }
  }
}

template <typename S>
[[gnu::always_inline]] inline std::uint64_t convert_cycle_body(
    const S* __restrict sums, std::size_t columns, const std::int32_t* __restrict half,
    const std::int32_t* __restrict shift, const std::int32_t* __restrict max_code,
    unsigned cycle_shift, bool negative, std::int64_t* __restrict column_acc) {
  std::int32_t clipped = 0;  // at most `columns` per call
  if (negative) {
    for (std::size_t i = 0; i < columns; ++i) {
      const std::int32_t rounded = (static_cast<std::int32_t>(sums[i]) + half[i]) >> shift[i];
      clipped += rounded > max_code[i] ? 1 : 0;
      const std::int32_t value = std::min(rounded, max_code[i]) << shift[i];
      column_acc[i] -= static_cast<std::int64_t>(value) << cycle_shift;
    }
  } else {
    for (std::size_t i = 0; i < columns; ++i) {
      const std::int32_t rounded = (static_cast<std::int32_t>(sums[i]) + half[i]) >> shift[i];
      clipped += rounded > max_code[i] ? 1 : 0;
      const std::int32_t value = std::min(rounded, max_code[i]) << shift[i];
      column_acc[i] += static_cast<std::int64_t>(value) << cycle_shift;
    }
  }
  return static_cast<std::uint64_t>(clipped);
}

template <typename A>
[[gnu::always_inline]] inline void add_weighted_rows_body(const std::int32_t* values,
                                                          std::size_t rows, const A* weights,
                                                          std::size_t outputs, A* acc) {
  for (std::size_t r = 0; r < rows; ++r) {
    const A value = values[r];
    if (value == 0) continue;
    const A* __restrict w = weights + r * outputs;
    A* __restrict a = acc;
    for (std::size_t o = 0; o < outputs; ++o) a[o] += value * w[o];
  }
}

}  // namespace

CIMSIM_SIMD_CLONES void add_digit_rows(const std::int16_t* cells, std::size_t columns,
                                       const std::uint32_t* driven, std::size_t rows, int dac_bits,
                                       int cycles, std::int16_t* sums, std::uint64_t* nonzero) {
  add_digit_rows_body(cells, columns, driven, rows, dac_bits, cycles, sums, nonzero);
}

CIMSIM_SIMD_CLONES void add_digit_rows(const std::int32_t* cells, std::size_t columns,
                                       const std::uint32_t* driven, std::size_t rows, int dac_bits,
                                       int cycles, std::int32_t* sums, std::uint64_t* nonzero) {
  add_digit_rows_body(cells, columns, driven, rows, dac_bits, cycles, sums, nonzero);
}

CIMSIM_SIMD_CLONES std::uint64_t convert_cycle(const std::int16_t* sums, std::size_t columns,
                                               const std::int32_t* half, const std::int32_t* shift,
                                               const std::int32_t* max_code, unsigned cycle_shift,
                                               bool negative, std::int64_t* column_acc) {
  return convert_cycle_body(sums, columns, half, shift, max_code, cycle_shift, negative,
                            column_acc);
}

CIMSIM_SIMD_CLONES std::uint64_t convert_cycle(const std::int32_t* sums, std::size_t columns,
                                               const std::int32_t* half, const std::int32_t* shift,
                                               const std::int32_t* max_code, unsigned cycle_shift,
                                               bool negative, std::int64_t* column_acc) {
  return convert_cycle_body(sums, columns, half, shift, max_code, cycle_shift, negative,
                            column_acc);
}

CIMSIM_SIMD_CLONES void add_weighted_rows(const std::int32_t* values, std::size_t rows,
                                          const std::int32_t* weights, std::size_t outputs,
                                          std::int32_t* acc) {
  add_weighted_rows_body(values, rows, weights, outputs, acc);
}

CIMSIM_SIMD_CLONES void add_weighted_rows(const std::int32_t* values, std::size_t rows,
                                          const std::int64_t* weights, std::size_t outputs,
                                          std::int64_t* acc) {
  add_weighted_rows_body(values, rows, weights, outputs, acc);
}

}  // namespace cimsim::kernels
