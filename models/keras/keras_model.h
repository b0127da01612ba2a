// Keras Sequential models saved for TensorFlow.js (a model.json with the Keras topology and a
// weightsManifest, plus raw little-endian float32 shards), such as the pretrained MNIST CNN of
// npm mnist-react-tfjs@0.1.1 that scripts/setup.sh fetches into <data dir>/mnist-cnn. A shard
// whose manifest path ends in ".gz" holds the same bytes gzip-compressed (not a TF.js feature:
// the project's fine-tuned pruned CNNs in models/mnist_cnn/ use it, since their zeros compress).
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "models/model_file.h"  // Sha256Manifest

namespace cimsim {

struct KerasTensor {
  std::string name;                // "conv2d_1/kernel"
  std::vector<std::size_t> shape;  // Keras layouts: conv [kh, kw, cin, cout], dense [in, out]
  std::vector<float> data;         // C order

  [[nodiscard]] std::size_t size() const { return data.size(); }
};

struct KerasLayer {
  std::string name;                  // "conv2d_1"
  std::string class_name;            // Conv2D, MaxPooling2D, Flatten or Dense
  int filters = 0;                   // Conv2D
  int units = 0;                     // Dense
  std::array<int, 2> kernel_size{};  // Conv2D
  std::array<int, 2> pool_size{};    // MaxPooling2D
  std::array<int, 2> strides{1, 1};  // Conv2D, MaxPooling2D
  std::string padding;               // Conv2D, MaxPooling2D: "valid" or "same"
  std::string activation;            // Conv2D, Dense: "relu", "softmax", "linear", ...
  bool use_bias = false;             // Conv2D, Dense
  std::vector<int> input_shape;      // batch_input_shape without the batch, when the file has it
  std::vector<KerasTensor> tensors;  // in manifest order: kernel, then bias

  // The tensor named <layer>/<suffix> ("kernel" or "bias"); DataError if the layer has none.
  [[nodiscard]] const KerasTensor& tensor(std::string_view suffix) const;
};

struct KerasModel {
  // In order. Dropout layers are left out: they are the identity at inference.
  std::vector<KerasLayer> layers;

  [[nodiscard]] std::size_t parameter_count() const;
};

// Loads <dir>/model.json and its shards, checking each file (as stored: a ".gz" shard's
// compressed bytes) against `expected`: a file that is not listed or whose hash differs is a
// DataError, as are missing shards, a ".gz" shard that is not gzip or is corrupt or truncated,
// shards whose size (decompressed) is not what the manifest's tensors need, dtypes other than
// float32, quantized weights, layers other than Conv2D, MaxPooling2D, Flatten, Dense and
// Dropout, and tensors whose shape does not match their layer's config.
[[nodiscard]] KerasModel load_keras_model(const std::filesystem::path& dir,
                                          const Sha256Manifest& expected);

// The same without hash checks, for models the project writes itself.
[[nodiscard]] KerasModel load_keras_model_unverified(const std::filesystem::path& dir);

// The hashes of mnist-react-tfjs@0.1.1's build/assets (scripts/data.sha256, mnist-cnn/).
[[nodiscard]] const Sha256Manifest& mnist_cnn_sha256();

// load_keras_model(dir, mnist_cnn_sha256()); dir is default_data_dir() / "mnist-cnn" normally.
[[nodiscard]] KerasModel load_mnist_cnn(const std::filesystem::path& dir);

}  // namespace cimsim
