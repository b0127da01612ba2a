// Absurd layer sizes are refused with a ConfigError before anything is laid out (issue 11:
// "a shape whose product overflows is refused with a clear error before any allocation").
// The matrices below have their sizes set but no data, so a test that allocated would fail with
// bad_alloc or run out of the machine's memory instead of passing.
#include <gtest/gtest.h>

#include <string>

#include "sim/core/errors.h"
#include "sim/mapping/mapping_policy.h"

namespace cimsim {
namespace {

IntMatrix shape_only(std::size_t rows, std::size_t cols) {
  IntMatrix m;
  m.rows = rows;
  m.cols = cols;
  return m;
}

std::string error_of(const IntMatrix& weights, const std::string& policy) {
  try {
    (void)map_layer(policy, weights, MappingGeometry{}, "huge");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

TEST(MappingSizeLimits, MoreCellsThanALayerMayHaveIsRefusedByName) {
  // 2^20 x 2^20 weights at 16 slice columns per output: 2^44 cells.
  for (const char* policy : {"baseline", "sws", "sws_shared", "sws_packed"}) {
    const std::string message = error_of(shape_only(1U << 20, 1U << 20), policy);
    EXPECT_NE(message.find("layer 'huge': a 1048576 x 1048576 weight matrix"), std::string::npos)
        << message;
    EXPECT_NE(message.find("4294967296 cells"), std::string::npos) << message;
  }
}

TEST(MappingSizeLimits, AProductThatOverflowsSixtyFourBitsIsRefused) {
  // 2^40 x 2^40 overflows 64 bits as a product; each dimension alone exceeds int32 too.
  const std::string message =
      error_of(shape_only(std::size_t{1} << 40, std::size_t{1} << 40), "baseline");
  EXPECT_NE(message.find("1099511627776 x 1099511627776"), std::string::npos) << message;
  // One dimension beyond int32 with a tiny product still is refused (layer sizes are int).
  const std::string tall = error_of(shape_only(std::size_t{1} << 31, 1), "baseline");
  EXPECT_NE(tall.find("2147483648 x 1"), std::string::npos) << tall;
}

TEST(MappingSizeLimits, ALayerWithinTheLimitStillMaps) {
  IntMatrix weights(3, 2);
  weights.at(0, 0) = 5;
  weights.at(2, 1) = -7;
  const MappedLayer layer = map_layer("baseline", weights, MappingGeometry{}, "small");
  EXPECT_EQ(layer.inputs, 3);
  EXPECT_EQ(layer.outputs, 2);
  EXPECT_FALSE(layer.crossbars.empty());
}

}  // namespace
}  // namespace cimsim
