// The human summary of a weight trace (`cimsim trace inspect`): what a mapping allocated and how
// much ADC work its columns imply, per layer and in total. Example output in docs/trace-format.md.
#include <algorithm>
#include <cstdint>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "sim/encoding/weight_encoding.h"
#include "sim/trace/trace_checks.h"
#include "sim/trace/weight_trace.h"

namespace cimsim {
namespace {

using trace_detail::printable;

// Histograms print at least b* = 0..16 bits, the range of ADCs the simulator configures.
constexpr int kHistogramMinTop = 16;
constexpr std::size_t kTextWidth = 100;
constexpr int kLabelWidth = 25;
constexpr int kRowLabelWidth = 8;
constexpr std::size_t kNameChars = 200;

struct TraceStats {
  std::uint64_t crossbars = 0;
  std::uint64_t sections_kept = 0;
  std::uint64_t sections_dropped = 0;
  std::uint64_t gather_rows = 0;
  std::uint64_t columns = 0;
  std::uint64_t gated_columns = 0;
  std::uint64_t cells = 0;           // allocated cells: gathered rows x allocated columns
  std::uint64_t crossbar_cells = 0;  // rows x cols of every crossbar used
  std::map<int, std::uint64_t> columns_by_slice;
  std::map<int, std::uint64_t> groups_by_slices;  // (crossbar, output, polarity) -> slices
  std::map<int, std::uint64_t> columns_by_lossless_bits;
  std::map<int, std::uint64_t> columns_by_resolution;
  std::uint64_t layers_with_resolution = 0;

  void add(const TraceStats& o) {
    crossbars += o.crossbars;
    sections_kept += o.sections_kept;
    sections_dropped += o.sections_dropped;
    gather_rows += o.gather_rows;
    columns += o.columns;
    gated_columns += o.gated_columns;
    cells += o.cells;
    crossbar_cells += o.crossbar_cells;
    for (const auto& [k, v] : o.columns_by_slice) columns_by_slice[k] += v;
    for (const auto& [k, v] : o.groups_by_slices) groups_by_slices[k] += v;
    for (const auto& [k, v] : o.columns_by_lossless_bits) columns_by_lossless_bits[k] += v;
    for (const auto& [k, v] : o.columns_by_resolution) columns_by_resolution[k] += v;
    layers_with_resolution += o.layers_with_resolution;
  }
};

TraceStats layer_stats(const TraceLayer& trace_layer) {
  const MappedLayer& layer = trace_layer.mapping;
  const std::vector<int> polarities = weight_encoding(layer.geometry.encoding).polarities();
  TraceStats stats;
  stats.crossbars = layer.crossbars.size();
  stats.sections_kept = layer.summary.sections_kept;
  stats.sections_dropped = layer.summary.sections_dropped;
  stats.gather_rows = layer.summary.gather_rows;
  for (const MappedCrossbar& crossbar : layer.crossbars) {
    stats.crossbar_cells += static_cast<std::uint64_t>(layer.geometry.rows) *
                            static_cast<std::uint64_t>(layer.geometry.cols);
    std::map<std::pair<std::int32_t, int>, int> slices_per_group;
    for (std::int32_t n : crossbar.outputs) {
      for (int p : polarities) slices_per_group[{n, p}] = 0;
    }
    for (const MappedColumn& column : crossbar.columns) {
      ++stats.columns;
      if (column.bound == 0) ++stats.gated_columns;
      stats.cells += column.cells.size();
      ++stats.columns_by_slice[column.slice];
      ++stats.columns_by_lossless_bits[column.lossless_bits];
      ++slices_per_group[{column.output, column.polarity}];
    }
    for (const auto& group : slices_per_group) ++stats.groups_by_slices[group.second];
  }
  for (int bits : trace_layer.column_resolution_bits) ++stats.columns_by_resolution[bits];
  stats.layers_with_resolution = trace_layer.column_resolution_bits.empty() ? 0 : 1;
  return stats;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1)
      << (whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole))
      << " %";
  return out.str();
}

class Printer {
 public:
  void heading(const std::string& text) { out_ << text << "\n"; }

  template <typename T>
  void line(const std::string& label, const T& value) {
    out_ << "  " << std::left << std::setw(kLabelWidth) << label << std::right << value << "\n";
  }

