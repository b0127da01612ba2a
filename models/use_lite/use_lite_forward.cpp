#include "models/use_lite/use_lite_forward.h"

#include <algorithm>
#include <cmath>

#include "sim/core/errors.h"

namespace cimsim {
namespace {

// y (rows x N) += bias per column.
void add_bias(std::vector<float>& y, const std::vector<float>& bias) {
  const std::size_t n = bias.size();
  for (std::size_t i = 0; i < y.size(); ++i) y[i] += bias[i % n];
}

std::vector<float> layer_norm(const std::vector<float>& x, const UseLayerNorm& norm) {
  const std::size_t d = norm.scale.size();
  std::vector<float> out(x.size());
  for (std::size_t row = 0; row < x.size() / d; ++row) {
    const float* in = &x[row * d];
    double mean = 0.0;
    for (std::size_t i = 0; i < d; ++i) mean += in[i];
    mean /= static_cast<double>(d);
    double variance = 0.0;
    for (std::size_t i = 0; i < d; ++i) variance += (in[i] - mean) * (in[i] - mean);
    variance /= static_cast<double>(d);
    const double inv = 1.0 / std::sqrt(variance + norm.epsilon);
    for (std::size_t i = 0; i < d; ++i) {
      out[row * d + i] = static_cast<float>(norm.scale[i] * (in[i] - mean) * inv + norm.bias[i]);
    }
  }
  return out;
}

// Multi-head self-attention of each sentence's tokens over the split QKV projection
// (rows x 3D: queries, keys, values): rows x D context vectors, heads side by side.
std::vector<float> attention(const std::vector<float>& qkv, const std::vector<std::size_t>& starts,
                             const UseTransformerLayer& layer) {
  const std::size_t d = layer.heads * layer.head_dim;
  const std::size_t rows = qkv.size() / (3 * d);
  std::vector<float> context(rows * d, 0.0F);
  std::vector<double> weights;
  for (std::size_t s = 0; s + 1 < starts.size(); ++s) {
    const std::size_t first = starts[s];
    const std::size_t length = starts[s + 1] - first;
    weights.resize(length);
    for (std::size_t h = 0; h < layer.heads; ++h) {
      const std::size_t offset = h * layer.head_dim;
      for (std::size_t i = 0; i < length; ++i) {
        const float* q = &qkv[(first + i) * 3 * d + offset];
        double largest = -INFINITY;
        for (std::size_t j = 0; j < length; ++j) {
          const float* k = &qkv[(first + j) * 3 * d + d + offset];
          double dot = 0.0;
          for (std::size_t e = 0; e < layer.head_dim; ++e) {
            dot += static_cast<double>(q[e] * layer.query_scale) * k[e];
          }
          weights[j] = dot;
          largest = std::max(largest, dot);
        }
        double sum = 0.0;
        for (double& w : weights) {
          w = std::exp(w - largest);
          sum += w;
        }
        float* out = &context[(first + i) * d + offset];
        for (std::size_t j = 0; j < length; ++j) {
          const float* v = &qkv[(first + j) * 3 * d + 2 * d + offset];
          const double p = weights[j] / sum;
          for (std::size_t e = 0; e < layer.head_dim; ++e) out[e] += static_cast<float>(p * v[e]);
        }
      }
    }
  }
  return context;
}

void add(std::vector<float>& a, const std::vector<float>& b) {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
}

// The matrix `index` applied with the caller's product, plus its bias.
std::vector<float> apply(const UseLiteModel& model, const UseMatrixProduct& product,
                         std::size_t index, const std::vector<float>& x) {
  const UseMatrix& m = model.matrices[index];
  std::vector<float> y = product(index, x, x.size() / m.k);
  if (y.size() != (x.size() / m.k) * m.n) {
    throw RuntimeError("matrix " + m.name + ": the product returned " + std::to_string(y.size()) +
                       " values, expected " + std::to_string((x.size() / m.k) * m.n));
  }
  add_bias(y, m.bias);
  return y;
}

// One transformer layer: pre-norm attention and FFN, each with a residual sum.
std::vector<float> transformer_layer(const UseLiteModel& model, const UseTransformerLayer& layer,
                                     const std::vector<float>& x,
                                     const std::vector<std::size_t>& starts,
                                     const UseMatrixProduct& product) {
  std::vector<float> residual =
      layer.residual < kUseMatrixCount ? apply(model, product, layer.residual, x) : x;
  const std::vector<float> qkv =
      apply(model, product, layer.qkv, layer_norm(x, layer.attention_norm));
  std::vector<float> y =
      apply(model, product, layer.attention_output, attention(qkv, starts, layer));
  add(y, residual);
  std::vector<float> hidden = apply(model, product, layer.ffn1, layer_norm(y, layer.ffn_norm));
  for (float& v : hidden) v = std::max(v, 0.0F);  // FFN/conv1/Relu
  add(y, apply(model, product, layer.ffn2, hidden));
  return y;
}

}  // namespace

UseMatrixProduct float_product(const UseLiteModel& model) {
  return [&model](std::size_t index, const std::vector<float>& x, std::size_t rows) {
    const UseMatrix& m = model.matrices[index];
    std::vector<float> y(rows * m.n, 0.0F);
    for (std::size_t r = 0; r < rows; ++r) {
      float* out = &y[r * m.n];
      for (std::size_t k = 0; k < m.k; ++k) {
        const float a = x[r * m.k + k];
        if (a == 0.0F) continue;
        const float* w = &m.weights[k * m.n];
        for (std::size_t n = 0; n < m.n; ++n) out[n] += a * w[n];
      }
    }
    return y;
  };
}

std::vector<float> encode_sentences(const UseLiteModel& model,
                                    const std::vector<std::vector<int>>& sentences,
                                    const UseMatrixProduct& product) {
  constexpr std::size_t kDim = UseLiteModel::kEmbeddingDim;
  constexpr std::size_t kHalf = kDim / 2;
  std::vector<std::size_t> starts{0};
  std::vector<float> x;
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    if (sentences[s].empty()) throw DataError("sentence " + std::to_string(s) + " has no tokens");
    const std::size_t length = std::min(sentences[s].size(), UseLiteModel::kMaxTokens);
    for (std::size_t position = 0; position < length; ++position) {
      const int id = sentences[s][position];
      if (id < 0 || static_cast<std::size_t>(id) >= UseLiteModel::kVocabulary) {
        throw DataError("sentence " + std::to_string(s) + ": token id " + std::to_string(id) +
                        " is outside the vocabulary of " +
                        std::to_string(UseLiteModel::kVocabulary));
      }
      // Embedding row plus the sinusoidal timing signal: sin in the first half, cos in the
      // second, of position x inverse timescale.
      for (std::size_t i = 0; i < kDim; ++i) {
        const double angle = static_cast<double>(position) * model.timing_timescales[i % kHalf];
        x.push_back(model.embeddings[static_cast<std::size_t>(id) * kDim + i] +
                    static_cast<float>(i < kHalf ? std::sin(angle) : std::cos(angle)));
      }
    }
    starts.push_back(starts.back() + length);
  }
  for (const UseTransformerLayer& layer : model.layers) {
    x = transformer_layer(model, layer, x, starts, product);
  }
  // Mean over each sentence's tokens, then the tanh projection and L2 normalization.
  const std::size_t width = model.matrices[kTanhProjection].k;
  std::vector<float> pooled(sentences.size() * width, 0.0F);
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    for (std::size_t t = starts[s]; t < starts[s + 1]; ++t) {
      for (std::size_t i = 0; i < width; ++i) pooled[s * width + i] += x[t * width + i];
    }
    const auto length = static_cast<float>(starts[s + 1] - starts[s]);
    for (std::size_t i = 0; i < width; ++i) pooled[s * width + i] /= length;
  }
  std::vector<float> out = apply(model, product, kTanhProjection, pooled);
  const std::size_t n = model.matrices[kTanhProjection].n;
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    double squares = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      float& v = out[s * n + i];
      v = std::tanh(v);
      squares += static_cast<double>(v) * v;
    }
    const double inv = 1.0 / std::sqrt(std::max(squares, static_cast<double>(model.l2_floor)));
    for (std::size_t i = 0; i < n; ++i) out[s * n + i] = static_cast<float>(out[s * n + i] * inv);
  }
  return out;
}

}  // namespace cimsim
