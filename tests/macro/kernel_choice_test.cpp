// CrossbarEngine::choose_kernel, the one place a crossbar's kernel is decided, on the hand-made
// crossbar of hand_computed_test.cpp: q = [3, 1, 0, -2], 3-bit weights, 1-bit cells, so slice
// columns with bounds 2, 1, 0 (gated), 1 and lossless widths 2, 1, 0, 1. Each setting must pick
// the kernel its rule names, and every kernel must give the hand-computed y = 8 for
// x = [3, 3, 1, 2] with lossless ADCs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/hw/accelerator.h"
#include "sim/macro/crossbar_engine.h"
#include "sim/mapping/mapping_policy.h"
#include "tests/systemc_test.h"

namespace cimsim {
namespace {

class KernelChoice : public testing::SystemCTest {
 protected:
  KernelChoice() {
    geometry_.rows = 4;
    geometry_.cols = 4;
    geometry_.weight_bits = 3;
    geometry_.input_bits = 2;
    IntMatrix weights(4, 1);
    weights.data = {3, 1, 0, -2};
    layer_ = map_layer("baseline", weights, geometry_, "tiny");
  }

  [[nodiscard]] CrossbarEngine engine() const {
    return CrossbarEngine(layer_.crossbars.front(), geometry_, settings_);
  }

  // y of x = [3, 3, 1, 2] through one engine's run_vector.
  [[nodiscard]] std::int64_t output() const {
    CrossbarEngine e = engine();
    const std::vector<std::int32_t> x = {3, 3, 1, 2};
    std::int64_t y = 0;
    EventCounts counts;
    e.run_vector(x.data(), &y, counts);
    return y;
  }

  [[nodiscard]] bool layer_is_exact() {
    fresh_context();
    Accelerator top("top", {&layer_}, settings_);
    return top.layer_is_exact(0);
  }

  MappingGeometry geometry_;
  MacroSettings settings_;
  MappedLayer layer_;
};

TEST_F(KernelChoice, LosslessAdcsTakeTheExactProductLayerWide) {
  ASSERT_EQ(layer_.crossbars.size(), 1U);
  const CrossbarEngine e = engine();
  EXPECT_EQ(e.kernel(), Kernel::kExact) << e.kernel_reason();
  EXPECT_EQ(e.clipping_columns(), 0U);
  EXPECT_EQ(output(), 8);
  EXPECT_TRUE(layer_is_exact());
}

TEST_F(KernelChoice, AColumnAboveItsAdcTakesTheSplitKernel) {
  settings_.adc.bits = 1;  // the column of bound 2 needs 2 bits: it clips
  const CrossbarEngine e = engine();
  EXPECT_EQ(e.kernel(), Kernel::kSplit) << e.kernel_reason();
  EXPECT_EQ(e.clipping_columns(), 1U);
  EXPECT_FALSE(layer_is_exact());
}

TEST_F(KernelChoice, SkippingZeroCyclesKeepsCountsPerVector) {
  settings_.adc.skip_zero_input_cycles = true;
  const CrossbarEngine e = engine();
  EXPECT_EQ(e.kernel(), Kernel::kSplit) << e.kernel_reason();
  EXPECT_EQ(e.clipping_columns(), 0U);
  EXPECT_EQ(output(), 8);
  EXPECT_FALSE(layer_is_exact());
}

TEST_F(KernelChoice, AnAccumulatorThatCanOverflowTakesTheBitPlaneKernel) {
  // Worst case (2 + 2 + 2) x (1 + 2) = 18 > 7, the largest 4-bit accumulator value. In column
  // order, cycle 0 adds 2 and 1 x 2 (4); cycle 1 adds 2 x 2 (8, saturates at 7), 1 x 4 (7) and
  // -1 x 4: y = 3, where the exact product is 8.
  settings_.accumulator_bits = 4;
  const CrossbarEngine e = engine();
  EXPECT_EQ(e.kernel(), Kernel::kBitPlane) << e.kernel_reason();
  EXPECT_EQ(output(), 3);
  settings_.kernel = "reference";
  EXPECT_EQ(output(), 3);
  settings_.kernel = "fast";
  EXPECT_FALSE(layer_is_exact());
}

TEST_F(KernelChoice, TheKernelSettingAndDeviceNonIdealitiesWin) {
  settings_.kernel = "reference";
  EXPECT_EQ(engine().kernel(), Kernel::kReference);
  EXPECT_EQ(output(), 8);
  EXPECT_FALSE(layer_is_exact());
  settings_.kernel = "analog";
  EXPECT_EQ(engine().kernel(), Kernel::kAnalog);
  EXPECT_EQ(output(), 8);
  settings_.kernel = "fast";
  settings_.device.read_noise_sigma = 0.01;
  EXPECT_EQ(engine().kernel(), Kernel::kAnalog) << engine().kernel_reason();
  EXPECT_FALSE(layer_is_exact());
}

}  // namespace
}  // namespace cimsim
