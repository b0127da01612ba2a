#include "sim/mapping/prune.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cimsim {
namespace {

struct Ref {
  float magnitude;
  std::size_t tensor;
  std::size_t index;
};

void prune_group(const std::vector<std::vector<float>*>& tensors, double sparsity) {
  std::vector<Ref> refs;
  for (std::size_t t = 0; t < tensors.size(); ++t) {
    for (std::size_t i = 0; i < tensors[t]->size(); ++i) {
      refs.push_back({std::fabs((*tensors[t])[i]), t, i});
    }
  }
  const auto target =
      static_cast<std::size_t>(std::floor(sparsity * static_cast<double>(refs.size())));
  if (target == 0) return;
  // The k smallest by (magnitude, tensor, index): a total order, so the result is reproducible.
  std::nth_element(refs.begin(), refs.begin() + static_cast<long>(target - 1), refs.end(),
                   [](const Ref& a, const Ref& b) {
                     if (a.magnitude != b.magnitude) return a.magnitude < b.magnitude;
                     if (a.tensor != b.tensor) return a.tensor < b.tensor;
                     return a.index < b.index;
                   });
  for (std::size_t i = 0; i < target; ++i) (*tensors[refs[i].tensor])[refs[i].index] = 0.0F;
}

}  // namespace

void prune_by_magnitude(const std::vector<std::vector<float>*>& tensors, double sparsity,
                        const std::string& scope) {
  if (sparsity <= 0.0) return;
  if (scope == "global") {
    prune_group(tensors, sparsity);
    return;
  }
  for (std::vector<float>* tensor : tensors) prune_group({tensor}, sparsity);
}

double zero_fraction(const std::vector<const std::vector<float>*>& tensors) {
  std::size_t zeros = 0;
  std::size_t total = 0;
  for (const auto* tensor : tensors) {
    zeros += static_cast<std::size_t>(std::count(tensor->begin(), tensor->end(), 0.0F));
    total += tensor->size();
  }
  return total == 0 ? 0.0 : static_cast<double>(zeros) / static_cast<double>(total);
}

}  // namespace cimsim
