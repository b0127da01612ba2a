// `cimsim trace inspect`: the summary of a trace, checked against counts worked out by hand.
//
// The hand matrix (trace_test_util.h), K x N = 6 x 2, 4-bit weights (3 magnitude bits, so 3
// slices per polarity), 1-bit cells, 2-bit DAC (bound = 3 * sum of cells), 4 x 16 crossbars:
//
//   k:   0  1  2  3  4  5
//   n0:  0  3  0  1  0 -2
//   n1:  0  0 -1  0  7  0
//
// sws, 2-row sections aligned to the largest end:
//   n0 sorted by |q|: rows 0 2 | 4 3 | 5 1  -> section 0 all zero (dropped); section 1 (q 0, 1)
//      needs h+ = 1, h- = 0: column (+,0) cells 0 1; section 2 (q -2, 3) needs h+ = 2, h- = 2:
//      (+,0) 0 1, (+,1) 0 1, (-,0) 0 0 (gated), (-,1) 1 0.
//   n1 sorted by |q|: rows 0 1 | 3 5 | 2 4  -> two sections dropped; section 2 (q -1, 7) needs
//      h+ = 3, h- = 1: (+,0) (+,1) (+,2) 0 1 each, (-,0) 1 0.
//   So 3 crossbars, 3 kept and 3 dropped sections, 6 gather rows, 9 columns, 1 gated; columns by
//   slice 5, 3, 1; slices per (crossbar, output, polarity) h=0: 1, h=1: 2, h=2: 2, h=3: 1; every
//   other column has one cell at level 1, bound 3, b* = 2: b* histogram 0: 1, 2: 8.
// baseline: row tiles 0-3 and 4-5, both outputs on one crossbar: 2 crossbars x 12 columns; tile 0
//   has n0 (+,0) cells 0 1 0 1 (bound 6, b* 3), n0 (+,1) and n1 (-,0) one level-1 cell each
//   (b* 2); tile 1 has n0 (-,1), n1 (+,0) (+,1) (+,2) one level-1 cell each (b* 2). So 24
//   columns, 17 gated, b* histogram 0: 17, 2: 6, 3: 1.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sim/trace/trace_commands.h"
#include "sim/trace/weight_trace.h"
#include "tests/trace/trace_test_util.h"

