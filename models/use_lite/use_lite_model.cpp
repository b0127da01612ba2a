#include "models/use_lite/use_lite_model.h"

#include <cmath>

#include "sim/core/errors.h"

namespace cimsim {
namespace {

using DType = GraphTensor::DType;

const std::string kEncode = "module_apply_default/Encoder_en/KonaTransformer/Encode/";
const std::string kStack = kEncode + "TransformerStack/";
const std::string kKernels = "module/Encoder_en/KonaTransformer/Encode/";
constexpr const char* kConcat = "/ConcatPartitions/concat";

std::vector<float> floats(const GraphWeights& w, const std::string& name,
                          const std::vector<std::size_t>& shape) {
  return w.get(name, DType::kFloat32, shape).floats;
}

float scalar(const GraphWeights& w, const std::string& name) {
  return w.get(name, DType::kFloat32, {}).floats[0];
}

std::int32_t int_scalar(const GraphWeights& w, const std::string& name) {
  return w.get(name, DType::kInt32, {}).ints[0];
}

UseMatrix matrix(const GraphWeights& w, const char* short_name, const std::string& kernel,
                 std::vector<std::size_t> kernel_shape, const std::string& bias) {
  UseMatrix m;
  m.name = short_name;
  m.k = kernel_shape[kernel_shape.size() - 2];
  m.n = kernel_shape.back();
  m.weights = floats(w, kernel, kernel_shape);  // [1, 1, K, N] 1x1 convolutions are K x N too
  m.bias = floats(w, bias, {m.n});
  return m;
}

UseLayerNorm layer_norm(const GraphWeights& w, const std::string& prefix, std::size_t dim) {
  UseLayerNorm norm;
  norm.scale = floats(w, prefix + "layer_norm_scale" + kConcat, {dim});
  norm.bias = floats(w, prefix + "layer_norm_bias" + kConcat, {dim});
  norm.epsilon = scalar(w, kStack +
                               "Layer_1/TransformerLayer/FFN/layer_prepostprocess/"
                               "layer_norm/Cast/x");
  return norm;
}

// One transformer layer: its matrices go to `out` at the given indices.
UseTransformerLayer transformer_layer(const GraphWeights& w, int index, std::size_t d_in,
                                      std::size_t d_model, const std::size_t (&slots)[4],
                                      std::array<UseMatrix, kUseMatrixCount>& out) {
  const std::string name = "Layer_" + std::to_string(index);
  const std::string layer = kEncode + name + "/TransformerLayer/";
  const std::string stack = kStack + name + "/TransformerLayer/";
  const std::string kernels = kKernels + name + "/TransformerLayer/";
  const std::string prefix = "layer" + std::to_string(index) + "_";
  UseTransformerLayer t;
  t.attention_norm = layer_norm(w, layer + "layer_prepostprocess/layer_norm/", d_in);
  t.ffn_norm = layer_norm(w, layer + "FFN/layer_prepostprocess/layer_norm/", d_model);
  // split_heads reshapes the last dimension to [heads, head_dim]; the graph folds the heads of
  // one layer and keeps the head size as a constant.
  const std::int32_t head_dim =
      int_scalar(w, stack + "MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3");
  const std::size_t attention_dim = index == 0 ? d_in : d_model;
  if (head_dim <= 0 || attention_dim % static_cast<std::size_t>(head_dim) != 0) {
    throw DataError(w.model_file.string() + ": " + name + " head size " + std::to_string(head_dim) +
                    " does not divide " + std::to_string(attention_dim));
  }
  t.head_dim = static_cast<std::size_t>(head_dim);
  t.heads = attention_dim / t.head_dim;
  t.query_scale = scalar(w, stack + "MultiheadAttention/mul/y");
  const std::vector<std::int32_t>& split =
      w.get(stack + "MultiheadAttention/Const", DType::kInt32, {3}).ints;
  for (std::int32_t part : split) {
    if (static_cast<std::size_t>(part) != attention_dim) {
      throw DataError(w.model_file.string() + ": " + name +
                      " splits its QKV projection unevenly; expected three parts of " +
                      std::to_string(attention_dim));
    }
  }
  t.qkv = slots[0];
  t.attention_output = slots[1];
  t.ffn1 = slots[2];
  t.ffn2 = slots[3];
  out[t.qkv] = matrix(w, (prefix + "qkv").c_str(),
                      kernels + "MultiheadAttention/qkv_transform_single/kernel/part_0",
                      {1, 1, d_in, 3 * attention_dim},
                      layer + "MultiheadAttention/qkv_transform_single/bias" + kConcat);
  out[t.attention_output] =
      matrix(w, (prefix + "attention_output").c_str(),
             kernels + "MultiheadAttention/output_transform_single/kernel/part_0",
             {1, 1, attention_dim, d_model},
             layer + "MultiheadAttention/output_transform_single/bias" + kConcat);
  out[t.ffn1] = matrix(w, (prefix + "ffn1").c_str(), stack + "FFN/conv1/Tensordot/Reshape_1",
                       {d_model, 3 * d_model}, layer + "FFN/conv1/bias" + kConcat);
  out[t.ffn2] = matrix(w, (prefix + "ffn2").c_str(), stack + "FFN/conv2/Tensordot/Reshape_1",
                       {3 * d_model, d_model}, layer + "FFN/conv2/bias" + kConcat);
  return t;
}

}  // namespace

std::size_t UseLiteModel::matrix_weight_count() const {
  std::size_t count = 0;
  for (const UseMatrix& m : matrices) count += m.weights.size();
  return count;
}

UseLiteModel use_lite_from_weights(const GraphWeights& w) {
  constexpr std::size_t kModel = 512;  // the transformer's width after Layer_0
  UseLiteModel model;
  model.graph_weights = w.element_count();
  model.embeddings =
      floats(w, "module/Embeddings_en", {UseLiteModel::kVocabulary, UseLiteModel::kEmbeddingDim});
  model.timing_timescales = floats(w, kStack + "Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1",
                                   {1, UseLiteModel::kEmbeddingDim / 2});
  model.layers[0] = transformer_layer(
      w, 0, UseLiteModel::kEmbeddingDim, kModel,
      {kLayer0Qkv, kLayer0AttentionOutput, kLayer0Ffn1, kLayer0Ffn2}, model.matrices);
  model.layers[0].residual = kLayer0ResidualDense;
  model.matrices[kLayer0ResidualDense] = matrix(
      w, "layer0_residual_dense", kEncode + "Layer_0/TransformerLayer/dense/kernel" + kConcat,
      {UseLiteModel::kEmbeddingDim, kModel},
      kEncode + "Layer_0/TransformerLayer/dense/bias" + kConcat);
  model.layers[1] = transformer_layer(
      w, 1, kModel, kModel, {kLayer1Qkv, kLayer1AttentionOutput, kLayer1Ffn1, kLayer1Ffn2},
      model.matrices);
  model.matrices[kTanhProjection] =
      matrix(w, "tanh_projection", "module/Encoder_en/hidden_layers/tanh_layer_0/weights",
             {kModel, kModel}, "module/Encoder_en/hidden_layers/tanh_layer_0/bias");
  model.l2_floor =
      scalar(w, "module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y");
  return model;
}

const Sha256Manifest& use_lite_sha256() {
  static const Sha256Manifest kHashes{
      {"model.json", "507d11df18b070f99e0ad650b9a4e6534a4cfb05040127e8ce579f00c8fa3b53"},
      {"group1-shard1of7", "8775e61b6a4235ea230a62a0d81f1ff00f5213ce86baa5d89c29e611f8cd7412"},
      {"group1-shard2of7", "deaf897e5eea5be6c71ea62876a092034560b6f6fbc99c87a768076385a465bd"},
      {"group1-shard3of7", "50ee49b0daf620cf0cacda2f5fcc0da5929f4a3e520034844b6f8d9f3f4ec936"},
      {"group1-shard4of7", "c1a50daae51e7c6e1e904f5d8d638a8658a0a1d310b9345cd7a368866304d596"},
      {"group1-shard5of7", "410cde3029282e5f601c782985cbb5caa96977f6705dec981c98dd02e93fec6b"},
      {"group1-shard6of7", "83ef116b2b98dc98e03547280ca0166142fbf6b4547bf1d9e6d13a8f518c088b"},
      {"group1-shard7of7", "a29a5e08ee3afd839250b9187b89f1d3163749b5b1807bb175341a16c6012689"},
      {"vocab.json", "1ad860b9720c16cd48e666d664a556b2515c04f5a26a4b53c0372427913b1b8e"},
  };
  return kHashes;
}

UseLiteModel load_use_lite(const std::filesystem::path& dir) {
  return use_lite_from_weights(load_graph_weights(dir, &use_lite_sha256()));
}

}  // namespace cimsim
