#include "models/network/network.h"

#include <algorithm>
#include <cmath>

namespace cimsim {

std::vector<std::size_t> Network::matrix_layers() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].kind == NetLayer::Kind::kConv2D || layers[i].kind == NetLayer::Kind::kDense) {
      out.push_back(i);
    }
  }
  return out;
}

TensorShape im2col(const float* input, const TensorShape& shape, int kernel_h, int kernel_w,
                   int stride, std::vector<float>& rows) {
  TensorShape out;
  out.h = (shape.h - kernel_h) / stride + 1;
  out.w = (shape.w - kernel_w) / stride + 1;
  const std::size_t k = static_cast<std::size_t>(kernel_h) * kernel_w * shape.c;
  rows.resize(static_cast<std::size_t>(out.h * out.w) * k);
  float* row = rows.data();
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int ky = 0; ky < kernel_h; ++ky) {
        const float* source = input + (static_cast<std::size_t>(oy * stride + ky) * shape.w +
                                       static_cast<std::size_t>(ox * stride)) *
                                          static_cast<std::size_t>(shape.c);
        const std::size_t span = static_cast<std::size_t>(kernel_w) * shape.c;
        std::copy(source, source + span, row);
        row += span;
      }
    }
  }
  return out;
}

TensorShape max_pool(const std::vector<float>& input, const TensorShape& shape, int pool_h,
                     int pool_w, std::vector<float>& output) {
  TensorShape out{shape.h / pool_h, shape.w / pool_w, shape.c};
  output.assign(out.size(), -INFINITY);
  for (int y = 0; y < out.h * pool_h; ++y) {
    for (int x = 0; x < out.w * pool_w; ++x) {
      for (int c = 0; c < shape.c; ++c) {
        float& slot =
            output[(static_cast<std::size_t>(y / pool_h) * out.w + x / pool_w) * shape.c + c];
        slot = std::max(slot, input[(static_cast<std::size_t>(y) * shape.w + x) * shape.c + c]);
      }
    }
  }
  return out;
}

void apply_activation(std::vector<float>& values, std::size_t n, Activation activation) {
  if (activation == Activation::kRelu) {
    for (float& v : values) v = std::max(v, 0.0F);
  } else if (activation == Activation::kSoftmax) {
    for (std::size_t row = 0; row + n <= values.size(); row += n) {
      const float top = *std::max_element(values.begin() + static_cast<long>(row),
                                          values.begin() + static_cast<long>(row + n));
      float sum = 0.0F;
      for (std::size_t j = row; j < row + n; ++j) sum += values[j] = std::exp(values[j] - top);
      for (std::size_t j = row; j < row + n; ++j) values[j] /= sum;
    }
  }
}

std::size_t argmax(const float* values, std::size_t n) {
  return static_cast<std::size_t>(std::max_element(values, values + n) - values);
}

}  // namespace cimsim
