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

struct PruneSettings {
  double sparsity = 0.0;        // prune.sparsity: fraction of weights zeroed by magnitude
  std::string scope = "layer";  // prune.scope: layer | global
};

struct OutputSettings {
  std::filesystem::path dir;
  bool json = true;
  bool csv = true;
  bool npy = true;
  bool vcd = false;
  std::vector<std::string> vcd_select;
  std::string vcd_file = "waves.vcd";
  bool trace = true;      // outputs.trace: the program run as trace.cimtrace (docs/trace-format.md)
  bool timeline = false;  // outputs.timeline: the schedule as a Chrome trace-event file
  std::string timeline_file = "timeline.json";
};

// One side of a comparison run: the experiment with these overrides.
struct Variant {
  std::string name;
  std::string baseline;             // the variant its changes are measured against
  std::vector<Override> overrides;  // its `set:` entries, as the file holds them
};

// One entry of `layers`: what differs for the named layer (unset: the file's value).
struct LayerSettings {
  std::string name;
  std::optional<std::string> mapping_policy;
  std::optional<int> section_rows;
};

struct Experiment {
  ResolvedConfig config;
  std::string name;
  std::uint64_t seed = 1;
  std::string log_level = "info";
  std::string preset;
  MacroSettings macro;       // ADC, DAC, accumulator, timing
  MappingGeometry geometry;  // crossbar size, cell/DAC/weight/input bits, encoding, sections
  std::string mapping_policy = "baseline";
  QuantSettings quant;
  AdcEnergyParams adc_energy;
  ComponentEnergyParams component_energy;
  double tech_nm = 32.0;
  std::string workload_kind;
  std::optional<std::filesystem::path> weights;
  std::optional<std::filesystem::path> inputs;
  std::optional<std::filesystem::path> model;  // workload.model: unset, the workload's default
  std::optional<std::filesystem::path> trace;  // workload.trace: a mapped trace to run
  std::optional<std::filesystem::path> text;   // workload.text: sentences (use_lite)
  // workload.calibration_text: sentences `cimsim optimize` chooses on (use_lite)
  std::optional<std::filesystem::path> calibration_text;
  std::optional<std::filesystem::path> labels;  // workload.labels: classes of a .npy data set
  std::string input_layout = "channels_first";  // workload.input_layout of a .npy data set
  std::string dataset = "mnist";                // workload.dataset: mnist | fashion_mnist
  std::string split = "test";              // workload.split: test | train_tail | calibration_text
  std::optional<std::int64_t> samples;     // unset: all
  std::int64_t calibration_samples = 500;  // workload.calibration_samples [training images]
  std::int64_t batch = 16;                 // workload.batch [images per simulated batch]
  double input_mean = 0.0;                 // workload.input_mean (onnx: x = (pixel - mean) / std)
  double input_std = 1.0;                  // workload.input_std
  PruneSettings prune;
  OutputSettings outputs;
  std::vector<Variant> variants;      // compare: empty for a single run
  std::vector<LayerSettings> layers;  // `layers` (its ADC part is in macro.layer_adc)
};

// The mapping policy and geometry of layer `name`: the file's, with its `layers` entry applied.
[[nodiscard]] std::string mapping_policy_for(const Experiment& experiment, const std::string& name);
[[nodiscard]] MappingGeometry geometry_for(const Experiment& experiment, const std::string& name);

// Throws ConfigError at `layers` when an entry names none of `names` (the workload's layers).
void check_layer_names(const Experiment& experiment, const std::vector<std::string>& names);

[[nodiscard]] Experiment make_experiment(ResolvedConfig config);

// The experiment of one variant: the file, its overrides, then the variant's, without `compare`.
[[nodiscard]] Experiment variant_experiment(const Experiment& parent, const Variant& variant);

// Loads, validates and types an experiment in one step.
[[nodiscard]] Experiment load_experiment(const std::filesystem::path& file,
                                         const std::vector<std::string>& overrides = {});

}  // namespace cimsim
