// The Universal Sentence Encoder lite's forward pass over a batch of tokenized sentences, with
// each of its ten matrix products delegated to a caller-supplied function: the plain float
// product for the reference, or quantization plus simulated crossbars. The tokens of all
// sentences go through each matrix at once (T = all tokens), so each matrix is one crossbar
// layer run; attention mixes tokens only within their own sentence.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "models/use_lite/use_lite_model.h"

namespace cimsim {

// x (rows x K, row-major) times matrix `index`'s weights, without the bias: rows x N.
using UseMatrixProduct = std::function<std::vector<float>(
    std::size_t index, const std::vector<float>& x, std::size_t rows)>;

// The float product x W with the model's own weights.
[[nodiscard]] UseMatrixProduct float_product(const UseLiteModel& model);

// Sentence embeddings (sentences x 512, each of unit L2 norm). Sentences longer than
// UseLiteModel::kMaxTokens are cut there, as the graph's ClipToMaxLength does; an empty
// sentence is refused (DataError).
[[nodiscard]] std::vector<float> encode_sentences(const UseLiteModel& model,
                                                  const std::vector<std::vector<int>>& sentences,
                                                  const UseMatrixProduct& product);

}  // namespace cimsim
