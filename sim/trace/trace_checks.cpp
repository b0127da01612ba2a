#include "sim/trace/trace_checks.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/core/errors.h"
#include "sim/encoding/weight_encoding.h"
#include "sim/io/sha256.h"

namespace cimsim::trace_detail {
namespace {

std::string range_text(std::int64_t lo, std::int64_t hi) {
  return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

class TraceChecker {
 public:
  explicit TraceChecker(std::string prefix) : prefix_(std::move(prefix)) {}

  void check(const WeightTrace& trace) {
    if (trace.producer.size() > kTraceMaxStringBytes ||
        trace.experiment.size() > kTraceMaxStringBytes) {
      fail("producer or experiment longer than " + std::to_string(kTraceMaxStringBytes) + " bytes");
    }
    check_chip(trace.chip);
    chip_ = trace.chip;
    for (std::size_t i = 0; i < trace.layers.size(); ++i) {
      where_ = Location{};
      where_.layer = static_cast<int>(i);
      where_.layer_name = trace.layers[i].mapping.name;
      check_layer(trace.layers[i]);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    trace_detail::fail(prefix_, what, where_.describe());
  }

  TraceChip chip_;

  void in_range(std::int64_t value, std::int64_t lo, std::int64_t hi, const std::string& name) {
    if (value < lo || value > hi) {
      fail(name + " = " + std::to_string(value) + " is outside " + range_text(lo, hi));
    }
  }

  // The chip record: the section 11 keys' ranges (crossbar-model.md section 11).
  void check_chip(const TraceChip& chip) {
    if (chip.placement.empty() || chip.placement.size() > kTraceMaxStringBytes) {
      fail("placement name is empty or too long");
    }
    in_range(chip.tiles, 0, INT32_MAX, "chip tiles");
    in_range(chip.tile_crossbars, 1, 65536, "chip tile crossbars");
    in_range(chip.tile_adcs, 0, INT32_MAX, "chip tile ADCs");
    in_range(chip.adcs_per_crossbar, 1, 65536, "chip ADCs per crossbar");
  }

  void check_geometry(const MappingGeometry& g) {
    in_range(g.rows, 1, 65536, "geometry rows");
    in_range(g.cols, 1, 65536, "geometry cols");
    if (g.cell_bits != 1 && g.cell_bits != 2 && g.cell_bits != 4) {
      fail("geometry cell_bits " + std::to_string(g.cell_bits) + " is not 1, 2 or 4");
    }
    in_range(g.dac_bits, 1, 8, "geometry dac_bits");
    in_range(g.weight_bits, 2, 16, "geometry weight_bits");
    in_range(g.input_bits, 2, 16, "geometry input_bits");
    in_range(g.section_rows, 1, g.rows, "geometry section_rows");
    if (g.encoding.size() > kTraceMaxStringBytes ||
        !WeightEncodingRegistry::instance().contains(g.encoding)) {
      fail("unknown weight encoding '" + printable(g.encoding) +
           "'; registered: " + WeightEncodingRegistry::instance().joined_names());
    }
    // Every mapping needs room for one output's slice columns (map_layer refuses less).
    if (g.cols < g.cols_per_output()) {
      fail("geometry cols " + std::to_string(g.cols) + " cannot hold one output's " +
           std::to_string(g.cols_per_output()) + " slice columns");
    }
  }

  void check_layer(const TraceLayer& trace_layer) {
    const MappedLayer& layer = trace_layer.mapping;
    if (layer.name.size() > kTraceMaxStringBytes) fail("layer name too long");
    if (layer.policy.empty() || layer.policy.size() > kTraceMaxStringBytes) {
      fail("mapping policy name is empty or too long");
    }
    check_geometry(layer.geometry);
    in_range(layer.inputs, 1, INT32_MAX, "inputs K");
    in_range(layer.outputs, 1, INT32_MAX, "outputs N");
    const auto n_outputs = static_cast<std::size_t>(layer.outputs);
    // Checked before anything is sized by `outputs`: the list's length is bounded by the file.
    if (layer.parts_per_output.size() != n_outputs) {
      fail("parts_per_output has " + std::to_string(layer.parts_per_output.size()) +
           " entries for " + std::to_string(layer.outputs) + " outputs");
    }
    if (!trace_layer.weight_scales.empty() && trace_layer.weight_scales.size() != n_outputs) {
      fail("weight_scales has " + std::to_string(trace_layer.weight_scales.size()) +
           " entries; expected 0 or one per output (" + std::to_string(layer.outputs) + ")");
    }
    for (std::size_t n = 0; n < trace_layer.weight_scales.size(); ++n) {
      const double scale = trace_layer.weight_scales[n];
      if (!std::isfinite(scale) || scale < 0.0) {
        fail("weight scale of output " + std::to_string(n) + " is " + std::to_string(scale) +
             "; expected a finite value >= 0");
      }
    }
    // One crossbar per kept section or row tile; sws_packed packs several kept sections into one
    // crossbar (docs/mapping_packed.md), so there each crossbar holds at least one.
    const bool packed = layer.policy == "sws_packed";
    if (packed ? layer.summary.sections_kept < layer.crossbars.size()
               : layer.summary.sections_kept != layer.crossbars.size()) {
      fail("summary says " + std::to_string(layer.summary.sections_kept) +
           " sections kept but the layer has " + std::to_string(layer.crossbars.size()) +
           (packed ? " crossbars (each holds at least one kept section)"
                   : " crossbars (one per kept section or row tile)"));
    }

    // Looked up once per layer: the encoding lookup takes a lock.
    polarities_ = weight_encoding(layer.geometry.encoding).polarities();
    magnitude_bits_ = layer.geometry.magnitude_bits();
    slices_ = layer.geometry.slices();
    std::vector<int> crossbars_per_output(n_outputs, 0);
    std::uint64_t gathered = 0;
    std::uint64_t columns = 0;
    for (std::size_t j = 0; j < layer.crossbars.size(); ++j) {
      where_.crossbar = static_cast<std::int64_t>(j);
      check_crossbar(layer, layer.crossbars[j]);
      for (std::int32_t n : layer.crossbars[j].outputs) {
        ++crossbars_per_output[static_cast<std::size_t>(n)];
      }
      gathered += layer.crossbars[j].gather.size();
      columns += layer.crossbars[j].columns.size();
    }
    where_.crossbar = -1;
    where_.column = -1;

    if (layer.summary.gather_rows > gathered) {
      fail("summary says " + std::to_string(layer.summary.gather_rows) +
           " gather rows but the crossbars gather only " + std::to_string(gathered));
    }
    for (std::size_t n = 0; n < n_outputs; ++n) {
      in_range(layer.parts_per_output[n], crossbars_per_output[n],
               static_cast<std::int64_t>(layer.crossbars.size()),
               "parts_per_output[" + std::to_string(n) + "]");
    }
    const std::vector<int>& resolution = trace_layer.column_resolution_bits;
    if (!resolution.empty() && resolution.size() != columns) {
      fail("column_resolution_bits has " + std::to_string(resolution.size()) +
           " entries; expected 0 or one per allocated column (" + std::to_string(columns) + ")");
    }
    for (std::size_t i = 0; i < resolution.size(); ++i) {
      in_range(resolution[i], 0, kTraceMaxResolutionBits,
               "column_resolution_bits[" + std::to_string(i) + "]");
    }
  }

  void check_crossbar(const MappedLayer& layer, const MappedCrossbar& crossbar) {
    const MappingGeometry& g = layer.geometry;
    in_range(crossbar.section, -1, INT32_MAX, "section index");
    in_range(crossbar.row_tile, -1, INT32_MAX, "row tile index");
    // Every crossbar is placed; the run checks that the tiles hold them (sim/hw/placement.h).
    in_range(crossbar.tile, 0, chip_.tiles > 0 ? chip_.tiles - 1 : INT32_MAX, "tile");
    in_range(static_cast<std::int64_t>(crossbar.gather.size()), 1, g.rows, "gather size (rows)");
    for (std::size_t r = 0; r < crossbar.gather.size(); ++r) {
      in_range(crossbar.gather[r], 0, layer.inputs - 1, "gather[" + std::to_string(r) + "]");
    }
    std::vector<std::int32_t> sorted = crossbar.gather;
    std::sort(sorted.begin(), sorted.end());
    const auto repeated = std::adjacent_find(sorted.begin(), sorted.end());
    if (repeated != sorted.end()) {
      fail("input " + std::to_string(*repeated) + " is gathered onto two rows");
    }
    in_range(static_cast<std::int64_t>(crossbar.columns.size()), 0, g.cols, "column count");
    for (std::size_t i = 0; i < crossbar.outputs.size(); ++i) {
      in_range(crossbar.outputs[i], 0, layer.outputs - 1, "outputs[" + std::to_string(i) + "]");
      if (i > 0 && crossbar.outputs[i] <= crossbar.outputs[i - 1]) {
        fail("output ids are not strictly ascending at entry " + std::to_string(i));
      }
    }

    std::vector<std::int32_t> column_outputs;
    for (std::size_t k = 0; k < crossbar.columns.size(); ++k) {
      where_.column = static_cast<std::int64_t>(k);
      const MappedColumn& column = crossbar.columns[k];
      check_column(layer, crossbar, column);
      if (k > 0) check_layout_order(crossbar.columns[k - 1], column);
      if (column_outputs.empty() || column_outputs.back() != column.output) {
        column_outputs.push_back(column.output);
      }
    }
    where_.column = -1;
    if (column_outputs != crossbar.outputs) {
      fail("the output ids (" + std::to_string(crossbar.outputs.size()) +
           ") differ from the distinct outputs of its columns (" +
           std::to_string(column_outputs.size()) + ")");
    }
  }

  // Columns are laid out by output, + before -, slices ascending (crossbar-model.md section 7);
  // a strictly increasing order also rules out a column stored twice.
  void check_layout_order(const MappedColumn& previous, const MappedColumn& column) {
    const auto key = [](const MappedColumn& c) {
      return std::make_tuple(c.output, -c.polarity, c.slice);
    };
    if (key(column) <= key(previous)) {
      fail("column (output " + std::to_string(column.output) + ", polarity " +
           std::to_string(column.polarity) + ", slice " + std::to_string(column.slice) +
           ") is out of layout order after (output " + std::to_string(previous.output) +
           ", polarity " + std::to_string(previous.polarity) + ", slice " +
           std::to_string(previous.slice) + ")");
    }
  }

  void check_column(const MappedLayer& layer, const MappedCrossbar& crossbar,
                    const MappedColumn& column) {
    const MappingGeometry& g = layer.geometry;
    in_range(column.output, 0, layer.outputs - 1, "output id");
    if (std::find(polarities_.begin(), polarities_.end(), column.polarity) == polarities_.end()) {
      std::string allowed;
      for (int p : polarities_) allowed += (allowed.empty() ? "" : ", ") + std::to_string(p);
      fail("polarity " + std::to_string(column.polarity) + " is not one of the " + g.encoding +
           " encoding's (" + allowed + ")");
    }
    in_range(column.slice, 0, slices_ - 1, "slice");
    if (column.cells.size() != crossbar.gather.size()) {
      fail("holds " + std::to_string(column.cells.size()) + " cells for " +
           std::to_string(crossbar.gather.size()) + " gathered rows");
    }
    // The top slice of a stored value may hold fewer than cell_bits bits.
    const int level_bits = std::min(g.cell_bits, magnitude_bits_ - int{column.slice} * g.cell_bits);
    const int top_level = (1 << level_bits) - 1;
    for (std::size_t r = 0; r < column.cells.size(); ++r) {
      if (column.cells[r] > top_level) {
        fail("cell of row " + std::to_string(r) + " holds level " +
             std::to_string(column.cells[r]) + ", above the largest level " +
             std::to_string(top_level) + " of slice " + std::to_string(column.slice));
      }
    }
    MappedColumn expected;
    expected.cells = column.cells;
    compute_column_bound(expected, g.dac_bits);
    if (column.bound != expected.bound || column.lossless_bits != expected.lossless_bits) {
      fail("bound " + std::to_string(column.bound) + " and lossless bits " +
           std::to_string(column.lossless_bits) + " do not match its cells, which give " +
           "(2^dac_bits - 1) * sum(cells) = " + std::to_string(expected.bound) + " and " +
           std::to_string(expected.lossless_bits) + " bits");
    }
  }

  std::string prefix_;
  Location where_;
  std::vector<int> polarities_;
  int magnitude_bits_ = 0;
  int slices_ = 0;
};

}  // namespace

std::string printable(const std::string& text, std::size_t max_chars) {
  std::string out;
  for (const char c : text.substr(0, max_chars)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > max_chars) out += "...";
  return out;
}

std::string Location::describe() const {
  if (layer < 0) return "trace";
  std::string out = "layer " + std::to_string(layer) + " '" + printable(layer_name) + "'";
  if (crossbar >= 0) out += ", crossbar " + std::to_string(crossbar);
  if (column >= 0) out += ", column " + std::to_string(column);
  return out;
}

void fail(const std::string& prefix, const std::string& what, const std::string& where) {
  throw DataError(prefix + what + " (" + where + ")");
}

void check_trace(const WeightTrace& trace, const std::string& prefix) {
  TraceChecker(prefix).check(trace);
}

std::array<std::uint8_t, 32> sha256_bytes(const std::uint8_t* data, std::size_t size) {
  const std::string hex = sha256_hex(data, size);
  const auto nibble = [](char c) {
    return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  };
  std::array<std::uint8_t, 32> digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    digest[i] = static_cast<std::uint8_t>((nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]));
  }
  return digest;
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (std::size_t i = 0; i < size; ++i) {
    hex += kHex[data[i] >> 4];
    hex += kHex[data[i] & 0xfU];
  }
  return hex;
}

}  // namespace cimsim::trace_detail
