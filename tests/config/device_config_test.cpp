// The device keys (hardware.device.*, hardware.adc.{offset,noise}_sigma_lsb): off by default,
// validated with errors that name the key and what was expected, typed into MacroSettings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "sim/config/experiment.h"
#include "tests/config/config_test_util.h"

namespace cimsim {
namespace {

using ::testing::HasSubstr;
using testing::kMinimal;

class DeviceConfig : public testing::ConfigTest {
 protected:
  std::string device(const std::string& keys) {
    return std::string(kMinimal) + "hardware:\n  device:\n" + keys;
  }
};

TEST_F(DeviceConfig, EverythingIsOffByDefault) {
  const Experiment e = make_experiment(load_config(write("exp.yaml", kMinimal)));
  const DeviceSettings& d = e.macro.device;
  EXPECT_EQ(d.variation, "none");
  EXPECT_EQ(d.variation_sigma, 0.0);
  EXPECT_EQ(d.read_noise_sigma, 0.0);
  EXPECT_EQ(d.stuck_at_on, 0.0);
  EXPECT_EQ(d.stuck_at_off, 0.0);
  EXPECT_TRUE(std::isinf(d.on_off_ratio));
  EXPECT_EQ(d.adc_offset_sigma_lsb, 0.0);
  EXPECT_EQ(d.adc_noise_sigma_lsb, 0.0);
  EXPECT_FALSE(d.any());
}

TEST_F(DeviceConfig, KeysReachTheMacroSettingsWithTheSeed) {
  const Experiment e = make_experiment(load_config(write(
      "exp.yaml", device("    variation:\n      kind: lognormal\n      sigma: 0.2\n"
                         "    read_noise_sigma: 0.01\n    stuck_at_on: 0.001\n"
                         "    stuck_at_off: 0.002\n    on_off_ratio: 25\n") +
                      "  adc:\n    offset_sigma_lsb: 0.5\n    noise_sigma_lsb: 0.25\nseed: 77\n")));
  const DeviceSettings& d = e.macro.device;
  EXPECT_EQ(d.variation, "lognormal");
  EXPECT_DOUBLE_EQ(d.variation_sigma, 0.2);
  EXPECT_DOUBLE_EQ(d.read_noise_sigma, 0.01);
  EXPECT_DOUBLE_EQ(d.stuck_at_on, 0.001);
  EXPECT_DOUBLE_EQ(d.stuck_at_off, 0.002);
  EXPECT_DOUBLE_EQ(d.on_off_ratio, 25.0);
  EXPECT_DOUBLE_EQ(d.adc_offset_sigma_lsb, 0.5);
  EXPECT_DOUBLE_EQ(d.adc_noise_sigma_lsb, 0.25);
  EXPECT_EQ(d.seed, 77U);
  EXPECT_TRUE(d.any());
}

TEST_F(DeviceConfig, InfiniteOnOffRatioIsIdealAndRoundTrips) {
  for (const char* text : {"inf", ".inf", "+.inf", "infinity"}) {
    const ResolvedConfig c =
        load_config(write("exp.yaml", device(std::string("    on_off_ratio: ") + text + "\n")));
    EXPECT_TRUE(std::isinf(c.get_real("hardware.device.on_off_ratio"))) << text;
    const ResolvedConfig again = load_config(write("resolved.yaml", c.to_yaml_text()));
    EXPECT_TRUE(std::isinf(again.get_real("hardware.device.on_off_ratio"))) << text;
  }
  // Infinity is for the ratio only.
  EXPECT_THAT(error_of(device("    read_noise_sigma: inf\n")),
              HasSubstr("hardware.device.read_noise_sigma: expected a number, got 'inf'"));
}

TEST_F(DeviceConfig, BadValuesNameTheKeyAndWhatWasExpected) {
  EXPECT_THAT(error_of(device("    variation:\n      kind: uniform\n")),
              HasSubstr("hardware.device.variation.kind: 'uniform' is not valid"));
  EXPECT_THAT(error_of(device("    variation:\n      kind: gaussian\n      sigma: 10\n")),
              HasSubstr("hardware.device.variation.sigma: 10 is out of range: expected in 0..1"));
  EXPECT_THAT(error_of(device("    variation:\n      sigma: 0.1\n")),
              HasSubstr("hardware.device.variation.sigma: 0.1 has no effect with "
                        "hardware.device.variation.kind 'none'"));
  EXPECT_THAT(error_of(device("    stuck_at_on: -0.1\n")),
              HasSubstr("hardware.device.stuck_at_on: -0.1 is out of range: expected in 0..1"));
  EXPECT_THAT(
      error_of(device("    stuck_at_on: 0.6\n    stuck_at_off: 0.5\n")),
      HasSubstr("hardware.device.stuck_at_off: stuck_at_on + stuck_at_off = 1.1 exceeds 1"));
  EXPECT_THAT(error_of(device("    on_off_ratio: 1\n")),
              HasSubstr("hardware.device.on_off_ratio: expected a ratio above 1"));
  EXPECT_THAT(error_of(device("    on_off_ratio: 0.5\n")), HasSubstr("out of range"));
  EXPECT_THAT(error_of(device("    read_noise_sigma: 2\n")),
              HasSubstr("hardware.device.read_noise_sigma: 2 is out of range"));
  EXPECT_THAT(
      error_of(std::string(kMinimal) + "hardware:\n  adc:\n    noise_sigma_lsb: -1\n"),
      HasSubstr("hardware.adc.noise_sigma_lsb: -1 is out of range: expected in 0..1000 [LSB]"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  device:\n    variance: 0.1\n"),
              HasSubstr("unknown key 'hardware.device.variance'; valid keys here: on_off_ratio, "
                        "read_noise_sigma, stuck_at_off, stuck_at_on, variation"));
}

}  // namespace
}  // namespace cimsim
