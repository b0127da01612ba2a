// Helpers for the weight trace tests: traces built with the real mapping policies, a field by
// field comparison, a private temporary folder, byte patching that re-seals the header (so a
// test reaches the parser and the consistency checks past the checksum), and error checks.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "sim/core/errors.h"
#include "sim/hw/placement.h"
#include "sim/io/gzip.h"
#include "sim/io/sha256.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/trace/weight_trace.h"
#include "tests/test_util.h"

// Own namespace: tests/io has a different TempDir in cimsim::testing, and both are linked into
// one test binary.
namespace cimsim::trace_testing {

using Bytes = std::vector<std::uint8_t>;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cimsim-trace-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::filesystem::path& file, const Bytes& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

inline Bytes read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The trace bytes of a file write_trace wrote (it compresses them).
inline Bytes read_trace_bytes(const std::filesystem::path& file) {
  return gunzip(file, read_bytes(file), std::uint64_t{1} << 30, "tests");
}

// Places every crossbar of the trace on a chip of two slots per tile and records that chip, as
// `cimsim map` does; tiles then differ between crossbars, so round trips check them.
inline void place(WeightTrace& trace) {
  ChipSettings chip;
  chip.tile_crossbars = 2;
  place_trace(trace, chip, 1);
}

// Little-endian store of `size` bytes at `offset`, as the format writes integers.
inline void put_le(Bytes& bytes, std::size_t offset, std::uint64_t value, int size) {
  for (int b = 0; b < size; ++b) {
    bytes.at(offset + static_cast<std::size_t>(b)) =
        static_cast<std::uint8_t>((value >> (8 * b)) & 0xffU);
  }
}

inline std::uint64_t get_le(const Bytes& bytes, std::size_t offset, int size) {
  std::uint64_t value = 0;
  for (int b = size - 1; b >= 0; --b)
    value = (value << 8) | bytes.at(offset + static_cast<std::size_t>(b));
  return value;
}

// Rewrites the header's payload length and SHA-256 for the bytes after the header, so that a
// patched payload passes the integrity checks and must be caught by parsing or consistency.
inline void reseal(Bytes& bytes) {
  const std::size_t length = bytes.size() - kTraceHeaderBytes;
  put_le(bytes, 12, length, 8);
  const std::string hex = sha256_hex(bytes.data() + kTraceHeaderBytes, length);
  for (std::size_t i = 0; i < 32; ++i) {
    bytes[20 + i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  }
}

// Runs `call` and expects a DataError whose message contains every one of `parts`; returns the
// message ("" when nothing or something else was thrown).
template <typename Call>
std::string expect_data_error(Call call, std::initializer_list<std::string> parts) {
  try {
    call();
    ADD_FAILURE() << "expected a DataError";
  } catch (const DataError& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "message lacks '" << part << "': " << message;
    }
    return message;
  }
  return "";
}

// The hand-made 6 x 2 matrix of trace_inspect_test.cpp (expected counts worked out there).
inline IntMatrix hand_matrix() {
  IntMatrix w(6, 2);
  w.data = {0,  0,   // k = 0
            3,  0,   // k = 1
            0,  -1,  // k = 2
            1,  0,   // k = 3
            0,  7,   // k = 4
            -2, 0};  // k = 5
  return w;
}

// 4 x 16 crossbars, 1-bit cells, 2-bit DAC, 4-bit weights (3 magnitude bits: 3 slices per
// polarity, 6 columns per output, 2 outputs per crossbar), sections of 2 rows.
inline MappingGeometry hand_geometry() {
  MappingGeometry g;
  g.rows = 4;
  g.cols = 16;
  g.cell_bits = 1;
  g.dac_bits = 2;
  g.weight_bits = 4;
  g.input_bits = 8;
  g.encoding = "differential";
  g.section_rows = 2;
  return g;
}

// ADC resolution under a capped policy at `adc_bits`, 0 for gated columns: what a mapping run
// would record.
inline std::vector<int> capped_resolution(const MappedLayer& layer, int adc_bits) {
  std::vector<int> bits;
  for (const MappedCrossbar& crossbar : layer.crossbars) {
    for (const MappedColumn& column : crossbar.columns) {
      bits.push_back(column.bound == 0 ? 0 : std::max(1, std::min(column.lossless_bits, adc_bits)));
    }
  }
  return bits;
}

inline TraceLayer trace_layer(const std::string& policy, const IntMatrix& w,
                              const MappingGeometry& g, const std::string& name, bool with_extras) {
  TraceLayer layer;
  layer.mapping = map_layer(policy, w, g, name);
  if (with_extras) {
    for (std::size_t n = 0; n < w.cols; ++n)
      layer.weight_scales.push_back(0.01 * static_cast<double>(n + 1));
    layer.column_resolution_bits = capped_resolution(layer.mapping, 8);
  }
  return layer;
}

// A small one-layer trace (the hand matrix under sws), for byte-level tests.
inline WeightTrace small_trace() {
  WeightTrace trace;
  trace.producer = "cimsim test";
  trace.experiment = "hand";
  trace.layers.push_back(trace_layer("sws", hand_matrix(), hand_geometry(), "hand", true));
  place(trace);
  return trace;
}

// Several layers over random sparse matrices, every policy, encodings, cell and DAC widths.
inline WeightTrace random_trace(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  WeightTrace trace;
  trace.producer = "cimsim 0.1.0";
  trace.experiment = "random " + std::to_string(seed);
  const char* policies[] = {"baseline", "sws", "sws_shared", "sws_packed"};
  int index = 0;
  for (const char* policy : policies) {
    for (int cell_bits : {1, 2, 4}) {
      MappingGeometry g;
      g.rows = 8 + 8 * (index % 3);
      g.cols = 32;
      g.cell_bits = cell_bits;
      g.dac_bits = 1 + index % 3;
      g.weight_bits = 4 + 2 * (index % 3);
      g.input_bits = 8;
      g.encoding = std::string(policy) == "baseline" && cell_bits == 2 ? "offset" : "differential";
      g.section_rows = g.rows / 2 + 1;
      const std::int32_t w_max = (1 << (g.weight_bits - 1)) - 1;
      const std::size_t k = static_cast<std::size_t>(2 * g.rows + 3);
      const IntMatrix w = testing::random_matrix(rng, k, 5, -w_max, w_max, 0.7);
      trace.layers.push_back(trace_layer(
          policy, w, g, std::string(policy) + "_" + std::to_string(index), index % 2 == 0));
      ++index;
    }
  }
  place(trace);
  return trace;
}

// Every field of two traces, doubles bit for bit.
inline void expect_same_trace(const WeightTrace& a, const WeightTrace& b) {
  EXPECT_EQ(a.producer, b.producer);
  EXPECT_EQ(a.experiment, b.experiment);
  EXPECT_EQ(a.chip.placement, b.chip.placement);
  EXPECT_EQ(a.chip.tiles, b.chip.tiles);
  EXPECT_EQ(a.chip.tile_crossbars, b.chip.tile_crossbars);
  EXPECT_EQ(a.chip.tile_adcs, b.chip.tile_adcs);
  EXPECT_EQ(a.chip.adcs_per_crossbar, b.chip.adcs_per_crossbar);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    SCOPED_TRACE("layer " + std::to_string(i));
    const MappedLayer& x = a.layers[i].mapping;
    const MappedLayer& y = b.layers[i].mapping;
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.policy, y.policy);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.outputs, y.outputs);
    EXPECT_EQ(x.geometry.rows, y.geometry.rows);
    EXPECT_EQ(x.geometry.cols, y.geometry.cols);
    EXPECT_EQ(x.geometry.cell_bits, y.geometry.cell_bits);
    EXPECT_EQ(x.geometry.dac_bits, y.geometry.dac_bits);
    EXPECT_EQ(x.geometry.weight_bits, y.geometry.weight_bits);
    EXPECT_EQ(x.geometry.input_bits, y.geometry.input_bits);
    EXPECT_EQ(x.geometry.encoding, y.geometry.encoding);
    EXPECT_EQ(x.geometry.section_rows, y.geometry.section_rows);
    EXPECT_EQ(x.parts_per_output, y.parts_per_output);
    EXPECT_EQ(x.summary.sections_kept, y.summary.sections_kept);
    EXPECT_EQ(x.summary.sections_dropped, y.summary.sections_dropped);
    EXPECT_EQ(x.summary.gather_rows, y.summary.gather_rows);
    const std::vector<double>& sa = a.layers[i].weight_scales;
    const std::vector<double>& sb = b.layers[i].weight_scales;
    ASSERT_EQ(sa.size(), sb.size());
    if (!sa.empty()) {
      EXPECT_EQ(std::memcmp(sa.data(), sb.data(), sa.size() * sizeof(double)), 0);
    }
    EXPECT_EQ(a.layers[i].column_resolution_bits, b.layers[i].column_resolution_bits);
    ASSERT_EQ(x.crossbars.size(), y.crossbars.size());
    for (std::size_t j = 0; j < x.crossbars.size(); ++j) {
      SCOPED_TRACE("crossbar " + std::to_string(j));
      const MappedCrossbar& cx = x.crossbars[j];
      const MappedCrossbar& cy = y.crossbars[j];
      EXPECT_EQ(cx.gather, cy.gather);
      EXPECT_EQ(cx.outputs, cy.outputs);
      EXPECT_EQ(cx.section, cy.section);
      EXPECT_EQ(cx.row_tile, cy.row_tile);
      EXPECT_EQ(cx.tile, cy.tile);
      EXPECT_EQ(cx.load, cy.load);
      ASSERT_EQ(cx.columns.size(), cy.columns.size());
      for (std::size_t k = 0; k < cx.columns.size(); ++k) {
        SCOPED_TRACE("column " + std::to_string(k));
        EXPECT_EQ(cx.columns[k].output, cy.columns[k].output);
        EXPECT_EQ(cx.columns[k].polarity, cy.columns[k].polarity);
        EXPECT_EQ(cx.columns[k].slice, cy.columns[k].slice);
        EXPECT_EQ(cx.columns[k].cells, cy.columns[k].cells);
        EXPECT_EQ(cx.columns[k].bound, cy.columns[k].bound);
        EXPECT_EQ(cx.columns[k].lossless_bits, cy.columns[k].lossless_bits);
      }
    }
  }
}

