// A small feed-forward network that cimsim executes: convolutions (run on crossbars through
// im2col), dense layers (on crossbars), and the digital operations between them (bias, ReLU,
// max-pool, flatten, softmax/argmax). Tensors are float32 in HWC order, as Keras stores them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace cimsim {

enum class Activation { kLinear, kRelu, kSoftmax };

// A layer whose matrix product runs on crossbars: y = x W + b over K inputs and N outputs.
struct MatrixLayer {
  std::string name;
  std::size_t k = 0;           // inputs per vector (kh * kw * cin for a convolution)
  std::size_t n = 0;           // outputs
  std::vector<float> weights;  // K x N, row-major; for a convolution rows in (ky, kx, cin) order
  std::vector<float> bias;     // N
  Activation activation = Activation::kLinear;
};

struct NetLayer {
  enum class Kind { kConv2D, kDense, kMaxPool, kFlatten };
  Kind kind = Kind::kDense;
  MatrixLayer matrix;                          // kConv2D, kDense
  int kernel_h = 0, kernel_w = 0, stride = 1;  // kConv2D (valid padding)
  int pool_h = 0, pool_w = 0;                  // kMaxPool (stride = pool size)
};

// The shape of an activation tensor between layers: H x W x C (dense layers: 1 x 1 x C).
struct TensorShape {
  int h = 1, w = 1, c = 1;
  [[nodiscard]] std::size_t size() const {
    return static_cast<std::size_t>(h) * static_cast<std::size_t>(w) * static_cast<std::size_t>(c);
  }
};

struct Network {
  std::string name;
  TensorShape input;
  std::vector<NetLayer> layers;

  // Indices of the layers that run on crossbars, in order.
  [[nodiscard]] std::vector<std::size_t> matrix_layers() const;
};

// The rows of the im2col matrix of one image: one row of kh * kw * C inputs per output position
// of a valid convolution with the given stride. Returns the output shape.
TensorShape im2col(const float* input, const TensorShape& shape, int kernel_h, int kernel_w,
                   int stride, std::vector<float>& rows);

// Max-pool of an HWC tensor with window = stride = (pool_h, pool_w), floor mode.
TensorShape max_pool(const std::vector<float>& input, const TensorShape& shape, int pool_h,
                     int pool_w, std::vector<float>& output);

void apply_activation(std::vector<float>& values, std::size_t n, Activation activation);

// The index of the largest value (the first on ties).
[[nodiscard]] std::size_t argmax(const float* values, std::size_t n);

}  // namespace cimsim
