// `layers`: per-layer mapping and ADC settings. Each entry's keys and values are validated where
// they are written (file:line:col), obey their key's rules against the chip, and reach only the
// layer they name: its mapping policy, section length and ADC resolution.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sim/config/experiment.h"
#include "sim/hw/accelerator.h"
#include "sim/hw/kernel_context.h"
#include "sim/workload/layer_source.h"
#include "tests/config/config_test_util.h"

namespace cimsim {
namespace {

using ::testing::HasSubstr;
using testing::kMinimal;

class LayerSettingsConfig : public testing::ConfigTest {};

TEST_F(LayerSettingsConfig, AnUnknownKeyIsRefusedAtItsPositionWithThePerLayerKeys) {
  const std::string error = error_of(std::string(kMinimal) +
                                     "layers:\n"
                                     "  - name: gemm\n"
                                     "    set: {hardware.adc.bitz: 4}\n");
  EXPECT_THAT(error, HasSubstr("exp.yaml:7:11: layers:"));
  EXPECT_THAT(error, HasSubstr("did you mean 'hardware.adc.bits'"));
  EXPECT_THAT(error, HasSubstr("per-layer keys: mapping.policy"));
}

TEST_F(LayerSettingsConfig, AValueIsCheckedAgainstItsOwnKeyAtItsPosition) {
  const std::string error = error_of(std::string(kMinimal) +
                                     "layers:\n"
                                     "  - name: gemm\n"
                                     "    set:\n"
                                     "      mapping.policy: sorted\n");
  EXPECT_THAT(error, HasSubstr("exp.yaml:8:7: mapping.policy: 'sorted' is not valid"));
  EXPECT_THAT(error, HasSubstr("sws_packed"));
}

TEST_F(LayerSettingsConfig, ALayerCannotConvertAboveTheChipsAdcBits) {
  const std::string error = error_of(std::string(kMinimal) + "hardware:\n  adc:\n    bits: 6\n",
                                     {"layers=[{name: gemm, set: {hardware.adc.bits: 7}}]"});
  EXPECT_THAT(error, HasSubstr("layer 'gemm': hardware.adc.bits: expected at most the chip's "
                               "hardware.adc.bits = 6"));
}

TEST_F(LayerSettingsConfig, ALayerNamedTwiceIsRefused) {
  const std::string error = error_of(std::string(kMinimal) +
                                     "layers:\n"
                                     "  - {name: gemm, set: {hardware.adc.bits: 4}}\n"
                                     "  - {name: gemm, set: {mapping.policy: sws}}\n");
  EXPECT_THAT(error, HasSubstr("layer 'gemm' has two entries"));
}

TEST_F(LayerSettingsConfig, TheNamedLayerGetsItsSettingsAndTheOthersTheFiles) {
  const Experiment e = make_experiment(load_config(
      write("exp.yaml", std::string(kMinimal) +
                            "mapping: {policy: baseline}\n"
                            "layers:\n"
                            "  - name: fc1\n"
                            "    set: {mapping.policy: sws_packed, mapping.section_rows: 64,\n"
                            "          hardware.adc.bits: 5, hardware.adc.mode: scale}\n")));
  EXPECT_EQ(mapping_policy_for(e, "fc1"), "sws_packed");
  EXPECT_EQ(geometry_for(e, "fc1").section_rows, 64);
  EXPECT_EQ(e.macro.for_layer("fc1").adc.bits, 5);
  EXPECT_EQ(e.macro.for_layer("fc1").adc.mode, "scale");
  EXPECT_EQ(e.macro.for_layer("fc1").adc.policy, "capped");
  EXPECT_EQ(mapping_policy_for(e, "fc2"), "baseline");
  EXPECT_EQ(geometry_for(e, "fc2").section_rows, 128);
  EXPECT_EQ(e.macro.for_layer("fc2").adc.bits, 8);
  EXPECT_EQ(e.macro.for_layer("fc2").adc.mode, "clip");
  EXPECT_THROW(check_layer_names(e, {"fc2", "fc3"}), ConfigError);
  EXPECT_NO_THROW(check_layer_names(e, {"fc1", "fc2"}));
}

TEST_F(LayerSettingsConfig, OptimizeSectionLengthsAreWholeNumbersACrossbarHolds) {
  for (const char* bad : {"[64, 129]", "[sixty]", "[99999999999999999999]"}) {
    const std::string error =
        error_of(std::string(kMinimal) + "optimize:\n  section_rows: " + bad + "\n");
    EXPECT_THAT(error, HasSubstr("exp.yaml:6:3: optimize.section_rows: '"));
    EXPECT_THAT(error, HasSubstr("expected whole numbers in 1..128"));
  }
}

// Two identical layers on one accelerator, the second capped at 3 bits by its `layers` entry:
// only its columns convert at 3 bits or fewer, and only its outputs can differ from the product.
TEST_F(LayerSettingsConfig, AnAdcCapReachesOnlyItsLayerInTheAccelerator) {
  const Experiment e = make_experiment(load_config(
      write("exp.yaml", std::string(kMinimal) +
                            "mapping: {policy: sws_packed}\n"
                            "layers: [{name: capped, set: {hardware.adc.bits: 3}}]\n")));
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> weight(-127, 127);
  std::uniform_int_distribution<int> input(0, 255);
  IntMatrix w(200, 12);
  for (auto& value : w.data) value = weight(rng);
  IntMatrix x(4, 200);
  for (auto& value : x.data) value = input(rng);
  const MappedLayer full = map_layer_of(e, w, "full");
  const MappedLayer capped = map_layer_of(e, w, "capped");
  fresh_simulation_context();
  {
    Accelerator top("top", {&full, &capped}, e.macro);
    const LayerResult a = top.run_layer(0, x);
    const LayerResult b = top.run_layer(1, x);
    ASSERT_FALSE(a.column_classes.empty());
    EXPECT_GT(a.column_classes.rbegin()->first, 3);
    EXPECT_LE(b.column_classes.rbegin()->first, 3);
    EXPECT_TRUE(top.layer_is_exact(0));
    EXPECT_FALSE(top.layer_is_exact(1));
    EXPECT_GT(b.counts.clipped_conversions, 0U);
    EXPECT_EQ(a.counts.clipped_conversions, 0U);
  }
  fresh_simulation_context();
}

}  // namespace
}  // namespace cimsim