namespace cimsim {
namespace {

// The blank-line separated blocks of the summary: heading, one per layer, totals.
std::vector<std::string> blocks(const std::string& text) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  for (std::size_t end; (end = text.find("\n\n", begin)) != std::string::npos; begin = end + 2) {
    out.push_back(text.substr(begin, end - begin + 1));
  }
  out.push_back(text.substr(begin));
  return out;
}

// The value printed after `label` on its line of the block ("" when absent).
std::string value(const std::string& block, const std::string& label) {
  std::istringstream lines(block);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  " + label + " ", 0) != 0) continue;
    const std::size_t start = line.find_first_not_of(' ', 2 + label.size());
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

// The table printed under the line starting with `title`: key -> count, over its (possibly
// wrapped) pairs of rows "    <key label> keys..." and "    <count label> counts...".
std::map<int, std::uint64_t> table(const std::string& block, const std::string& title) {
  std::map<int, std::uint64_t> counts;
  std::istringstream lines(block);
  std::string line;
  while (std::getline(lines, line) && line.rfind("  " + title, 0) != 0) {
  }
  std::string keys_line;
  std::string counts_line;
  while (std::getline(lines, keys_line) && keys_line.rfind("    ", 0) == 0 &&
         std::getline(lines, counts_line)) {
    std::istringstream keys(keys_line);
    std::istringstream values(counts_line);
    std::string label;
    keys >> label;
    values >> label;
    int key = 0;
    std::uint64_t n = 0;
    while (keys >> key && values >> n) counts[key] = n;
  }
  return counts;
}

using Counts = std::map<int, std::uint64_t>;

// Counts 0..16 with the given nonzero entries.
Counts with(Counts nonzero) {
  for (int b = 0; b <= 16; ++b) nonzero.emplace(b, 0);
  return nonzero;
}

WeightTrace hand_trace() {
  WeightTrace trace = trace_testing::small_trace();  // sws, with scales and resolutions
  trace.layers.push_back(trace_testing::trace_layer("baseline", trace_testing::hand_matrix(),
                                                    trace_testing::hand_geometry(), "hand_base",
                                                    false));
  trace_testing::place(trace);  // 2 slots per tile: sws in tiles 0, 0, 1; baseline in 1, 2
  return trace;
}

TEST(TraceInspect, HandMatrixSwsCounts) {
  const std::vector<std::string> parts = blocks(inspect_trace(hand_trace()));
  ASSERT_EQ(parts.size(), 5U);
  EXPECT_NE(parts[0].find("2 layers, producer 'cimsim test', experiment 'hand'"),
            std::string::npos);
  const std::string& sws = parts[1];
  EXPECT_EQ(
      sws.rfind("layer 0 'hand': 6 x 2 (K inputs x N outputs), policy sws, 2-row sections", 0), 0U)
      << sws;
  EXPECT_EQ(value(sws, "crossbars"), "3");
  EXPECT_EQ(value(sws, "sections / row tiles"), "3 kept, 3 dropped (all-zero)");
  EXPECT_EQ(value(sws, "gather rows").rfind("6 ", 0), 0U);
  EXPECT_EQ(value(sws, "allocated columns"), "9");
  EXPECT_EQ(value(sws, "gated columns (bound 0)").rfind("1 (11.1 %", 0), 0U);
  EXPECT_EQ(value(sws, "allocated cells"), "18 of 192 in the crossbars used (9.4 %)");
  EXPECT_EQ(value(sws, "parts per output"), "1..2 (adder tree depth 1)");
  EXPECT_EQ(value(sws, "weight scales"), "2 (one per output), min 0.01, max 0.02");
  EXPECT_EQ(table(sws, "columns by slice index"), (Counts{{0, 5}, {1, 3}, {2, 1}}));
  EXPECT_EQ(table(sws, "slice columns h allocated"), (Counts{{0, 1}, {1, 2}, {2, 2}, {3, 1}}));
  EXPECT_EQ(table(sws, "columns by lossless bits"), with({{0, 1}, {2, 8}}));
  EXPECT_EQ(table(sws, "columns by ADC resolution"), with({{0, 1}, {2, 8}}));
  EXPECT_EQ(value(sws, "tiles"), "2 tiles, 1..2 crossbars per tile");
}

TEST(TraceInspect, HandMatrixBaselineCountsAndTotals) {
  const std::vector<std::string> parts = blocks(inspect_trace(hand_trace()));
  ASSERT_EQ(parts.size(), 5U);
  const std::string& base = parts[2];
  EXPECT_EQ(base.rfind("layer 1 'hand_base': 6 x 2 (K inputs x N outputs), policy baseline\n", 0),
            0U)
      << base;
  EXPECT_EQ(value(base, "crossbars"), "2");
  EXPECT_EQ(value(base, "sections / row tiles"), "2 kept, 0 dropped (all-zero)");
  EXPECT_EQ(value(base, "allocated columns"), "24");
  EXPECT_EQ(value(base, "gated columns (bound 0)").rfind("17 (70.8 %", 0), 0U);
  EXPECT_EQ(value(base, "allocated cells"), "72 of 128 in the crossbars used (56.2 %)");
  EXPECT_EQ(value(base, "weight scales"), "none (integer weights)");
  EXPECT_EQ(table(base, "columns by slice index"), (Counts{{0, 8}, {1, 8}, {2, 8}}));
  EXPECT_EQ(table(base, "slice columns h allocated"), (Counts{{0, 0}, {1, 0}, {2, 0}, {3, 8}}));
  EXPECT_EQ(table(base, "columns by lossless bits"), with({{0, 17}, {2, 6}, {3, 1}}));
  EXPECT_TRUE(table(base, "columns by ADC resolution").empty());

  const std::string& totals = parts[3];
  EXPECT_EQ(totals.rfind("totals over 2 layers", 0), 0U) << totals;
  EXPECT_EQ(value(totals, "crossbars"), "5");
  EXPECT_EQ(value(totals, "sections / row tiles"), "5 kept, 3 dropped (all-zero)");
  EXPECT_EQ(value(totals, "allocated columns"), "33");
  EXPECT_EQ(value(totals, "gated columns (bound 0)").rfind("18 ", 0), 0U);
  EXPECT_EQ(table(totals, "columns by slice index"), (Counts{{0, 13}, {1, 11}, {2, 9}}));
  EXPECT_EQ(table(totals, "columns by lossless bits"), with({{0, 18}, {2, 14}, {3, 1}}));

  // Placed two to a tile in network order: tiles 0 (sws 0, 1), 1 (sws 2, baseline 0), 2
  // (baseline 1); one ADC per crossbar, so a tile has as many ADCs as crossbars.
  const std::string& placement = parts[4];
  EXPECT_EQ(placement.rfind("placement on the chip", 0), 0U) << placement;
  EXPECT_EQ(value(placement, "chip"),
            "fixed placement, tiles as needed, 2 slots per tile, 1 ADCs per crossbar");
  EXPECT_EQ(value(base, "tiles"), "2 tiles, 1..1 crossbars per tile");
  EXPECT_EQ(value(placement, "tiles used"), "3 tiles, 1..2 crossbars per tile");
  EXPECT_EQ(value(placement, "ADCs per tile"), "1..2 (5 in the tiles used)");
}

// On random mappings the summary agrees with counts taken directly from the structures.
TEST(TraceInspect, TotalsAgreeWithTheMappedLayers) {
  const WeightTrace trace = trace_testing::random_trace(5);
  std::uint64_t crossbars = 0;
  std::uint64_t columns = 0;
  std::map<int, std::uint64_t> by_bits;
  for (const TraceLayer& layer : trace.layers) {
    crossbars += layer.mapping.crossbars.size();
    for (const MappedCrossbar& crossbar : layer.mapping.crossbars) {
      columns += crossbar.columns.size();
      for (const MappedColumn& column : crossbar.columns) ++by_bits[column.lossless_bits];
    }
  }
  const std::vector<std::string> parts = blocks(inspect_trace(trace));
  ASSERT_EQ(parts.size(), trace.layers.size() + 3);
  const std::string& totals = parts[parts.size() - 2];
  EXPECT_EQ(value(totals, "crossbars"), std::to_string(crossbars));
  EXPECT_EQ(value(totals, "allocated columns"), std::to_string(columns));
  EXPECT_EQ(table(totals, "columns by lossless bits"), with(by_bits));
  // Two slots per tile, filled in network order.
  EXPECT_EQ(value(parts.back(), "tiles used"), std::to_string((crossbars + 1) / 2) + " tiles, " +
                                                   (crossbars % 2 ? "1..2" : "2..2") +
                                                   " crossbars per tile");
}

// Six-digit counts do not fit 17 bit counts on one 100-character row: the table wraps.
TEST(TraceInspect, LargeCountsWrapTheHistogram) {
  std::mt19937_64 rng(3);
  MappingGeometry g;  // 128 x 128, 8-bit weights, differential: 14 columns per output
  const IntMatrix w = testing::random_matrix(rng, 1, 8000, -127, 127, 0.9);
  WeightTrace trace;
  trace.layers.push_back(trace_testing::trace_layer("baseline", w, g, "wide", false));
  std::map<int, std::uint64_t> by_bits;
  for (const MappedCrossbar& crossbar : trace.layers[0].mapping.crossbars) {
    for (const MappedColumn& column : crossbar.columns) ++by_bits[column.lossless_bits];
  }
  ASSERT_GE(by_bits[0], 100000U);
  const std::string text = inspect_trace(trace);
  std::istringstream lines(text);
  int bits_rows = 0;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), 100U) << line;
    if (line.rfind("    b* ", 0) == 0) ++bits_rows;
  }
  EXPECT_EQ(bits_rows, 4);  // two wrapped rows per b* table, in the layer and the totals
  EXPECT_EQ(table(blocks(text)[1], "columns by lossless bits"), with(by_bits));
}

TEST(TraceInspect, CommandPrintsFileHeaderThenSummary) {
  const trace_testing::TempDir dir;
  const auto file = dir.path() / "hand.cimtrace";
  const WeightTrace trace = hand_trace();
  write_trace(file, trace);
  std::ostringstream out;
  EXPECT_EQ(trace_inspect_command(file, out), 0);
  const std::string text = out.str();
  const std::string first_line = text.substr(0, text.find('\n'));
  EXPECT_EQ(first_line, file.string() + ": " + std::to_string(std::filesystem::file_size(file)) +
                            " bytes, trace format version 2, checksum and consistency checks "
                            "passed");
  EXPECT_EQ(text.substr(first_line.size() + 1), inspect_trace(trace));
}

TEST(TraceInspect, CommandRefusesABadTrace) {
  const trace_testing::TempDir dir;
  const auto file = dir.path() / "bad.cimtrace";
  trace_testing::write_bytes(file, {'C', 'I', 'M'});
  std::ostringstream out;
  trace_testing::expect_data_error([&] { trace_inspect_command(file, out); },
                                   {file.string(), "truncated"});
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace cimsim
