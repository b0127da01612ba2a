// A ViT-style transformer encoder with BERT's operator set, as scripts/train_vit.py exports it
// (models/vit_fashion/sparse*/): patch embedding, learned positions, pre-LayerNorm encoder
// blocks with multi-head self-attention and a GELU feed-forward network, a final LayerNorm, mean
// pooling over the tokens and a linear classifier head. The matrices (patch embedding, Q, K, V,
// O, FFN1, FFN2, head) run on crossbars; everything else is digital.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "models/network/network.h"

namespace cimsim {

struct LayerNormParams {
  std::vector<float> gamma;  // dim
  std::vector<float> beta;   // dim
};

struct EncoderBlock {
  LayerNormParams ln1;
  MatrixLayer q, k, v, o;  // dim x dim each
  LayerNormParams ln2;
  MatrixLayer ffn1;  // dim x ffn, GELU after it
  MatrixLayer ffn2;  // ffn x dim
};

struct VisionTransformer {
  int image_h = 28, image_w = 28;
  int patch = 7;  // square patches of patch x patch pixels, one token each
  int dim = 64;
  int heads = 4;
  int ffn = 256;
  int classes = 10;
  float layer_norm_eps = 1e-5F;
  float input_mean = 0.0F;  // the image is (pixel / 255 - mean) / std before patching
  float input_std = 1.0F;
  std::string dataset;           // what it was trained on (workload.dataset name)
  double float_top1 = 0.0;       // torch's top-1 on the full test set, as the export recorded it
  MatrixLayer patch_embed;       // (patch * patch) x dim
  std::vector<float> positions;  // tokens x dim, added after the patch embedding
  std::vector<EncoderBlock> blocks;
  LayerNormParams final_ln;
  MatrixLayer head;  // dim x classes

  [[nodiscard]] std::size_t tokens() const {
    return static_cast<std::size_t>(image_h / patch) * static_cast<std::size_t>(image_w / patch);
  }
  // The crossbar layers in execution order: patch embedding, then per block Q, K, V, O, FFN1,
  // FFN2, then the head.
  [[nodiscard]] std::vector<const MatrixLayer*> matrix_layers() const;
  [[nodiscard]] std::vector<MatrixLayer*> matrix_layers();
};

// Loads <dir>/model.json and the .npy tensors it names. DataError, naming the file, for a missing
// or malformed file, an unknown format or version, an architecture it cannot run (patches that
// do not tile the image, dim not divisible by heads, pooling other than mean), and any tensor
// that is missing, not float or not of the shape the architecture needs.
[[nodiscard]] VisionTransformer load_vit(const std::filesystem::path& dir);

}  // namespace cimsim
