// The typed view of a resolved configuration: what the simulator and the workloads read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/resolved_config.h"
#include "sim/energy/energy_params.h"
#include "sim/macro/macro_settings.h"
#include "sim/mapping/mapped_layer.h"

namespace cimsim {

struct QuantSettings {
  int weight_bits = 8;
  int input_bits = 8;
  std::string input_signed = "auto";  // auto | true | false
  std::string weight_scale = "channel";
  std::string input_calibration = "max";
};

struct OutputSettings {
  std::filesystem::path dir;
  bool json = true;
  bool csv = true;
  bool npy = true;
  bool vcd = false;
  std::vector<std::string> vcd_select;
  std::string vcd_file = "waves.vcd";
};

struct Experiment {
  ResolvedConfig config;
  std::string name;
  std::uint64_t seed = 1;
  std::string log_level = "info";
  std::string preset;
  MacroSettings macro;          // ADC, DAC, accumulator, timing
  MappingGeometry geometry;     // crossbar size, cell/DAC/weight/input bits, encoding, sections
  std::string mapping_policy = "baseline";
  QuantSettings quant;
  AdcEnergyParams adc_energy;
  ComponentEnergyParams component_energy;
  double tech_nm = 32.0;
  std::string workload_kind;
  std::optional<std::filesystem::path> weights;
  std::optional<std::filesystem::path> inputs;
  std::optional<std::int64_t> samples;  // unset: all
  OutputSettings outputs;
};

[[nodiscard]] Experiment make_experiment(ResolvedConfig config);

// Loads, validates and types an experiment in one step.
[[nodiscard]] Experiment load_experiment(const std::filesystem::path& file,
                                         const std::vector<std::string>& overrides = {});

}  // namespace cimsim
