// Every validation rule of the experiment format has a test here: the error must name the file
// position (or the --set override), the dotted key, what was expected and the valid choices.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "sim/config/experiment.h"
#include "sim/mapping/mapping_policy.h"
#include "tests/config/config_test_util.h"

namespace cimsim {
namespace {

using ::testing::HasSubstr;
using testing::kMinimal;

class Validation : public testing::ConfigTest {};

TEST_F(Validation, MinimalExperimentGetsEveryDefault) {
  const ResolvedConfig c = load_config(write("exp.yaml", kMinimal));
  EXPECT_EQ(c.get_int("hardware.crossbar.rows"), 128);
  EXPECT_EQ(c.get_int("hardware.crossbar.cols"), 128);
  EXPECT_EQ(c.get_int("hardware.crossbar.cell_bits"), 1);
  EXPECT_EQ(c.get_string("hardware.crossbar.encoding"), "differential");
  EXPECT_EQ(c.get_int("hardware.dac.bits"), 1);
  EXPECT_EQ(c.get_int("hardware.adc.bits"), 8);
  EXPECT_EQ(c.get_string("hardware.adc.policy"), "capped");
  EXPECT_EQ(c.get_string("hardware.adc.mode"), "clip");
  EXPECT_TRUE(c.get_bool("hardware.adc.power_gating"));
  EXPECT_FALSE(c.get_bool("hardware.adc.skip_zero_input_cycles"));
  EXPECT_EQ(c.get_string("hardware.adc.kind"), "sar");
  EXPECT_EQ(c.get_int("hardware.adc.per_crossbar"), 128);
  EXPECT_DOUBLE_EQ(c.get_real("hardware.clock_ns"), 1.0);
  EXPECT_DOUBLE_EQ(c.get_real("hardware.crossbar.t_read_ns"), 10.0);
  EXPECT_DOUBLE_EQ(c.get_real("hardware.adc.t_bit_ns"), 1.0);
  EXPECT_DOUBLE_EQ(c.get_real("hardware.adc.t_flash_ns"), 1.0);
  EXPECT_TRUE(c.get_bool("hardware.pipeline.sample_hold"));
  EXPECT_DOUBLE_EQ(c.get_real("hardware.accumulator.t_add_ns"), 1.0);
  EXPECT_EQ(c.get_string("hardware.adc.energy.model"), "cimloop");
  EXPECT_DOUBLE_EQ(c.get_real("hardware.tech_nm"), 32.0);
  EXPECT_EQ(c.get_int("quant.weight_bits"), 8);
  EXPECT_EQ(c.get_int("quant.input_bits"), 8);
  EXPECT_EQ(c.get_string("quant.input_signed"), "auto");
  EXPECT_EQ(c.get_string("quant.weight_scale"), "channel");
  EXPECT_EQ(c.get_string("mapping.policy"), "baseline");
  EXPECT_EQ(c.get_int("mapping.section_rows"), 128);
  EXPECT_EQ(c.get_string("workload.samples"), "all");
  EXPECT_EQ(c.get_int("seed"), 1);
  EXPECT_EQ(c.get_string("name"), "exp");
  EXPECT_EQ(std::filesystem::path(c.get_string("outputs.dir")).filename(), "exp");
  EXPECT_EQ(c.get_string("workload.weights"), (dir_ / "w.npy").string());
}

TEST_F(Validation, DerivedDefaultsFollowTheirKeys) {
  const ResolvedConfig c = load_config(write(
      "exp.yaml", std::string(kMinimal) + "hardware:\n  crossbar:\n    rows: 64\n    cols: 32\n"));
  EXPECT_EQ(c.get_int("hardware.adc.per_crossbar"), 32);
  EXPECT_EQ(c.get_int("mapping.section_rows"), 64);
}

TEST_F(Validation, UnknownKeyHasPositionAndSuggestion) {
  const std::string e = error_of(std::string(kMinimal) + "hardware:\n  adc:\n    bitz: 6\n");
  EXPECT_THAT(e, HasSubstr("exp.yaml:7:5"));
  EXPECT_THAT(e, HasSubstr("unknown key 'hardware.adc.bitz'"));
  EXPECT_THAT(e, HasSubstr("did you mean 'bits'?"));
}

TEST_F(Validation, UnknownTopLevelKey) {
  EXPECT_THAT(error_of(std::string(kMinimal) + "mapin:\n  policy: sws\n"),
              HasSubstr("did you mean 'mapping'?"));
}

TEST_F(Validation, WrongTypes) {
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  adc:\n    bits: eight\n"),
              HasSubstr("hardware.adc.bits: expected an integer, got 'eight'"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  adc:\n    bits: 6.5\n"),
              HasSubstr("expected an integer"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  adc:\n    power_gating: maybe\n"),
              HasSubstr("hardware.adc.power_gating: expected true or false"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  clock_ns: fast\n"),
              HasSubstr("hardware.clock_ns: expected a number"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  adc: 8\n"),
              HasSubstr("hardware.adc: expected a mapping"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  adc:\n    bits: [1, 2]\n"),
              HasSubstr("got a list"));
}

TEST_F(Validation, OutOfRangeValues) {
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  adc:\n    bits: 0\n"),
              HasSubstr("hardware.adc.bits: 0 is out of range: expected in 1..16"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  adc:\n    bits: 17\n"),
              HasSubstr("expected in 1..16"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  crossbar:\n    cell_bits: 3\n"),
              HasSubstr("expected one of {1, 2, 4}"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  crossbar:\n    rows: 0\n"),
              HasSubstr("hardware.crossbar.rows: 0 is out of range"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  crossbar:\n    cols: -4\n"),
              HasSubstr("hardware.crossbar.cols: -4 is out of range"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  crossbar:\n    t_read_ns: 0\n"),
              HasSubstr("out of range"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  dac:\n    bits: 9\n"),
              HasSubstr("hardware.dac.bits: 9 is out of range: expected in 1..8"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "quant:\n  weight_bits: 1\n"),
              HasSubstr("expected in 2..16"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "version: 2\n"), HasSubstr("version: 2"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  crossbar:\n    rows: 1000000000\n"),
              HasSubstr("out of range"));
}

TEST_F(Validation, InvalidChoiceListsValidOnes) {
  const std::string e = error_of(std::string(kMinimal) + "mapping:\n  policy: swss\n");
  EXPECT_THAT(e, HasSubstr("mapping.policy: 'swss' is not valid (did you mean 'sws'?)"));
  // Every registered policy, whatever is registered (a new policy needs no edit here).
  EXPECT_THAT(e, HasSubstr("one of: " + MappingPolicyRegistry::instance().joined_names()));
  EXPECT_THAT(e, HasSubstr("sws_shared"));
  EXPECT_THAT(
      error_of(std::string(kMinimal) + "hardware:\n  adc:\n    energy:\n      model: murmann\n"),
      HasSubstr("cimloop"));
}

TEST_F(Validation, SortedMappingsRefuseOffsetEncoding) {
  const std::string e =
      error_of(std::string(kMinimal) +
               "mapping:\n  policy: sws\nhardware:\n  crossbar:\n    encoding: offset\n");
  EXPECT_THAT(e, HasSubstr("hardware.crossbar.encoding"));
  EXPECT_THAT(e, HasSubstr("differential"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "mapping:\n  policy: sws_shared\n",
                       {"hardware.crossbar.encoding=offset"}),
              HasSubstr("--set hardware.crossbar.encoding=offset"));
}

TEST_F(Validation, CrossFieldLimits) {
  EXPECT_THAT(
      error_of(std::string(kMinimal) + "hardware:\n  adc:\n    per_crossbar: 200\n"),
      HasSubstr("hardware.adc.per_crossbar: expected at most hardware.crossbar.cols = 128"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "mapping:\n  section_rows: 129\n"),
              HasSubstr("mapping.section_rows: expected at most hardware.crossbar.rows = 128"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  crossbar:\n    cols: 8\n"),
              HasSubstr("cannot hold one output: it needs 14 slice columns"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "quant:\n  input_calibration: p200\n"),
              HasSubstr("quant.input_calibration"));
}

TEST_F(Validation, TimesMustBeClockMultiples) {
  const std::string e =
      error_of(std::string(kMinimal) + "hardware:\n  clock_ns: 2\n  crossbar:\n    t_read_ns: 5\n");
  EXPECT_THAT(e, HasSubstr("exp.yaml:8:5"));
  EXPECT_THAT(e, HasSubstr("hardware.crossbar.t_read_ns: 5 ns is not a whole multiple"));
  // A default that breaks the rule is reported at the default, naming the file.
  EXPECT_THAT(
      error_of(std::string(kMinimal) + "hardware:\n  clock_ns: 3\n  crossbar:\n    t_read_ns: 9\n"),
      HasSubstr("hardware.adc.t_bit_ns"));
}

TEST_F(Validation, WorkloadRules) {
  EXPECT_THAT(error_of("workload:\n  kind: gemm\n  weights: w.npy\n"),
              HasSubstr("workload.inputs: required for workload.kind gemm"));
  EXPECT_THAT(error_of("mapping:\n  policy: sws\n"),
              HasSubstr("missing required key 'workload.kind'"));
  EXPECT_THAT(
      error_of("workload:\n  kind: gemm\n  weights: w.npy\n  inputs: x.npy\n  samples: 0\n"),
      HasSubstr("workload.samples"));
}

TEST_F(Validation, EnergyModelParametersAreChecked) {
  EXPECT_THAT(
      error_of(std::string(kMinimal) + "hardware:\n  adc:\n    energy:\n      model: table\n"),
      HasSubstr("hardware.adc.energy.model"));
  EXPECT_THAT(
      error_of(std::string(kMinimal) + "hardware:\n  adc:\n    energy:\n      model: table\n      "
                                       "table:\n        - {bits: 4, energy: 1}\n"),
      HasSubstr("unknown key 'energy' (did you mean 'energy_pj'?)"));
}

TEST_F(Validation, YamlSyntaxErrorHasPosition) {
  EXPECT_THAT(error_of("workload:\n  kind: [gemm\n"), HasSubstr("YAML syntax error"));
  EXPECT_THAT(error_of(""), HasSubstr("empty"));
}

TEST_F(Validation, OverridesAreTypeCheckedLikeTheFile) {
  EXPECT_THAT(error_of(kMinimal, {"hardware.adc.bits=abc"}),
              HasSubstr("--set hardware.adc.bits=abc: hardware.adc.bits: expected an integer"));
  EXPECT_THAT(error_of(kMinimal, {"hardware.adc.bitz=4"}),
              HasSubstr("did you mean 'hardware.adc.bits'?"));
  EXPECT_THAT(error_of(kMinimal, {"hardware.adc.bits"}), HasSubstr("expected key.path=value"));
  const ResolvedConfig c = load_config(write("exp.yaml", kMinimal), {"hardware.adc.bits=5"});
  EXPECT_EQ(c.get_int("hardware.adc.bits"), 5);
  EXPECT_EQ(c.origin("hardware.adc.bits"), "--set hardware.adc.bits=5");
}

TEST_F(Validation, VariantPathsAreRelativeToTheExperimentFile) {
  const Experiment e = load_experiment(
      write("exp.yaml", std::string(kMinimal) + "compare:\n  - name: a\n  - name: b\n"
                                                "    set: {workload.weights: sub/w2.npy, "
                                                "workload.inputs: /abs/x2.npy}\n"));
  ASSERT_EQ(e.variants.size(), 2U);
  const Experiment a = variant_experiment(e, e.variants[0]);
  EXPECT_EQ(a.config.get_string("workload.weights"), (dir_ / "w.npy").string());
  const Experiment b = variant_experiment(e, e.variants[1]);
  EXPECT_EQ(b.config.get_string("workload.weights"), (dir_ / "sub" / "w2.npy").string());
  EXPECT_EQ(b.config.get_string("workload.inputs"), "/abs/x2.npy");
}

TEST_F(Validation, PresetPrecedence) {
  write("preset.yaml",
        "hardware:\n  adc:\n    bits: 6\n    policy: fixed\n  crossbar:\n    rows: 64\n");
  const auto file =
      write("exp.yaml",
            std::string(kMinimal) + "hardware:\n  preset: preset.yaml\n  adc:\n    bits: 7\n");
  const ResolvedConfig c = load_config(file, {"hardware.crossbar.rows=32"});
  EXPECT_EQ(c.get_string("hardware.adc.policy"), "fixed");  // from the preset
  EXPECT_EQ(c.get_int("hardware.adc.bits"), 7);             // the file wins over the preset
  EXPECT_EQ(c.get_int("hardware.crossbar.rows"), 32);       // --set wins over both
  EXPECT_THAT(c.origin("hardware.adc.policy"), HasSubstr("preset.yaml:4:5"));
}

// A preset states hardware, not the defaults derived from it: under the default preset, one ADC
// per column follows the crossbar's columns (64 is accepted, 256 gets 256 ADCs, not 128 shared).
TEST_F(Validation, PresetsKeepDerivedDefaultsDerived) {
  for (const char* preset : {"default", "ideal"}) {
    const std::string text = std::string(kMinimal) + "hardware:\n  preset: " + preset + "\n";
    for (int cols : {64, 256}) {
      const ResolvedConfig c =
          load_config(write("exp.yaml", text), {"hardware.crossbar.cols=" + std::to_string(cols)});
      EXPECT_EQ(c.get_int("hardware.adc.per_crossbar"), cols) << preset;
      EXPECT_EQ(c.origin("hardware.adc.per_crossbar"), "derived") << preset;
    }
  }
}

TEST_F(Validation, PresetErrors) {
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  preset: no_such_preset\n"),
              HasSubstr("no preset 'no_such_preset'"));
  write("bad.yaml", "hardware:\n  adc:\n    bitz: 6\n");
  EXPECT_THAT(error_of(std::string(kMinimal) + "hardware:\n  preset: bad.yaml\n"),
              HasSubstr("bad.yaml:3:5: unknown key 'hardware.adc.bitz'"));
}

TEST_F(Validation, BundledPresetsAndExperimentsValidate) {
  for (const char* preset : {"default", "isaac"}) {
    const ResolvedConfig c = load_config(
        write("exp.yaml", std::string(kMinimal) + "hardware:\n  preset: " + preset + "\n"));
    EXPECT_EQ(c.get_string("hardware.preset"), preset);
  }
  const ResolvedConfig isaac =
      load_config(write("exp.yaml", std::string(kMinimal) + "hardware:\n  preset: isaac\n"));
  EXPECT_EQ(isaac.get_int("hardware.crossbar.cell_bits"), 2);
  EXPECT_EQ(isaac.get_int("hardware.adc.per_crossbar"), 1);
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(CIMSIM_SOURCE_DIR) / "configs" / "experiments")) {
    if (entry.path().extension() != ".yaml") continue;
    EXPECT_NO_THROW((void)load_config(entry.path())) << entry.path();
  }
}

TEST_F(Validation, ResolvedConfigRoundTrips) {
  const ResolvedConfig first = load_config(write(
      "exp.yaml", std::string(kMinimal) + "hardware:\n  adc:\n    bits: 6\n  clock_ns: 0.5\n"));
  const auto again = write("resolved.yaml", first.to_yaml_text());
  const ResolvedConfig second = load_config(again);
  for (const auto& [path, value] : first.values) {
    if (path == "name" || path == "outputs.dir") continue;  // follow the file name by default
    EXPECT_EQ(YAML::Dump(value.node), YAML::Dump(second.node(path))) << path;
  }
}

}  // namespace
}  // namespace cimsim
