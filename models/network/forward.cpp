#include "models/network/forward.h"

#include <algorithm>
#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "sim/core/simd_clones.h"
#include "sim/mapping/quantize.h"

namespace cimsim {
namespace {

// Rows [begin, end) of y = x * W + b in float. Each output's sum adds the nonzero x[k] * w[k][n]
// in increasing k, in every instruction-set clone and for any thread count, so the float
// reference is deterministic. Outputs are computed in tiles of kTileRows rows by kTileCols
// columns held in registers across the whole k loop (16 AVX-512 registers), so each weight row
// is loaded once per tile instead of once per row and no partial sum goes to memory; the tiles
// change which outputs are computed side by side, never the order of any output's additions.
constexpr std::size_t kTileRows = 4;
constexpr std::size_t kTileCols = 64;

CIMSIM_SIMD_CLONES void float_tile(const MatrixLayer& m, const float* rows, float* out,
                                   std::size_t i0, std::size_t n0) {
  float acc[kTileRows][kTileCols];
  for (std::size_t r = 0; r < kTileRows; ++r) {
    for (std::size_t c = 0; c < kTileCols; ++c) acc[r][c] = m.bias[n0 + c];
  }
  for (std::size_t k = 0; k < m.k; ++k) {
    const float* __restrict w = m.weights.data() + k * m.n + n0;
    for (std::size_t r = 0; r < kTileRows; ++r) {
      const float xk = rows[(i0 + r) * m.k + k];
      if (xk == 0.0F) continue;  // ReLU outputs are mostly zero; skipping adds nothing
      for (std::size_t c = 0; c < kTileCols; ++c) acc[r][c] += xk * w[c];
    }
  }
  for (std::size_t r = 0; r < kTileRows; ++r) {
    std::copy(acc[r], acc[r] + kTileCols, out + (i0 + r) * m.n + n0);
  }
}

// Rows [begin, end), outputs [n_begin, m.n), one row at a time: the edges the tiles leave, with
// the same order of additions.
CIMSIM_SIMD_CLONES void float_edge(const MatrixLayer& m, const float* rows, float* out,
                                   std::size_t begin, std::size_t end, std::size_t n_begin) {
  for (std::size_t i = begin; i < end; ++i) {
    float* __restrict y = out + i * m.n;
    std::copy(m.bias.begin() + static_cast<long>(n_begin), m.bias.end(), y + n_begin);
    const float* x = rows + i * m.k;
    for (std::size_t k = 0; k < m.k; ++k) {
      const float xk = x[k];
      if (xk == 0.0F) continue;
      const float* __restrict w = m.weights.data() + k * m.n;
      for (std::size_t n = n_begin; n < m.n; ++n) y[n] += xk * w[n];
    }
  }
}

void float_rows(const MatrixLayer& m, const float* rows, float* out, std::size_t begin,
                std::size_t end) {
  const std::size_t tiled_rows = begin + (end - begin) / kTileRows * kTileRows;
  const std::size_t tiled_cols = m.n / kTileCols * kTileCols;
  for (std::size_t i = begin; i < tiled_rows; i += kTileRows) {
    for (std::size_t n0 = 0; n0 < tiled_cols; n0 += kTileCols) float_tile(m, rows, out, i, n0);
  }
  if (tiled_cols < m.n) float_edge(m, rows, out, begin, tiled_rows, tiled_cols);
  float_edge(m, rows, out, tiled_rows, end, 0);
}

// quantize_input over a span. A clone per instruction set lets GCC vectorize the division,
// floor and clamp (the baseline x86-64 build calls libm's floor per element: a tenth of an
// exact run's time); every element's expression is unchanged, so the codes are the same in
// every clone.
CIMSIM_SIMD_CLONES void quantize_span(const float* in, std::int32_t* out, std::size_t count,
                                      double scale, InputCodeRange codes) {
  for (std::size_t i = 0; i < count; ++i) out[i] = quantize_input(in[i], scale, codes);
}

// One row of a layer's integer outputs back to real values: (input scale * weight scale) * y +
// bias in double, as before. x86-64-v4 is the widest clone as int64 -> double needs AVX-512DQ.
CIMSIM_SIMD_CLONES_BW void dequantize_row(const std::int64_t* y, const LayerQuantization& q,
                                          const MatrixLayer& m, float* out) {
  for (std::size_t n = 0; n < m.n; ++n) {
    out[n] = static_cast<float>(q.input_scale * q.weight_scales[n] * static_cast<double>(y[n]) +
                                m.bias[n]);
  }
}

// Runs the network over a batch; `product` computes one matrix layer from its float input rows.
template <typename Product>
std::vector<float> run_layers(const Network& net, const std::vector<float>& images,
                              std::size_t count, Product&& product) {
  std::vector<float> act = images;
  TensorShape shape = net.input;
  std::size_t ordinal = 0;
  std::vector<float> rows;
  std::vector<float> scratch;
  for (const NetLayer& layer : net.layers) {
    switch (layer.kind) {
      case NetLayer::Kind::kConv2D: {
        TensorShape out;
        const std::size_t per_image = shape.size();
        std::vector<float> all_rows;
        for (std::size_t i = 0; i < count; ++i) {
          out = im2col(act.data() + i * per_image, shape, layer.kernel_h, layer.kernel_w,
                       layer.stride, rows);
          if (i == 0) all_rows.reserve(count * rows.size());  // every image gives as many rows
          all_rows.insert(all_rows.end(), rows.begin(), rows.end());
        }
        act = product(ordinal++, layer.matrix, all_rows,
                      count * static_cast<std::size_t>(out.h * out.w));
        apply_activation(act, layer.matrix.n, layer.matrix.activation);
        shape = {out.h, out.w, static_cast<int>(layer.matrix.n)};
        break;
      }
      case NetLayer::Kind::kDense:
        act = product(ordinal++, layer.matrix, act, count);
        apply_activation(act, layer.matrix.n, layer.matrix.activation);
        shape = {1, 1, static_cast<int>(layer.matrix.n)};
        break;
      case NetLayer::Kind::kMaxPool: {
        std::vector<float> pooled;
        TensorShape out;
        for (std::size_t i = 0; i < count; ++i) {
          const std::vector<float> one(act.begin() + static_cast<long>(i * shape.size()),
                                       act.begin() + static_cast<long>((i + 1) * shape.size()));
          out = max_pool(one, shape, layer.pool_h, layer.pool_w, scratch);
          pooled.insert(pooled.end(), scratch.begin(), scratch.end());
        }
        act = std::move(pooled);
        shape = out;
        break;
      }
      case NetLayer::Kind::kFlatten:  // HWC is already the flattened order
        shape = {1, 1, static_cast<int>(shape.size())};
        break;
    }
  }
  return act;
}

}  // namespace

std::vector<float> float_matrix_product(const MatrixLayer& m, const std::vector<float>& rows,
                                        std::size_t t) {
  std::vector<float> out(t * m.n);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, t, 32),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      float_rows(m, rows.data(), out.data(), range.begin(), range.end());
                    });
  return out;
}

