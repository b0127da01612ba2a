// Forward passes of the ViT encoder over a batch of images: float32 (the reference, matching the
// torch model that exported it), and quantized, where every matrix layer's product comes from a
// caller-given function (the exact integer product or the simulated crossbars). Attention scores
// and values, softmax, LayerNorm, GELU, residual adds and pooling are float digital logic in both.
#pragma once

#include <cstdint>
#include <vector>

#include "models/network/forward.h"
#include "models/transformer/vit_model.h"

namespace cimsim {

// Logits (count x classes) for `count` images of image_h x image_w floats (pixel / 255).
// Matrix layers are numbered as VisionTransformer::matrix_layers() lists them.
[[nodiscard]] std::vector<float> vit_forward_float(const VisionTransformer& vit,
                                                   const std::vector<float>& images,
                                                   std::size_t count,
                                                   const InputObserver& observe = nullptr);

[[nodiscard]] std::vector<float> vit_forward_quantized(const VisionTransformer& vit,
                                                       const std::vector<LayerQuantization>& quant,
                                                       const std::vector<float>& images,
                                                       std::size_t count, const MatmulFn& matmul);

// Input vectors one image puts through each matrix layer: one per token, one for the head.
[[nodiscard]] std::vector<std::uint64_t> vit_vectors_per_image(const VisionTransformer& vit);

// The digital operations between the crossbar layers, exposed for tests.
// LayerNorm of each row of `dim` values (biased variance, as torch): (x - mean) / sqrt(var + eps)
// * gamma + beta.
void layer_norm_rows(std::vector<float>& rows, const LayerNormParams& params, float eps);
// Exact GELU: 0.5 x (1 + erf(x / sqrt 2)).
void gelu(std::vector<float>& values);
// Multi-head self-attention of `count` sequences of `tokens` rows: per head h of width
// dh = dim / heads, softmax(Q_h K_h^T / sqrt(dh)) V_h, heads concatenated; q, k, v are
// (count * tokens) x dim.
[[nodiscard]] std::vector<float> self_attention(const std::vector<float>& q,
                                                const std::vector<float>& k,
                                                const std::vector<float>& v, std::size_t count,
                                                std::size_t tokens, std::size_t dim,
                                                std::size_t heads);

}  // namespace cimsim
