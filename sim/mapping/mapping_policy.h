// Mapping policies (crossbar-model.md section 7): how a K x N integer weight matrix is placed on
// crossbars. Implementations register themselves by name (baseline, sws, sws_shared, sws_packed).
#pragma once

#include <string>

#include "sim/core/registry.h"
#include "sim/mapping/int_matrix.h"
#include "sim/mapping/mapped_layer.h"

namespace cimsim {

class MappingPolicy {
 public:
  static constexpr const char* kKind = "mapping policy";
  virtual ~MappingPolicy() = default;
  // weights: K x N quantized weights within the symmetric B-bit range.
  [[nodiscard]] virtual MappedLayer map(const IntMatrix& weights, const MappingGeometry& geometry,
                                        const std::string& layer_name) const = 0;
};

using MappingPolicyRegistry = Registry<MappingPolicy>;

// Maps a layer with the named policy, after checking the weights and geometry.
[[nodiscard]] MappedLayer map_layer(const std::string& policy, const IntMatrix& weights,
                                    const MappingGeometry& geometry, const std::string& layer_name);

}  // namespace cimsim
