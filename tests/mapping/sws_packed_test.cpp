// The packed sorted-sectioning mapping (docs/mapping_packed.md): a hand-made matrix checked entry
// by entry, the group-size rule, and random matrices for exactness and the crossbar budget.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

#include "sim/core/errors.h"
#include "sim/mapping/mapping_policy.h"
#include "tests/test_util.h"

namespace cimsim {
namespace {

// K = 6, N = 2, 4-bit weights (3-bit differential magnitudes), 1-bit cells and DACs; crossbars
// of 4 rows x 12 columns (6 columns per output, 2 outputs per crossbar); 2-row sections.
//   output 0: q = [0, -5, 0, -1, -2, 0]: sorted rows [0, 2, 5, 3, 4, 1]; sections {0, 2}
//             (zero, dropped), {5, 3} (nonzero rows {3}), {4, 1} (nonzero rows {1, 4}).
//   output 1: q = [0, 1, 0, 0, 3, 0]: sorted rows [0, 2, 3, 5, 1, 4]; sections {0, 2} and
//             {3, 5} dropped, {1, 4}.
// The baseline needs ceil(6 / 4) x ceil(2 / 2) = 2 crossbars; with groups of one output the
// three kept sections pack into 2: {3} of output 0 and {1, 4} of output 1 share a crossbar
// (output 0's other section cannot join: one section per output per crossbar).
class PackedHandMade : public ::testing::Test {
 protected:
  PackedHandMade() : weights_(6, 2) {
    const std::int32_t output0[6] = {0, -5, 0, -1, -2, 0};
    const std::int32_t output1[6] = {0, 1, 0, 0, 3, 0};
    for (std::size_t k = 0; k < 6; ++k) {
      weights_.at(k, 0) = output0[k];
      weights_.at(k, 1) = output1[k];
    }
    geometry_.rows = 4;
    geometry_.cols = 12;
    geometry_.weight_bits = 4;
    geometry_.section_rows = 2;
  }
  IntMatrix weights_;
  MappingGeometry geometry_;
};

TEST_F(PackedHandMade, SectionsOfDifferentOutputsShareACrossbarWithZerosOutsideTheirRows) {
  const MappedLayer layer = map_layer("sws_packed", weights_, geometry_, "m");
  ASSERT_EQ(layer.crossbars.size(), 2U);
  EXPECT_EQ(layer.summary.sections_kept, 3U);
  EXPECT_EQ(layer.summary.sections_dropped, 3U);
  EXPECT_EQ(layer.summary.gather_rows, 5U);
  EXPECT_EQ(layer.parts_per_output, (std::vector<int>{2, 1}));

  const MappedCrossbar& shared = layer.crossbars[0];
  EXPECT_EQ(shared.gather, (std::vector<std::int32_t>{1, 3, 4}));
  EXPECT_EQ(shared.outputs, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(shared.section, 1);
  ASSERT_EQ(shared.columns.size(), 3U);
  // Output 0's (-, slice 0) holds only its own section's row 3: rows 1 and 4 belong to output
  // 1's section here, so output 0's -5 and -2 there must read as zero (they sit in crossbar 1).
  EXPECT_EQ(shared.columns[0].output, 0);
  EXPECT_EQ(shared.columns[0].polarity, -1);
  EXPECT_EQ(shared.columns[0].cells, (std::vector<std::uint8_t>{0, 1, 0}));
  EXPECT_EQ(shared.columns[0].bound, 1);
  // Output 1's (+, slices 0 and 1) over rows [1, 3, 4]: q = [1, 0, 3].
  EXPECT_EQ(shared.columns[1].output, 1);
  EXPECT_EQ(shared.columns[1].cells, (std::vector<std::uint8_t>{1, 0, 1}));
  EXPECT_EQ(shared.columns[2].slice, 1);
  EXPECT_EQ(shared.columns[2].cells, (std::vector<std::uint8_t>{0, 0, 1}));

  const MappedCrossbar& own = layer.crossbars[1];
  EXPECT_EQ(own.gather, (std::vector<std::int32_t>{1, 4}));
  EXPECT_EQ(own.section, 2);
  ASSERT_EQ(own.columns.size(), 3U);  // q- = [5, 2]: slices 0..2
  EXPECT_EQ(own.columns[0].cells, (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(own.columns[1].cells, (std::vector<std::uint8_t>{0, 1}));
  EXPECT_EQ(own.columns[2].cells, (std::vector<std::uint8_t>{1, 0}));

  EXPECT_EQ(reconstruct_weights(layer).data, weights_.data);
  EXPECT_EQ(layer.adder_tree_depth(), 1);
}

TEST_F(PackedHandMade, OffsetEncodingIsRefused) {
  geometry_.encoding = "offset";
  EXPECT_THROW((void)map_layer("sws_packed", weights_, geometry_, "m"), ConfigError);
}

// Two dense outputs over K = 8 rows, 4-row crossbars: output 0's magnitudes rise with the row
// (sections {0..3}, {4..7}), output 1's are small on even rows (sections {0, 2, 4, 6},
// {1, 3, 5, 7}). One output per group needs 4 crossbars (no two sections' rows fit 4 wordlines
// together), over the baseline's 2, so the group grows to 2 outputs sharing one row order (the
// sws_shared sections), which fits.
TEST(PackedGroupSize, GrowsUntilTheBaselineCrossbarCountFits) {
  IntMatrix w(8, 2);
  for (std::size_t k = 0; k < 8; ++k) {
    w.at(k, 0) = static_cast<std::int32_t>(k + 1);
    w.at(k, 1) = static_cast<std::int32_t>(k % 2 == 0 ? 1 + k / 2 : 5 + k / 2);
  }
  MappingGeometry g;
  g.rows = 4;
  g.cols = 12;
  g.weight_bits = 5;  // 4-bit magnitudes: 8 columns per output, one output per crossbar
  g.section_rows = 4;
  // 8 columns per output leave room for one output per 12-column crossbar: budget 2 x 2 = 4.
  EXPECT_EQ(map_layer("baseline", w, g, "m").crossbars.size(), 4U);
  g.cols = 16;  // two outputs per crossbar: budget 2 x 1 = 2
  const MappedLayer packed = map_layer("sws_packed", w, g, "m");
  ASSERT_EQ(packed.crossbars.size(), 2U);
  for (const MappedCrossbar& crossbar : packed.crossbars) {
    EXPECT_EQ(crossbar.outputs, (std::vector<std::int32_t>{0, 1}));
    EXPECT_EQ(crossbar.gather.size(), 4U);
  }
  EXPECT_EQ(reconstruct_weights(packed).data, w.data);
}

using ColumnKey = std::tuple<std::int32_t, int, int, std::int64_t>;

std::vector<ColumnKey> column_keys(const MappedLayer& layer) {
  std::vector<ColumnKey> keys;
  for (const MappedCrossbar& crossbar : layer.crossbars) {
    for (const MappedColumn& c : crossbar.columns) {
      keys.emplace_back(c.output, c.polarity, c.slice, c.bound);
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Random matrices, geometries and sparsities: the crossbars rebuild the weights exactly, respect
// the crossbar's rows and columns, hold each output at most once, stay within the baseline's
// count when sections are crossbar-long, and, when K fits one crossbar (groups of one output
// always fit then), convert exactly sws's columns.
TEST(PackedRandom, ExactWithinLimitsAndWithinTheBaselineCount) {
  std::mt19937_64 rng(20);
  std::uniform_int_distribution<int> pick(0, 1000);
  for (int trial = 0; trial < 60; ++trial) {
    MappingGeometry g;
    g.rows = 4 + pick(rng) % 40;
    g.cell_bits = std::vector<int>{1, 2, 4}[static_cast<std::size_t>(pick(rng) % 3)];
    g.dac_bits = 1 + pick(rng) % 2;
    g.weight_bits = 3 + pick(rng) % 6;
    g.cols = g.cols_per_output() * (1 + pick(rng) % 5) + pick(rng) % 3;
    const bool full_sections = trial % 2 == 0;
    g.section_rows = full_sections ? g.rows : 1 + pick(rng) % g.rows;
    const std::size_t k = 1 + static_cast<std::size_t>(pick(rng) % (3 * g.rows));
    const std::size_t n = 1 + static_cast<std::size_t>(pick(rng) % 12);
    const std::int32_t w_max = (1 << (g.weight_bits - 1)) - 1;
    const IntMatrix w = testing::random_matrix(rng, k, n, -w_max, w_max, (pick(rng) % 10) / 10.0);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": K " + std::to_string(k) + ", N " +
                 std::to_string(n) + ", R " + std::to_string(g.rows) + ", C " +
                 std::to_string(g.cols) + ", Rs " + std::to_string(g.section_rows));

    const MappedLayer packed = map_layer("sws_packed", w, g, "m");
    EXPECT_EQ(reconstruct_weights(packed).data, w.data);
    for (const MappedCrossbar& crossbar : packed.crossbars) {
      EXPECT_LE(crossbar.gather.size(), static_cast<std::size_t>(g.rows));
      EXPECT_LE(crossbar.columns.size(), static_cast<std::size_t>(g.cols));
      EXPECT_TRUE(std::is_sorted(crossbar.gather.begin(), crossbar.gather.end()));
    }
    std::vector<int> holding(n, 0);
    for (const MappedCrossbar& crossbar : packed.crossbars) {
      for (std::int32_t out : crossbar.outputs) ++holding[static_cast<std::size_t>(out)];
    }
    EXPECT_EQ(holding, packed.parts_per_output);
    EXPECT_GE(packed.summary.sections_kept, packed.crossbars.size());
    if (full_sections) {
      EXPECT_LE(packed.crossbars.size(), map_layer("baseline", w, g, "m").crossbars.size());
    }
    if (k <= static_cast<std::size_t>(g.rows) && full_sections) {
      EXPECT_EQ(column_keys(packed), column_keys(map_layer("sws", w, g, "m")));
    }
  }
}

}  // namespace
}  // namespace cimsim
