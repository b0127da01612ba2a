#include "models/network/keras_network.h"

#include "sim/core/errors.h"

namespace cimsim {
namespace {

Activation activation_of(const KerasLayer& layer) {
  if (layer.activation == "relu") return Activation::kRelu;
  if (layer.activation == "softmax") return Activation::kSoftmax;
  if (layer.activation == "linear" || layer.activation.empty()) return Activation::kLinear;
  throw DataError("layer '" + layer.name + "': activation '" + layer.activation +
                  "' is not supported (relu, softmax, linear)");
}

MatrixLayer matrix_of(const KerasLayer& layer, std::size_t k, std::size_t n) {
  MatrixLayer m;
  m.name = layer.name;
  m.k = k;
  m.n = n;
  const KerasTensor& kernel = layer.tensor("kernel");
  if (kernel.data.size() != k * n) {
    throw DataError("layer '" + layer.name + "': kernel has " + std::to_string(kernel.data.size()) +
                    " values, expected " + std::to_string(k) + " x " + std::to_string(n));
  }
  m.weights = kernel.data;  // Keras layouts flatten to exactly K x N in (ky, kx, cin) order
  m.bias = layer.use_bias ? layer.tensor("bias").data : std::vector<float>(n, 0.0F);
  m.activation = activation_of(layer);
  return m;
}

}  // namespace

Network network_from_keras(const KerasModel& model, const std::string& name,
                           const TensorShape& input) {
  Network net;
  net.name = name;
  net.input = input;
  TensorShape shape = input;
  for (const KerasLayer& layer : model.layers) {
    NetLayer out;
    if (layer.class_name == "Conv2D") {
      if (layer.padding != "valid") {
        throw DataError("layer '" + layer.name + "': only valid padding is supported");
      }
      out.kind = NetLayer::Kind::kConv2D;
      out.kernel_h = layer.kernel_size[0];
      out.kernel_w = layer.kernel_size[1];
      out.stride = layer.strides[0];
      out.matrix = matrix_of(layer, static_cast<std::size_t>(out.kernel_h) * out.kernel_w * shape.c,
                             static_cast<std::size_t>(layer.filters));
      shape = {(shape.h - out.kernel_h) / out.stride + 1, (shape.w - out.kernel_w) / out.stride + 1,
               layer.filters};
    } else if (layer.class_name == "MaxPooling2D") {
      out.kind = NetLayer::Kind::kMaxPool;
      out.pool_h = layer.pool_size[0];
      out.pool_w = layer.pool_size[1];
      shape = {shape.h / out.pool_h, shape.w / out.pool_w, shape.c};
    } else if (layer.class_name == "Flatten") {
      out.kind = NetLayer::Kind::kFlatten;
      shape = {1, 1, static_cast<int>(shape.size())};
    } else if (layer.class_name == "Dense") {
      out.kind = NetLayer::Kind::kDense;
      out.matrix = matrix_of(layer, shape.size(), static_cast<std::size_t>(layer.units));
      shape = {1, 1, layer.units};
    } else {
      throw DataError("layer '" + layer.name + "': " + layer.class_name + " is not supported");
    }
    net.layers.push_back(std::move(out));
  }
  return net;
}

}  // namespace cimsim