  // A two-row table, `key_label` values 0..top (top at least `min_top`) over their counts,
  // wrapped to kTextWidth characters: compact enough for networks of many layers.
  void table(const std::string& title, const char* key_label, const char* count_label,
             const std::map<int, std::uint64_t>& counts, int min_top) {
    out_ << "  " << title << "\n";
    int top = min_top;
    std::size_t width = 3;
    for (const auto& [key, n] : counts) {
      top = std::max(top, key);
      width = std::max({width, std::to_string(n).size() + 1, std::to_string(key).size() + 1});
    }
    const auto w = static_cast<int>(width);
    const int per_row = std::max(1, static_cast<int>((kTextWidth - 4 - kRowLabelWidth) / width));
    for (int first = 0; first <= top; first += per_row) {
      const int last = std::min(top, first + per_row - 1);
      out_ << "    " << std::left << std::setw(kRowLabelWidth) << key_label << std::right;
      for (int key = first; key <= last; ++key) out_ << std::setw(w) << key;
      out_ << "\n    " << std::left << std::setw(kRowLabelWidth) << count_label << std::right;
      for (int key = first; key <= last; ++key) {
        const auto found = counts.find(key);
        out_ << std::setw(w) << (found == counts.end() ? 0 : found->second);
      }
      out_ << "\n";
    }
  }

  void stats(const TraceStats& s) {
    line("crossbars", s.crossbars);
    line("sections / row tiles", std::to_string(s.sections_kept) + " kept, " +
                                     std::to_string(s.sections_dropped) + " dropped (all-zero)");
    line("gather rows", std::to_string(s.gather_rows) + " (wordlines fed by a static gather)");
    line("allocated columns", s.columns);
    line("gated columns (bound 0)", std::to_string(s.gated_columns) + " (" +
                                        percent(s.gated_columns, s.columns) +
                                        "; ADC off under power gating)");
    line("allocated cells", std::to_string(s.cells) + " of " + std::to_string(s.crossbar_cells) +
                                " in the crossbars used (" + percent(s.cells, s.crossbar_cells) +
                                ")");
    table("columns by slice index k (0 = least significant):", "k", "columns", s.columns_by_slice,
          0);
    table("slice columns h allocated per (crossbar, output, polarity):", "h", "groups",
          s.groups_by_slices, 0);
    table("columns by lossless bits b* = ceil(log2(bound + 1)) (0 = gated):", "b*", "columns",
          s.columns_by_lossless_bits, kHistogramMinTop);
    if (s.layers_with_resolution > 0) {
      table("columns by ADC resolution [bits] under the mapping run's ADC settings:", "bits",
            "columns", s.columns_by_resolution, kHistogramMinTop);
    }
  }

  [[nodiscard]] std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string geometry_text(const MappingGeometry& g) {
  std::ostringstream out;
  out << g.rows << " rows x " << g.cols << " cols, " << g.cell_bits << "-bit cells, " << g.dac_bits
      << "-bit DAC, " << printable(g.encoding) << " encoding";
  return out.str();
}

// Section rows only mean something where the policy cut sections (not for row tiles).
std::string sections_text(const MappedLayer& layer) {
  const bool sectioned = std::any_of(layer.crossbars.begin(), layer.crossbars.end(),
                                     [](const MappedCrossbar& c) { return c.section >= 0; });
  return sectioned ? ", " + std::to_string(layer.geometry.section_rows) + "-row sections" : "";
}

// Fewest..most partial sums an output adds (row tiles or kept sections), and the adder tree.
std::string parts_text(const MappedLayer& layer) {
  if (layer.parts_per_output.empty()) return "none";
  const auto [fewest, most] =
      std::minmax_element(layer.parts_per_output.begin(), layer.parts_per_output.end());
  return std::to_string(*fewest) + ".." + std::to_string(*most) + " (adder tree depth " +
         std::to_string(layer.adder_tree_depth()) + ")";
}

std::string scales_text(const std::vector<double>& scales) {
  if (scales.empty()) return "none (integer weights)";
  const auto [lo, hi] = std::minmax_element(scales.begin(), scales.end());
  std::ostringstream out;
  out << scales.size() << " (one per output), min " << std::setprecision(6) << *lo << ", max "
      << *hi;
  return out.str();
}

// The tiles a set of crossbars occupies: distinct (load, tile) slots and crossbars in each.
std::map<std::pair<std::uint32_t, std::int32_t>, std::uint64_t> tile_occupancy(
    const std::vector<const MappedCrossbar*>& crossbars) {
  std::map<std::pair<std::uint32_t, std::int32_t>, std::uint64_t> per_tile;
  for (const MappedCrossbar* crossbar : crossbars) ++per_tile[{crossbar->load, crossbar->tile}];
  return per_tile;
}

std::string occupancy_text(
    const std::map<std::pair<std::uint32_t, std::int32_t>, std::uint64_t>& per_tile) {
  if (per_tile.empty()) return "none";
  std::uint64_t fewest = UINT64_MAX;
  std::uint64_t most = 0;
  std::set<std::uint32_t> loads;
  for (const auto& [slot, crossbars] : per_tile) {
    fewest = std::min(fewest, crossbars);
    most = std::max(most, crossbars);
    loads.insert(slot.first);
  }
  return std::to_string(per_tile.size()) + " tile" + (per_tile.size() == 1 ? "" : "s") +
         (loads.size() > 1 ? " over " + std::to_string(loads.size()) + " loads" : "") + ", " +
         std::to_string(fewest) + ".." + std::to_string(most) + " crossbars per tile";
}

// The chip the trace was placed on and how full its tiles are (crossbar-model.md section 11).
void print_placement(Printer& print, const WeightTrace& trace) {
  const TraceChip& chip = trace.chip;
  std::vector<const MappedCrossbar*> all;
  for (const TraceLayer& layer : trace.layers) {
    for (const MappedCrossbar& crossbar : layer.mapping.crossbars) all.push_back(&crossbar);
  }
  const auto per_tile = tile_occupancy(all);
  std::uint64_t fewest_adcs = UINT64_MAX;
  std::uint64_t most_adcs = 0;
  // The chip's ADCs are those of the tiles used (a pool each) or of the crossbars of its
  // fullest load: every load is written into the same tiles.
  std::map<std::int32_t, std::uint64_t> physical;  // tile -> its most crossbars in one load
  for (const auto& [slot, crossbars] : per_tile) {
    const std::uint64_t tile_adcs =
        chip.tile_adcs > 0 ? static_cast<std::uint64_t>(chip.tile_adcs)
                           : crossbars * static_cast<std::uint64_t>(chip.adcs_per_crossbar);
    fewest_adcs = std::min(fewest_adcs, tile_adcs);
    most_adcs = std::max(most_adcs, tile_adcs);
    physical[slot.second] = std::max(physical[slot.second], tile_adcs);
  }
  std::uint64_t adcs = 0;
  for (const auto& [tile, tile_adcs] : physical) adcs += tile_adcs;
  print.heading("placement on the chip");
  print.line("chip", printable(chip.placement) + " placement, " +
                         (chip.tiles > 0 ? std::to_string(chip.tiles) + " tiles"
                                         : std::string("tiles as needed")) +
                         ", " + std::to_string(chip.tile_crossbars) + " slots per tile, " +
                         (chip.tile_adcs > 0
                              ? "a pool of " + std::to_string(chip.tile_adcs) + " ADCs per tile"
                              : std::to_string(chip.adcs_per_crossbar) + " ADCs per crossbar"));
  print.line("tiles used", occupancy_text(per_tile));
  if (!per_tile.empty()) {
    print.line("ADCs per tile", std::to_string(fewest_adcs) + ".." + std::to_string(most_adcs) +
                                    " (" + std::to_string(adcs) + " in the tiles used)");
  }
}

}  // namespace

