// Helpers shared by the tests: random quantized matrices and the reference integer product.
#pragma once

#include <cstdint>
#include <random>

#include "sim/mapping/int_matrix.h"

namespace cimsim::testing {

// A rows x cols matrix of integers uniform in [lo, hi], each zeroed with probability `sparsity`.
inline IntMatrix random_matrix(std::mt19937_64& rng, std::size_t rows, std::size_t cols,
                               std::int32_t lo, std::int32_t hi, double sparsity = 0.0) {
  IntMatrix m(rows, cols);
  std::uniform_int_distribution<std::int32_t> value(lo, hi);
  std::bernoulli_distribution zero(sparsity);
  for (auto& v : m.data) v = zero(rng) ? 0 : value(rng);
  return m;
}

// y = x (T x K) * w (K x N), exactly.
inline WideMatrix integer_product(const IntMatrix& x, const IntMatrix& w) {
  WideMatrix y(x.rows, w.cols);
  for (std::size_t t = 0; t < x.rows; ++t) {
    for (std::size_t k = 0; k < x.cols; ++k) {
      const std::int64_t xv = x.at(t, k);
      for (std::size_t n = 0; n < w.cols; ++n) y.at(t, n) += xv * w.at(k, n);
    }
  }
  return y;
}

}  // namespace cimsim::testing
