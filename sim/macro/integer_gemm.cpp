#include "sim/macro/integer_gemm.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "sim/core/simd_clones.h"
#include "sim/macro/int8_product.h"

namespace cimsim {
namespace {

struct ValueRange {
  std::int32_t lo = 0;
  std::int32_t hi = 0;
};

// A plain loop, so that each clone vectorises it (std::minmax_element does not).
CIMSIM_SIMD_CLONES ValueRange value_range(const std::vector<std::int32_t>& values) {
  std::int32_t lo = 0;
  std::int32_t hi = 0;
  for (std::int32_t v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}

std::int64_t largest_magnitude(const ValueRange& range) {
  return std::max(std::llabs(range.lo), std::llabs(range.hi));
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

// The int8 product's view of x (T x K) * w: inputs as unsigned bytes, offset by `input_offset`
// (128 for inputs in [-128, 127], else 0), and w packed as signed bytes; the offset's share,
// input_offset * (column sum of w), comes off each output again.
struct Int8Plan {
  std::int32_t input_offset = 0;
  kernels::PackedInt8Matrix packed;
  std::vector<std::int64_t> offset_share;  // per output n
};

// Whether x * w runs as the int8 product: only with VNNI (the portable int8 loop is no faster
// than multiply_rows_narrow, which skips zero inputs just as well), w within a signed byte, x
// within an unsigned or a signed byte, and the offset inputs' worst case within int32.
bool fits_int8(const ValueRange& x, const ValueRange& w, std::size_t k_count,
               std::int32_t& input_offset) {
  if (!kernels::int8_product_uses_vnni()) return false;
  if (w.lo < -128 || w.hi > 127) return false;
  if (x.lo >= 0 && x.hi <= 255) {
    input_offset = 0;
  } else if (x.lo >= -128 && x.hi <= 127) {
    input_offset = 128;
  } else {
    return false;
  }
  return static_cast<double>(k_count) * 255.0 * 128.0 < 2147483647.0;
}

Int8Plan plan_int8(const IntMatrix& w, std::int32_t input_offset) {
  Int8Plan plan;
  plan.input_offset = input_offset;
  plan.packed = kernels::PackedInt8Matrix(w.data.data(), w.rows, w.cols);
  plan.offset_share.assign(w.cols, 0);
  if (input_offset == 0) return plan;
  for (std::size_t k = 0; k < w.rows; ++k) {
    for (std::size_t n = 0; n < w.cols; ++n) {
      plan.offset_share[n] += std::int64_t{input_offset} * w.at(k, n);
    }
  }
  return plan;
}

// y = x * w for rows [begin, end) through the int8 product.
void multiply_rows_int8(const IntMatrix& x, const Int8Plan& plan, WideMatrix& y, std::size_t begin,
                        std::size_t end) {
  const std::size_t count = end - begin;
  const std::size_t k_count = x.cols;
  const std::size_t n_count = plan.packed.cols();
  std::vector<std::uint8_t> bytes(count * k_count);
  for (std::size_t i = 0; i < count * k_count; ++i) {
    bytes[i] = static_cast<std::uint8_t>(x.data[begin * k_count + i] + plan.input_offset);
  }
  std::vector<std::int32_t> sums(count * n_count);
  kernels::int8_product(bytes.data(), count, k_count, plan.packed, sums.data(), n_count);
  for (std::size_t t = 0; t < count; ++t) {
    for (std::size_t n = 0; n < n_count; ++n) {
      y.at(begin + t, n) = sums[t * n_count + n] - plan.offset_share[n];
    }
  }
}

}  // namespace

WideMatrix integer_gemm(const IntMatrix& x, const IntMatrix& w) {
  WideMatrix y(x.rows, w.cols);
  const ValueRange x_range = value_range(x.data);
  const ValueRange w_range = value_range(w.data);
  std::int32_t input_offset = 0;
  if (fits_int8(x_range, w_range, x.cols, input_offset)) {
    const Int8Plan plan = plan_int8(w, input_offset);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, x.rows, 64),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        multiply_rows_int8(x, plan, y, range.begin(), range.end());
                      });
    return y;
  }
  const double worst = static_cast<double>(x.cols) *
                       static_cast<double>(largest_magnitude(x_range)) *
                       static_cast<double>(largest_magnitude(w_range));
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