std::string inspect_trace(const WeightTrace& trace) {
  Printer print;
  print.heading("weight trace: " + std::to_string(trace.layers.size()) + " layer" +
                (trace.layers.size() == 1 ? "" : "s") + ", producer '" +
                printable(trace.producer, kNameChars) + "', experiment '" +
                printable(trace.experiment, kNameChars) + "'");
  TraceStats totals;
  for (std::size_t i = 0; i < trace.layers.size(); ++i) {
    const TraceLayer& trace_layer = trace.layers[i];
    const MappedLayer& layer = trace_layer.mapping;
    const MappingGeometry& g = layer.geometry;
    print.heading("");
    print.heading("layer " + std::to_string(i) + " '" + printable(layer.name, kNameChars) +
                  "': " + std::to_string(layer.inputs) + " x " + std::to_string(layer.outputs) +
                  " (K inputs x N outputs), policy " + printable(layer.policy) +
                  sections_text(layer));
    print.line("crossbar", geometry_text(g));
    print.line("quantization", std::to_string(g.weight_bits) + "-bit weights, " +
                                   std::to_string(g.input_bits) + "-bit inputs, " +
                                   std::to_string(g.slices()) + " slices per polarity");
    print.line("parts per output", parts_text(layer));
    print.line("weight scales", scales_text(trace_layer.weight_scales));
    std::vector<const MappedCrossbar*> crossbars;
    for (const MappedCrossbar& crossbar : layer.crossbars) crossbars.push_back(&crossbar);
    print.line("tiles", occupancy_text(tile_occupancy(crossbars)));
    const TraceStats stats = layer_stats(trace_layer);
    print.stats(stats);
    totals.add(stats);
  }
  print.heading("");
  print.heading(
      "totals over " + std::to_string(trace.layers.size()) + " layer" +
      (trace.layers.size() == 1 ? "" : "s") +
      (totals.layers_with_resolution > 0 && totals.layers_with_resolution < trace.layers.size()
           ? " (ADC resolution over the " + std::to_string(totals.layers_with_resolution) +
                 " that record it)"
           : std::string()));
  print.stats(totals);
  print.heading("");
  print_placement(print, trace);
  return print.text();
}

}  // namespace cimsim
