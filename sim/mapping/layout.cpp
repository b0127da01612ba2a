#include "sim/mapping/layout.h"

#include <algorithm>
#include <numeric>

#include "sim/encoding/weight_encoding.h"

namespace cimsim {

MappedCrossbar build_crossbar(const IntMatrix& weights, const MappingGeometry& geometry,
                              std::vector<std::int32_t> gather,
                              const std::vector<ColumnSlot>& slots) {
  const WeightEncoding& encoding = weight_encoding(geometry.encoding);
  const std::uint32_t level_mask = (1U << geometry.cell_bits) - 1U;
  MappedCrossbar crossbar;
  crossbar.gather = std::move(gather);
  crossbar.columns.reserve(slots.size());
  for (const ColumnSlot& slot : slots) {
    MappedColumn column;
    column.output = slot.output;
    column.polarity = slot.polarity;
    column.slice = slot.slice;
    column.cells.resize(crossbar.gather.size());
    const unsigned shift = static_cast<unsigned>(slot.slice * geometry.cell_bits);
    for (std::size_t r = 0; r < crossbar.gather.size(); ++r) {
      const std::int32_t q = weights.at(static_cast<std::size_t>(crossbar.gather[r]),
                                        static_cast<std::size_t>(slot.output));
      const std::uint32_t stored = encoding.stored_value(q, slot.polarity, geometry.weight_bits);
      column.cells[r] = static_cast<std::uint8_t>((stored >> shift) & level_mask);
    }
    compute_column_bound(column, geometry.dac_bits);
    if (crossbar.outputs.empty() || crossbar.outputs.back() != slot.output) {
      crossbar.outputs.push_back(slot.output);
    }
    crossbar.columns.push_back(std::move(column));
  }
  return crossbar;
}

std::vector<std::pair<int, int>> section_ranges(int count, int section_rows) {
  std::vector<std::pair<int, int>> ranges;
  int begin = 0;
  const int first = count % section_rows;
  if (first != 0) {
    ranges.emplace_back(0, first);
    begin = first;
  }
  for (; begin < count; begin += section_rows) ranges.emplace_back(begin, begin + section_rows);
  return ranges;
}

std::vector<std::int32_t> stable_order(const std::vector<std::int64_t>& key) {
  std::vector<std::int32_t> order(key.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&key](std::int32_t a, std::int32_t b) {
    return key[static_cast<std::size_t>(a)] < key[static_cast<std::size_t>(b)];
  });
  return order;
}

int needed_slices(const IntMatrix& weights, const MappingGeometry& geometry,
                  const std::vector<std::int32_t>& rows, std::int32_t output, int polarity) {
  const WeightEncoding& encoding = weight_encoding(geometry.encoding);
  std::uint32_t largest = 0;
  for (std::int32_t k : rows) {
    const std::int32_t q =
        weights.at(static_cast<std::size_t>(k), static_cast<std::size_t>(output));
    largest = std::max(largest, encoding.stored_value(q, polarity, geometry.weight_bits));
  }
  const int bits = bit_length(largest);
  return (bits + geometry.cell_bits - 1) / geometry.cell_bits;
}

bool append_output_slots(const IntMatrix& weights, const MappingGeometry& geometry,
                         const std::vector<int>& polarities, const std::vector<std::int32_t>& rows,
                         std::int32_t output, std::vector<ColumnSlot>& slots) {
  bool any = false;
  for (int polarity : polarities) {
    const int needed = needed_slices(weights, geometry, rows, output, polarity);
    for (int slice = 0; slice < needed; ++slice) {
      slots.push_back(
          {output, static_cast<std::int8_t>(polarity), static_cast<std::int8_t>(slice)});
      any = true;
    }
  }
  return any;
}

}  // namespace cimsim
