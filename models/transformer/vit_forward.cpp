#include "models/transformer/vit_forward.h"

#include <algorithm>
#include <cmath>

namespace cimsim {
namespace {

// The patch rows of `count` normalised images: one row of patch * patch values per token,
// tokens in row-major patch order, pixels row-major within a patch (as train_vit.py cuts them).
std::vector<float> patch_rows(const VisionTransformer& vit, const std::vector<float>& images,
                              std::size_t count) {
  const std::size_t p = static_cast<std::size_t>(vit.patch);
  const std::size_t w = static_cast<std::size_t>(vit.image_w);
  const std::size_t grid_h = static_cast<std::size_t>(vit.image_h) / p;
  const std::size_t grid_w = w / p;
  const std::size_t image_size = static_cast<std::size_t>(vit.image_h) * w;
  std::vector<float> rows(count * vit.tokens() * p * p);
  float* row = rows.data();
  for (std::size_t i = 0; i < count; ++i) {
    const float* image = images.data() + i * image_size;
    for (std::size_t gy = 0; gy < grid_h; ++gy) {
      for (std::size_t gx = 0; gx < grid_w; ++gx) {
        for (std::size_t y = 0; y < p; ++y) {
          for (std::size_t x = 0; x < p; ++x) {
            *row++ = (image[(gy * p + y) * w + gx * p + x] - vit.input_mean) / vit.input_std;
          }
        }
      }
    }
  }
  return rows;
}

void add_in_place(std::vector<float>& x, const std::vector<float>& y) {
  for (std::size_t i = 0; i < x.size(); ++i) x[i] += y[i];
}

// The encoder over a batch; `product(ordinal, layer, rows, t)` computes one matrix layer.
template <typename Product>
std::vector<float> run_encoder(const VisionTransformer& vit, const std::vector<float>& images,
                               std::size_t count, Product&& product) {
  const std::size_t tokens = vit.tokens();
  const std::size_t t = count * tokens;
  const std::size_t dim = static_cast<std::size_t>(vit.dim);
  std::size_t ordinal = 0;

  std::vector<float> x = product(ordinal++, vit.patch_embed, patch_rows(vit, images, count), t);
  for (std::size_t row = 0; row < t; ++row) {
    const float* position = vit.positions.data() + (row % tokens) * dim;
    for (std::size_t c = 0; c < dim; ++c) x[row * dim + c] += position[c];
  }
  for (const EncoderBlock& block : vit.blocks) {
    std::vector<float> h = x;
    layer_norm_rows(h, block.ln1, vit.layer_norm_eps);
    const std::vector<float> q = product(ordinal++, block.q, h, t);
    const std::vector<float> k = product(ordinal++, block.k, h, t);
    const std::vector<float> v = product(ordinal++, block.v, h, t);
    const std::vector<float> attended =
        self_attention(q, k, v, count, tokens, dim, static_cast<std::size_t>(vit.heads));
    add_in_place(x, product(ordinal++, block.o, attended, t));
    h = x;
    layer_norm_rows(h, block.ln2, vit.layer_norm_eps);
    std::vector<float> hidden = product(ordinal++, block.ffn1, h, t);
    gelu(hidden);
    add_in_place(x, product(ordinal++, block.ffn2, hidden, t));
  }
  layer_norm_rows(x, vit.final_ln, vit.layer_norm_eps);
  std::vector<float> pooled(count * dim, 0.0F);
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t c = 0; c < dim; ++c) {
      float sum = 0.0F;
      for (std::size_t token = 0; token < tokens; ++token) sum += x[(i * tokens + token) * dim + c];
      pooled[i * dim + c] = sum / static_cast<float>(tokens);
    }
  }
  return product(ordinal++, vit.head, pooled, count);
}

}  // namespace

void layer_norm_rows(std::vector<float>& rows, const LayerNormParams& params, float eps) {
  const std::size_t dim = params.gamma.size();
  for (std::size_t start = 0; start + dim <= rows.size(); start += dim) {
    float* x = rows.data() + start;
    double sum = 0.0;
    for (std::size_t c = 0; c < dim; ++c) sum += x[c];
    const double mean = sum / static_cast<double>(dim);
    double squares = 0.0;
    for (std::size_t c = 0; c < dim; ++c) squares += (x[c] - mean) * (x[c] - mean);
    const double inv = 1.0 / std::sqrt(squares / static_cast<double>(dim) + eps);
    for (std::size_t c = 0; c < dim; ++c) {
      x[c] = static_cast<float>((x[c] - mean) * inv) * params.gamma[c] + params.beta[c];
    }
  }
}

void gelu(std::vector<float>& values) {
  for (float& v : values) {
    v = static_cast<float>(0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))));
  }
}

std::vector<float> self_attention(const std::vector<float>& q, const std::vector<float>& k,
                                  const std::vector<float>& v, std::size_t count,
                                  std::size_t tokens, std::size_t dim, std::size_t heads) {
  const std::size_t dh = dim / heads;
  const float scale = 1.0F / std::sqrt(static_cast<float>(dh));
  std::vector<float> out(count * tokens * dim, 0.0F);
  std::vector<float> weights(tokens);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t base = i * tokens * dim;
    for (std::size_t h = 0; h < heads; ++h) {
      const std::size_t offset = base + h * dh;
      for (std::size_t a = 0; a < tokens; ++a) {
        const float* qa = q.data() + offset + a * dim;
        for (std::size_t b = 0; b < tokens; ++b) {
          const float* kb = k.data() + offset + b * dim;
          float dot = 0.0F;
          for (std::size_t c = 0; c < dh; ++c) dot += qa[c] * kb[c];
          weights[b] = dot * scale;
        }
        const float top = *std::max_element(weights.begin(), weights.end());
        float sum = 0.0F;
        for (float& w : weights) sum += w = std::exp(w - top);
        float* y = out.data() + offset + a * dim;
        for (std::size_t b = 0; b < tokens; ++b) {
          const float p = weights[b] / sum;
          const float* vb = v.data() + offset + b * dim;
          for (std::size_t c = 0; c < dh; ++c) y[c] += p * vb[c];
        }
      }
    }
  }
  return out;
}

std::vector<float> vit_forward_float(const VisionTransformer& vit, const std::vector<float>& images,
                                     std::size_t count, const InputObserver& observe) {
  return run_encoder(vit, images, count, float_product(observe));
}

std::vector<float> vit_forward_quantized(const VisionTransformer& vit,
                                         const std::vector<LayerQuantization>& quant,
                                         const std::vector<float>& images, std::size_t count,
                                         const MatmulFn& matmul) {
  return run_encoder(vit, images, count, quantized_product(quant, matmul));
}

std::vector<std::uint64_t> vit_vectors_per_image(const VisionTransformer& vit) {
  std::vector<std::uint64_t> out(vit.matrix_layers().size(), vit.tokens());
  out.back() = 1;  // the head sees the pooled vector
  return out;
}

}  // namespace cimsim
