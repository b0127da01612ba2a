// The exact integer product y = x (T x K) * w (K x N): the integer-ideal reference of every
// accuracy figure and the result of a layer whose crossbars cannot clip, round or overflow.
#pragma once

#include "sim/mapping/int_matrix.h"

namespace cimsim {

// Rows of x in parallel; 32-bit accumulation whenever the worst case fits, else 64-bit.
[[nodiscard]] WideMatrix integer_gemm(const IntMatrix& x, const IntMatrix& w);

}  // namespace cimsim
