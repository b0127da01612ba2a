// A layer after mapping (crossbar-model.md sections 2, 3 and 7): which crossbars exist, which
// inputs each one gathers onto its wordlines, and which slice columns it holds with what cells.
// Everything here is static: it is computed once, offline, and is what a sectioned weight trace
// stores.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/mapping/int_matrix.h"

namespace cimsim {

// The parts of the hardware and quantization that decide a mapping.
struct MappingGeometry {
  int rows = 128;                         // crossbar wordlines R
  int cols = 128;                         // crossbar bitlines C
  int cell_bits = 1;                      // c, bits per cell
  int dac_bits = 1;                       // v, bits per DAC digit
  int weight_bits = 8;                    // B
  int input_bits = 8;                     // A
  std::string encoding = "differential";  // registered WeightEncoding name
  int section_rows = 128;                 // Rs (sws, sws_shared)

  [[nodiscard]] int magnitude_bits() const;
  [[nodiscard]] int slices() const { return (magnitude_bits() + cell_bits - 1) / cell_bits; }
  [[nodiscard]] int polarity_count() const;
  [[nodiscard]] int cols_per_output() const { return polarity_count() * slices(); }
  [[nodiscard]] int input_cycles() const { return (input_bits + dac_bits - 1) / dac_bits; }
};

// One logical column: (output n, polarity, slice k) restricted to a crossbar's rows.
struct MappedColumn {
  std::int32_t output = 0;
  std::int8_t polarity = 1;         // +1 for q+ (and for offset), -1 for q-
  std::int8_t slice = 0;            // k, 0 = least significant
  std::vector<std::uint8_t> cells;  // conductance level per used crossbar row
  std::int64_t bound = 0;           // L_j = (2^v - 1) * sum of cells
  int lossless_bits = 0;            // b*_j = ceil(log2(L_j + 1)), 0 when L_j = 0
};

struct MappedCrossbar {
  std::vector<std::int32_t> gather;   // crossbar row r reads input k = gather[r]
  std::vector<MappedColumn> columns;  // allocated columns in layout order
  std::vector<std::int32_t> outputs;  // distinct outputs with a column here, ascending
  int section = -1;                   // section index within its output/group (sws), else -1
  int row_tile = -1;                  // row tile index (baseline), else -1
  // Where the crossbar sits on the chip (sim/hw/placement.h): its tile, and its load on a
  // time-multiplexed chip. tile -1 until placed: the mapping policies leave it so, the placement
  // of `cimsim map` (or of a run that maps on the fly) sets it, and a trace stores it.
  std::int32_t tile = -1;
  std::uint32_t load = 0;
};

struct MappingSummary {
  std::uint64_t sections_kept = 0;
  std::uint64_t sections_dropped = 0;
  std::uint64_t gather_rows = 0;  // wordlines fed by a static input gather (sws, sws_shared)
};

struct MappedLayer {
  std::string name;
  std::string policy;
  int inputs = 0;   // K
  int outputs = 0;  // N
  MappingGeometry geometry;
  std::vector<MappedCrossbar> crossbars;
  std::vector<int> parts_per_output;  // row tiles or kept sections adding into each output
  MappingSummary summary;

  [[nodiscard]] int adder_tree_depth() const;
};

// The layer's integer weights (K x N) rebuilt from its crossbars: what a trace-driven run and the
// exact fast path use in place of the original matrix.
[[nodiscard]] IntMatrix reconstruct_weights(const MappedLayer& layer);

// Fills bound and lossless_bits of a column from its cells.
void compute_column_bound(MappedColumn& column, int dac_bits);

// ceil(log2(value + 1)): the bits an unsigned value needs; 0 for 0.
[[nodiscard]] int bit_length(std::uint64_t value);

}  // namespace cimsim
