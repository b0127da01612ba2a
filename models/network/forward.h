// Forward passes of a Network over a batch of images: float32 (the reference), and quantized,
// where every matrix layer's product is computed by a caller-given function (the exact integer
// product for the integer-ideal accuracy, or the simulated crossbars).
#pragma once

#include <functional>
#include <vector>

#include "models/network/network.h"
#include "sim/mapping/int_matrix.h"

namespace cimsim {

// Quantization of one matrix layer (crossbar-model.md section 1).
struct LayerQuantization {
  IntMatrix weights;                  // K x N
  std::vector<double> weight_scales;  // s_w per output
  double input_scale = 1.0;           // s_x, calibrated on training images
  bool input_signed = false;
  int input_bits = 8;
};

// ordinal: index among the matrix layers; x: T x K quantized inputs -> T x N integer products.
using MatmulFn = std::function<WideMatrix(std::size_t ordinal, const IntMatrix& x)>;

// Observes the float input activations of each matrix layer (for calibration).
using InputObserver = std::function<void(std::size_t ordinal, const std::vector<float>& values)>;

// One matrix layer in float: rows (T x K) * W + b, T x N; deterministic whatever the threads.
[[nodiscard]] std::vector<float> float_matrix_product(const MatrixLayer& m,
                                                      const std::vector<float>& rows,
                                                      std::size_t t);

// One matrix layer quantized: the rows (T x K) are quantized with q's input scale and range, the
// integer product comes from matmul(ordinal, x), and y = s_x * s_w[n] * y_int + bias[n].
[[nodiscard]] std::vector<float> quantized_matrix_product(const MatrixLayer& m,
                                                          const LayerQuantization& q,
                                                          const std::vector<float>& rows,
                                                          std::size_t t, std::size_t ordinal,
                                                          const MatmulFn& matmul);

// One matrix layer's product within a forward pass: (ordinal, layer, rows T x K, T) -> T x N.
using LayerProduct = std::function<std::vector<float>(
    std::size_t ordinal, const MatrixLayer& m, const std::vector<float>& rows, std::size_t t)>;
// The float product of every network's float pass; `observe`, when given, sees each layer's input.
[[nodiscard]] LayerProduct float_product(const InputObserver& observe);
// The quantized product of every network's quantized pass (quantized_matrix_product with the
// layer's quantization and `matmul`); `quant` and `matmul` must outlive it.
[[nodiscard]] LayerProduct quantized_product(const std::vector<LayerQuantization>& quant,
                                             const MatmulFn& matmul);

// Logits (count x classes) of the float32 network on `count` images (each net.input.size()
// floats, HWC).
[[nodiscard]] std::vector<float> forward_float(const Network& net, const std::vector<float>& images,
                                               std::size_t count,
                                               const InputObserver& observe = nullptr);

// Logits of the quantized network: inputs to each matrix layer are quantized with its
// calibrated scale, the product comes from `matmul`, and y = s_x * s_w[n] * y_int + bias[n].
[[nodiscard]] std::vector<float> forward_quantized(const Network& net,
                                                   const std::vector<LayerQuantization>& quant,
                                                   const std::vector<float>& images,
                                                   std::size_t count, const MatmulFn& matmul);

// Number of input vectors one image puts through each matrix layer (output positions of a
// convolution, 1 for a dense layer).
[[nodiscard]] std::vector<std::uint64_t> vectors_per_image(const Network& net);

}  // namespace cimsim
