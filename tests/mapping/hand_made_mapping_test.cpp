// Mappings of a hand-made matrix (crossbar-model.md section 7), checked entry by entry.
//
// K = 6, N = 2, 4-bit weights (3-bit differential magnitudes), 1-bit cells, 1-bit DACs:
//   output 0: q = [0, 5, 0, -1, 2, 0]; output 1: all zero.
// Crossbars of 4 rows x 12 columns: 6 columns per output, 2 outputs per crossbar.
// Sorted by |q| (stable), output 0's rows are [0, 2, 5, 3, 4, 1]; sections of 2 rows aligned to
// the largest end: {0, 2} (all zero, dropped), {5, 3} (q = 0, -1), {4, 1} (q = 2, 5).
#include <gtest/gtest.h>

#include "sim/core/errors.h"
#include "sim/mapping/mapping_policy.h"

namespace cimsim {
namespace {

class HandMadeMapping : public ::testing::Test {
 protected:
  HandMadeMapping() : weights_(6, 2) {
    const std::int32_t output0[6] = {0, 5, 0, -1, 2, 0};
    for (std::size_t k = 0; k < 6; ++k) weights_.at(k, 0) = output0[k];
    geometry_.rows = 4;
    geometry_.cols = 12;
    geometry_.weight_bits = 4;
    geometry_.section_rows = 2;
  }
  IntMatrix weights_;
  MappingGeometry geometry_;
};

TEST_F(HandMadeMapping, BaselineTilesInNaturalOrderWithEverySlice) {
  const MappedLayer layer = map_layer("baseline", weights_, geometry_, "m");
  ASSERT_EQ(layer.crossbars.size(), 2U);  // 2 row tiles x 1 group of 2 outputs
  EXPECT_EQ(layer.crossbars[0].gather, (std::vector<std::int32_t>{0, 1, 2, 3}));
  EXPECT_EQ(layer.crossbars[1].gather, (std::vector<std::int32_t>{4, 5}));
  ASSERT_EQ(layer.crossbars[0].columns.size(), 12U);
  // Output 0, (+, slice 0..2) over rows 0-3: q+ = [0, 5, 0, 0] -> bits [0,1,0,0], [0,0,0,0],
  // [0,1,0,0].
  EXPECT_EQ(layer.crossbars[0].columns[0].cells, (std::vector<std::uint8_t>{0, 1, 0, 0}));
  EXPECT_EQ(layer.crossbars[0].columns[1].cells, (std::vector<std::uint8_t>{0, 0, 0, 0}));
  EXPECT_EQ(layer.crossbars[0].columns[2].cells, (std::vector<std::uint8_t>{0, 1, 0, 0}));
  // (-, slice 0) holds the -1 at row 3.
  EXPECT_EQ(layer.crossbars[0].columns[3].polarity, -1);
  EXPECT_EQ(layer.crossbars[0].columns[3].cells, (std::vector<std::uint8_t>{0, 0, 0, 1}));
  EXPECT_EQ(layer.crossbars[0].columns[3].bound, 1);
  EXPECT_EQ(layer.crossbars[0].columns[6].output, 1);
  EXPECT_EQ(layer.crossbars[0].columns[6].bound, 0);  // output 1 is all zero: gated
  EXPECT_EQ(layer.parts_per_output, (std::vector<int>{2, 2}));
  EXPECT_EQ(layer.summary.sections_dropped, 0U);
}

TEST_F(HandMadeMapping, SwsDropsZeroSectionsAndAllocatesOnlyNeededSlices) {
  const MappedLayer layer = map_layer("sws", weights_, geometry_, "m");
  // Output 0 keeps 2 of its 3 sections; output 1 drops all 3.
  ASSERT_EQ(layer.crossbars.size(), 2U);
  EXPECT_EQ(layer.summary.sections_kept, 2U);
  EXPECT_EQ(layer.summary.sections_dropped, 4U);
  EXPECT_EQ(layer.summary.gather_rows, 4U);
  EXPECT_EQ(layer.parts_per_output, (std::vector<int>{2, 0}));
  const MappedCrossbar& small = layer.crossbars[0];
  EXPECT_EQ(small.gather, (std::vector<std::int32_t>{5, 3}));
  ASSERT_EQ(small.columns.size(), 1U);  // no positive weight; -1 needs one slice
  EXPECT_EQ(small.columns[0].polarity, -1);
  EXPECT_EQ(small.columns[0].slice, 0);
  EXPECT_EQ(small.columns[0].cells, (std::vector<std::uint8_t>{0, 1}));
  EXPECT_EQ(small.columns[0].lossless_bits, 1);
  const MappedCrossbar& large = layer.crossbars[1];
  EXPECT_EQ(large.gather, (std::vector<std::int32_t>{4, 1}));
  ASSERT_EQ(large.columns.size(), 3U);  // 5 needs 3 slices; no negative weight
  EXPECT_EQ(large.columns[0].cells, (std::vector<std::uint8_t>{0, 1}));  // 2 = 010, 5 = 101
  EXPECT_EQ(large.columns[1].cells, (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(large.columns[2].cells, (std::vector<std::uint8_t>{0, 1}));
  for (const MappedColumn& column : large.columns) EXPECT_EQ(column.bound, 1);
}

TEST_F(HandMadeMapping, SharedRowSwsSortsByTheGroupsLargestWeight) {
  const MappedLayer layer = map_layer("sws_shared", weights_, geometry_, "m");
  ASSERT_EQ(layer.crossbars.size(), 2U);
  EXPECT_EQ(layer.summary.sections_dropped, 1U);  // {0, 2} is zero for the whole group
  EXPECT_EQ(layer.crossbars[0].gather, (std::vector<std::int32_t>{5, 3}));
  EXPECT_EQ(layer.crossbars[1].gather, (std::vector<std::int32_t>{4, 1}));
  EXPECT_EQ(layer.crossbars[0].columns.size(), 1U);
  EXPECT_EQ(layer.crossbars[1].columns.size(), 3U);
  // Both outputs of the group add the group's kept sections.
  EXPECT_EQ(layer.parts_per_output, (std::vector<int>{2, 2}));
}

TEST_F(HandMadeMapping, UnalignedSectionsPutTheRemainderFirst) {
  geometry_.section_rows = 4;  // 6 = 2 + 4: the first section holds the 2 smallest
  const MappedLayer layer = map_layer("sws", weights_, geometry_, "m");
  ASSERT_EQ(layer.crossbars.size(), 1U);  // {0, 2} dropped; {5, 3, 4, 1} kept
  EXPECT_EQ(layer.crossbars[0].gather, (std::vector<std::int32_t>{5, 3, 4, 1}));
}

TEST_F(HandMadeMapping, RefusesTheUnrepresentableWeight) {
  weights_.at(0, 0) = -8;  // -2^(B-1) is never produced by symmetric quantization
  EXPECT_THROW((void)map_layer("baseline", weights_, geometry_, "m"), DataError);
  geometry_.encoding = "offset";
  weights_.at(0, 0) = 0;
  EXPECT_THROW((void)map_layer("sws", weights_, geometry_, "m"), ConfigError);
}

}  // namespace
}  // namespace cimsim
