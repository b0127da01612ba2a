// Unstructured magnitude pruning to a target sparsity, deterministic: the smallest |w| are set to
// zero, ties broken by position, per layer or over all layers at once.
#pragma once

#include <string>
#include <vector>

namespace cimsim {

// Zeroes floor(sparsity x size) weights of smallest magnitude: of each tensor ("layer") or of
// all tensors together ("global"). Weights already zero count towards the target.
void prune_by_magnitude(const std::vector<std::vector<float>*>& tensors, double sparsity,
                        const std::string& scope);

// Fraction of zero values over all tensors.
[[nodiscard]] double zero_fraction(const std::vector<const std::vector<float>*>& tensors);

}  // namespace cimsim
