#include "sim/mapping/mapping_policy.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "sim/core/errors.h"
#include "sim/encoding/weight_encoding.h"

namespace cimsim {
namespace {

// At most 2^32 cells per mapped layer: the layout stores one byte per cell (4 GiB), so a layer
// beyond it cannot run on a 24 GiB machine next to its plans and input planes anyway. The largest
// layers users map (a BERT-large FFN, 1024 x 4096, 16 slice columns per output) need 2^26.
constexpr std::uint64_t kMaxCellsPerLayer = std::uint64_t{1} << 32;

// Refuses a layer whose cells would not fit before anything is laid out (the fuzzers and the
// reliability issue ask for absurd sizes to end in a clear error, not in bad_alloc).
void check_size(const IntMatrix& weights, const MappingGeometry& geometry,
                const std::string& layer_name) {
  constexpr std::uint64_t kMaxDim = std::numeric_limits<std::int32_t>::max();
  const std::uint64_t k = weights.rows;
  const std::uint64_t n = weights.cols;
  const auto per_output = static_cast<std::uint64_t>(std::max(1, geometry.cols_per_output()));
  if (k > kMaxDim || n > kMaxDim || k * n > kMaxCellsPerLayer / per_output) {
    throw ConfigError("layer '" + layer_name + "': a " + std::to_string(k) + " x " +
                      std::to_string(n) + " weight matrix with " + std::to_string(per_output) +
                      " slice columns per output needs more than the " +
                      std::to_string(kMaxCellsPerLayer) +
                      " cells one mapped layer may have (1 byte each); split the layer");
  }
}

void check_weights(const IntMatrix& weights, const MappingGeometry& geometry,
                   const std::string& layer_name) {
  if (weights.rows == 0 || weights.cols == 0) {
    throw ConfigError("layer '" + layer_name + "': weight matrix is empty (" +
                      std::to_string(weights.rows) + " x " + std::to_string(weights.cols) + ")");
  }
  const std::int64_t limit = (std::int64_t{1} << (geometry.weight_bits - 1)) - 1;
  for (std::size_t i = 0; i < weights.data.size(); ++i) {
    const std::int64_t q = weights.data[i];
    if (q < -limit || q > limit) {
      throw DataError("layer '" + layer_name + "': weight " + std::to_string(q) + " at [" +
                      std::to_string(i / weights.cols) + ", " + std::to_string(i % weights.cols) +
                      "] is outside the symmetric " + std::to_string(geometry.weight_bits) +
                      "-bit range [" + std::to_string(-limit) + ", " + std::to_string(limit) + "]");
    }
  }
}

}  // namespace

MappedLayer map_layer(const std::string& policy, const IntMatrix& weights,
                      const MappingGeometry& geometry, const std::string& layer_name) {
  check_size(weights, geometry, layer_name);
  check_weights(weights, geometry, layer_name);
  if (geometry.cols < geometry.cols_per_output()) {
    throw ConfigError("layer '" + layer_name + "': a crossbar of " + std::to_string(geometry.cols) +
                      " columns cannot hold one output, which needs " +
                      std::to_string(geometry.cols_per_output()) +
                      " slice columns; raise hardware.crossbar.cols or cell_bits");
  }
  if (policy != "baseline" && !weight_encoding(geometry.encoding).sortable()) {
    throw ConfigError("layer '" + layer_name + "': mapping policy '" + policy +
                      "' needs the differential encoding, not '" + geometry.encoding + "'");
  }
  const std::unique_ptr<MappingPolicy> mapper = MappingPolicyRegistry::instance().create(policy);
  MappedLayer layer = mapper->map(weights, geometry, layer_name);
  layer.name = layer_name;
  layer.policy = policy;
  layer.inputs = static_cast<int>(weights.rows);
  layer.outputs = static_cast<int>(weights.cols);
  layer.geometry = geometry;
  return layer;
}

}  // namespace cimsim
