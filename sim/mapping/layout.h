// Building blocks shared by the mapping policies: filling a crossbar's cells from the weights,
// and cutting a sorted row order into sections aligned to its largest end.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/mapping/int_matrix.h"
#include "sim/mapping/mapped_layer.h"

namespace cimsim {

class WeightEncoding;

// A column to allocate: (output, polarity, slice).
struct ColumnSlot {
  std::int32_t output;
  std::int8_t polarity;
  std::int8_t slice;
};

// Builds a crossbar over the gathered rows holding the given columns, cells sliced from weights.
[[nodiscard]] MappedCrossbar build_crossbar(const IntMatrix& weights,
                                            const MappingGeometry& geometry,
                                            std::vector<std::int32_t> gather,
                                            const std::vector<ColumnSlot>& slots);

// [begin, end) ranges of sorted positions: ceil(count / section_rows) sections, the first one
// holding count mod section_rows when that is nonzero (aligned to the largest end).
[[nodiscard]] std::vector<std::pair<int, int>> section_ranges(int count, int section_rows);

// Rows 0..K-1 stably sorted by the given key, ascending.
[[nodiscard]] std::vector<std::int32_t> stable_order(const std::vector<std::int64_t>& key);

// Needed low-order slices of one polarity over the given rows of an output: ceil(bitlen(max
// stored value) / cell_bits), 0 when no row has a weight of that polarity.
[[nodiscard]] int needed_slices(const IntMatrix& weights, const MappingGeometry& geometry,
                                const std::vector<std::int32_t>& rows, std::int32_t output,
                                int polarity);

// Appends the columns an output needs over `rows` to `slots`: for each of the encoding's
// polarities, its needed_slices low-order slices. Whether it needed any. Every sorted mapping
// lays out its sections' columns with it.
bool append_output_slots(const IntMatrix& weights, const MappingGeometry& geometry,
                         const std::vector<int>& polarities, const std::vector<std::int32_t>& rows,
                         std::int32_t output, std::vector<ColumnSlot>& slots);

}  // namespace cimsim
