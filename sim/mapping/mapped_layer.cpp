#include "sim/mapping/mapped_layer.h"

#include <algorithm>

#include "sim/encoding/weight_encoding.h"

namespace cimsim {

int MappingGeometry::magnitude_bits() const {
  return weight_encoding(encoding).magnitude_bits(weight_bits);
}

int MappingGeometry::polarity_count() const {
  return static_cast<int>(weight_encoding(encoding).polarities().size());
}

int bit_length(std::uint64_t value) {
  int bits = 0;
  while (value != 0) {
    ++bits;
    value >>= 1U;
  }
  return bits;
}

void compute_column_bound(MappedColumn& column, int dac_bits) {
  std::int64_t cell_sum = 0;
  for (std::uint8_t cell : column.cells) cell_sum += cell;
  column.bound = ((std::int64_t{1} << dac_bits) - 1) * cell_sum;
  column.lossless_bits = bit_length(static_cast<std::uint64_t>(column.bound));
}

int MappedLayer::adder_tree_depth() const {
  int depth = 0;
  for (int parts : parts_per_output) {
    depth = std::max(depth, bit_length(static_cast<std::uint64_t>(std::max(parts, 1) - 1)));
  }
  return depth;
}

}  // namespace cimsim
