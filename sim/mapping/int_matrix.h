// Dense row-major integer matrices: quantized weights (K x N) and inputs (T x K).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cimsim {

template <typename T>
struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<T> data;

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), data(r * c) {}
  T& at(std::size_t r, std::size_t c) { return data[r * cols + c]; }
  [[nodiscard]] const T& at(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
  [[nodiscard]] const T* row(std::size_t r) const { return data.data() + r * cols; }
};

using IntMatrix = Matrix<std::int32_t>;
using WideMatrix = Matrix<std::int64_t>;

}  // namespace cimsim