// Byte offsets, in a whole file, of fields of layer 0, crossbar 0, column 0, computed from the
// layout in docs/trace-format.md (so these tests also pin that layout down).
struct FieldOffsets {
  std::size_t layer_count = 0;
  std::size_t inputs = 0;
  std::size_t cell_bits = 0;
  std::size_t crossbar_count = 0;
  std::size_t gather_count = 0;
  std::size_t first_gather = 0;
  std::size_t column_count = 0;
  std::size_t polarity = 0;
  std::size_t slice = 0;
  std::size_t bound = 0;
  std::size_t cell_count = 0;
  std::size_t first_cell = 0;
};

inline FieldOffsets field_offsets(const WeightTrace& trace) {
  const TraceLayer& tl = trace.layers.at(0);
  const MappedLayer& layer = tl.mapping;
  const MappedCrossbar& crossbar = layer.crossbars.at(0);
  FieldOffsets at;
  std::size_t pos = kTraceHeaderBytes;
  pos += 4 + trace.producer.size() + 4 + trace.experiment.size();
  pos += 4 + trace.chip.placement.size() + 8 + 3 * 4;  // the chip record
  at.layer_count = pos;
  pos += 4 + 4 + layer.name.size() + 4 + layer.policy.size();
  at.inputs = pos;
  pos += 4 + 4;            // inputs, outputs
  at.cell_bits = pos + 8;  // after rows, cols
  pos += 6 * 4 + 4 + layer.geometry.encoding.size() + 4;
  pos += 4 + 4 * layer.parts_per_output.size() + 3 * 8;
  pos += 4 + 8 * tl.weight_scales.size() + 4 + tl.column_resolution_bits.size();
  at.crossbar_count = pos;
  pos += 4 + 4 + 4 + 4 + 4;  // count, section, row tile, tile, load
  at.gather_count = pos;
  at.first_gather = pos + 4;
  pos += 4 + 4 * crossbar.gather.size() + 4 + 4 * crossbar.outputs.size();
  at.column_count = pos;
  pos += 4 + 4;  // count, output
  at.polarity = pos;
  at.slice = pos + 1;
  at.bound = pos + 2;
  at.cell_count = pos + 2 + 8 + 1;
  at.first_cell = at.cell_count + 4;
  return at;
}

}  // namespace cimsim::trace_testing
