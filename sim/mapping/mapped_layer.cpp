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

// The layer's integer weights rebuilt from its crossbars: every stored slice with its sign and
// shift, minus the offset of an offset encoding (each weight sits in exactly one crossbar then).
IntMatrix reconstruct_weights(const MappedLayer& layer) {
  IntMatrix w(static_cast<std::size_t>(layer.inputs), static_cast<std::size_t>(layer.outputs));
  const std::int64_t offset =
      weight_encoding(layer.geometry.encoding).input_sum_coefficient(layer.geometry.weight_bits);
  for (const MappedCrossbar& crossbar : layer.crossbars) {
    for (const MappedColumn& column : crossbar.columns) {
      const unsigned shift = static_cast<unsigned>(column.slice * layer.geometry.cell_bits);
      for (std::size_t r = 0; r < crossbar.gather.size(); ++r) {
        w.at(static_cast<std::size_t>(crossbar.gather[r]),
             static_cast<std::size_t>(column.output)) +=
            column.polarity * static_cast<std::int32_t>(column.cells[r] << shift);
      }
    }
    if (offset == 0) continue;
    for (std::int32_t k : crossbar.gather) {
      for (std::int32_t n : crossbar.outputs) {
        w.at(static_cast<std::size_t>(k), static_cast<std::size_t>(n)) -=
            static_cast<std::int32_t>(offset);
      }
    }
  }
  return w;
}

int MappedLayer::adder_tree_depth() const {
  int depth = 0;
  for (int parts : parts_per_output) {
    depth = std::max(depth, bit_length(static_cast<std::uint64_t>(std::max(parts, 1) - 1)));
  }
  return depth;
}

}  // namespace cimsim
