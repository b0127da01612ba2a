#include "sim/macro/integer_gemm.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "sim/core/simd_clones.h"

namespace cimsim {
namespace {

std::int64_t largest_magnitude(const std::vector<std::int32_t>& values) {
  std::int64_t largest = 0;
  for (std::int32_t v : values) largest = std::max<std::int64_t>(largest, std::llabs(v));
  return largest;
}

// y += x * w for rows [begin, end), accumulating in 32 bits (the caller checked the worst case
// fits). Four input rows share each pass over a weight row, so a weight row is loaded once per
// four rows and the four accumulator rows stay in L1.
CIMSIM_SIMD_CLONES void multiply_rows_narrow(const IntMatrix& x, const IntMatrix& w, WideMatrix& y,
                                             std::size_t begin, std::size_t end) {
  const std::size_t n_count = w.cols;
  std::vector<std::int32_t> rows(4 * n_count);
  for (std::size_t t = begin; t < end; t += 4) {
    const std::size_t block = std::min<std::size_t>(4, end - t);
    std::fill(rows.begin(), rows.end(), 0);
    for (std::size_t k = 0; k < x.cols; ++k) {
      const std::int32_t* __restrict w_row = w.data.data() + k * n_count;
      for (std::size_t b = 0; b < block; ++b) {
        const std::int32_t value = x.row(t + b)[k];
        if (value == 0) continue;  // ReLU outputs are mostly zero
        std::int32_t* __restrict acc = rows.data() + b * n_count;
        for (std::size_t n = 0; n < n_count; ++n) acc[n] += value * w_row[n];
      }
    }
    for (std::size_t b = 0; b < block; ++b) {
      std::copy(rows.begin() + static_cast<long>(b * n_count),
                rows.begin() + static_cast<long>((b + 1) * n_count),
                y.data.begin() + static_cast<long>((t + b) * n_count));
    }
  }
}

// The same in 64 bits, for products whose worst case exceeds int32 (wide weights or inputs).
CIMSIM_SIMD_CLONES void multiply_rows_wide(const IntMatrix& x, const IntMatrix& w, WideMatrix& y,
                                           std::size_t begin, std::size_t end) {
  const std::size_t n_count = w.cols;
  const std::vector<std::int64_t> widened(w.data.begin(), w.data.end());
  std::vector<std::int64_t> row(n_count);
  for (std::size_t t = begin; t < end; ++t) {
    std::fill(row.begin(), row.end(), 0);
    const std::int32_t* input = x.row(t);
    for (std::size_t k = 0; k < x.cols; ++k) {
      const std::int64_t value = input[k];
      if (value == 0) continue;
      const std::int64_t* __restrict w_row = widened.data() + k * n_count;
      std::int64_t* __restrict acc = row.data();
      for (std::size_t n = 0; n < n_count; ++n) acc[n] += value * w_row[n];
    }
    std::copy(row.begin(), row.end(), y.data.begin() + static_cast<long>(t * n_count));
  }
}

}  // namespace

WideMatrix integer_gemm(const IntMatrix& x, const IntMatrix& w) {
  WideMatrix y(x.rows, w.cols);
  const double worst = static_cast<double>(x.cols) *
                       static_cast<double>(largest_magnitude(x.data)) *
                       static_cast<double>(largest_magnitude(w.data));
  const bool narrow = worst < 2147483647.0;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, x.rows, 64),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      if (narrow) {
                        multiply_rows_narrow(x, w, y, range.begin(), range.end());
                      } else {
                        multiply_rows_wide(x, w, y, range.begin(), range.end());
                      }
                    });
  return y;
}

}  // namespace cimsim
