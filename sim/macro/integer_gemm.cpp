#include "sim/macro/integer_gemm.h"

#include <algorithm>
#include <cstdlib>
#include <type_traits>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

namespace cimsim {
namespace {

std::int64_t largest_magnitude(const std::vector<std::int32_t>& values) {
  std::int64_t largest = 0;
  for (std::int32_t v : values) largest = std::max<std::int64_t>(largest, std::llabs(v));
  return largest;
}

// y += x * w for rows [begin, end); Acc is the accumulator type of the inner loop.
template <typename Acc>
void multiply_rows(const IntMatrix& x, const IntMatrix& w, WideMatrix& y, std::size_t begin,
                   std::size_t end) {
  std::vector<Acc> row(w.cols);
  std::vector<Acc> widened;
  const Acc* weights = nullptr;
  if constexpr (std::is_same_v<Acc, std::int32_t>) {
    weights = w.data.data();
  } else {
    widened.assign(w.data.begin(), w.data.end());
    weights = widened.data();
  }
  for (std::size_t t = begin; t < end; ++t) {
    std::fill(row.begin(), row.end(), 0);
    const std::int32_t* input = x.row(t);
    for (std::size_t k = 0; k < x.cols; ++k) {
      const Acc value = input[k];
      if (value == 0) continue;  // ReLU outputs are mostly zero
      const Acc* w_row = weights + k * w.cols;
      for (std::size_t n = 0; n < w.cols; ++n) row[n] += value * w_row[n];
    }
    std::copy(row.begin(), row.end(), y.data.begin() + static_cast<long>(t * w.cols));
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
                        multiply_rows<std::int32_t>(x, w, y, range.begin(), range.end());
                      } else {
                        multiply_rows<std::int64_t>(x, w, y, range.begin(), range.end());
                      }
                    });
  return y;
}

}  // namespace cimsim