std::vector<float> quantized_matrix_product(const MatrixLayer& m, const LayerQuantization& q,
                                            const std::vector<float>& rows, std::size_t t,
                                            std::size_t ordinal, const MatmulFn& matmul) {
  const InputCodeRange codes = input_code_range(q.input_bits, q.input_signed);
  // Both element-wise passes run in parallel; each element's expression is the same as
  // on one thread, so the results do not depend on the thread count.
  IntMatrix x(t, m.k);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, x.data.size(), 16384),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      quantize_span(rows.data() + range.begin(), x.data.data() + range.begin(),
                                    range.size(), q.input_scale, codes);
                    });
  const WideMatrix y = matmul(ordinal, x);
  std::vector<float> out(t * m.n);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, t, 256),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      for (std::size_t i = range.begin(); i < range.end(); ++i) {
                        dequantize_row(y.row(i), q, m, out.data() + i * m.n);
                      }
                    });
  return out;
}

LayerProduct float_product(const InputObserver& observe) {
  return [observe](std::size_t ordinal, const MatrixLayer& m, const std::vector<float>& rows,
                   std::size_t t) {
    if (observe) observe(ordinal, rows);
    return float_matrix_product(m, rows, t);
  };
}

LayerProduct quantized_product(const std::vector<LayerQuantization>& quant,
                               const MatmulFn& matmul) {
  return [&quant, &matmul](std::size_t ordinal, const MatrixLayer& m,
                           const std::vector<float>& rows, std::size_t t) {
    return quantized_matrix_product(m, quant[ordinal], rows, t, ordinal, matmul);
  };
}

std::vector<float> forward_float(const Network& net, const std::vector<float>& images,
                                 std::size_t count, const InputObserver& observe) {
  return run_layers(net, images, count, float_product(observe));
}

std::vector<float> forward_quantized(const Network& net,
                                     const std::vector<LayerQuantization>& quant,
                                     const std::vector<float>& images, std::size_t count,
                                     const MatmulFn& matmul) {
  return run_layers(net, images, count, quantized_product(quant, matmul));
}

std::vector<std::uint64_t> vectors_per_image(const Network& net) {
  std::vector<std::uint64_t> out;
  TensorShape shape = net.input;
  for (const NetLayer& layer : net.layers) {
    if (layer.kind == NetLayer::Kind::kConv2D) {
      shape = {(shape.h - layer.kernel_h) / layer.stride + 1,
               (shape.w - layer.kernel_w) / layer.stride + 1, static_cast<int>(layer.matrix.n)};
      out.push_back(static_cast<std::uint64_t>(shape.h * shape.w));
    } else if (layer.kind == NetLayer::Kind::kDense) {
      shape = {1, 1, static_cast<int>(layer.matrix.n)};
      out.push_back(1);
    } else if (layer.kind == NetLayer::Kind::kMaxPool) {
      shape = {shape.h / layer.pool_h, shape.w / layer.pool_w, shape.c};
    }
  }
  return out;
}

}  // namespace cimsim
