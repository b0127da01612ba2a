#include "sim/config/param_schema.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "sim/adc/adc_components.h"
#include "sim/device/conductance_variation.h"
#include "sim/encoding/weight_encoding.h"
#include "sim/energy/adc_energy_model.h"
#include "sim/energy/energy_params.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

// The fields every parameter has; the builders below add their type's.
ParamSpec spec_of(std::string path, ParamType type, std::string def, std::string description) {
  ParamSpec spec;
  spec.path = std::move(path);
  spec.type = type;
  spec.default_yaml = std::move(def);
  spec.description = std::move(description);
  return spec;
}

ParamSpec integer(std::string path, std::string def, std::string unit, double lo, double hi,
                  std::string description) {
  ParamSpec spec =
      spec_of(std::move(path), ParamType::kInt, std::move(def), std::move(description));
  spec.unit = std::move(unit);
  spec.min = lo;
  spec.max = hi;
  return spec;
}

ParamSpec real(std::string path, std::string def, std::string unit, double lo,
               std::string description) {
  ParamSpec spec =
      spec_of(std::move(path), ParamType::kReal, std::move(def), std::move(description));
  spec.unit = std::move(unit);
  spec.min = lo;
  return spec;
}

ParamSpec bounded_real(std::string path, std::string def, std::string unit, double lo, double hi,
                       std::string description) {
  ParamSpec spec =
      real(std::move(path), std::move(def), std::move(unit), lo, std::move(description));
  spec.max = hi;
  return spec;
}

ParamSpec boolean(std::string path, std::string def, std::string description) {
  return spec_of(std::move(path), ParamType::kBool, std::move(def), std::move(description));
}

ParamSpec choice(std::string path, std::string def, std::function<std::vector<std::string>()> of,
                 std::string description) {
  ParamSpec spec =
      spec_of(std::move(path), ParamType::kEnum, std::move(def), std::move(description));
  spec.choices = std::move(of);
  return spec;
}

// A file that may be left unset (null).
ParamSpec optional_path(std::string path, std::string description) {
  ParamSpec spec = spec_of(std::move(path), ParamType::kPath, "", std::move(description));
  spec.nullable = true;
  return spec;
}

// A list of strings; `of`, when given, names the allowed ones.
ParamSpec string_list(std::string path, std::string def,
                      std::function<std::vector<std::string>()> of, std::string description) {
  ParamSpec spec =
      spec_of(std::move(path), ParamType::kStringList, std::move(def), std::move(description));
  spec.choices = std::move(of);
  return spec;
}

std::function<std::vector<std::string>()> fixed_choices(std::vector<std::string> values) {
  return [values = std::move(values)] { return values; };
}

template <typename RegistryType>
std::function<std::vector<std::string>()> registered() {
  return [] { return RegistryType::instance().names(); };
}

// A default as YAML text, exact for the defaults' decimal values.
std::string fj(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  return buffer;
}

std::map<std::string, std::function<void(std::vector<ParamSpec>&)>>& declarations() {
  static std::map<std::string, std::function<void(std::vector<ParamSpec>&)>> groups;
  return groups;
}

std::vector<ParamSpec> build_schema() {
  const ComponentEnergyParams energy;
  const AdcEnergyParams adc_energy;
  std::vector<ParamSpec> s;
  s.push_back(integer("version", "1", "", 1, 1, "experiment file format version"));
  {
    ParamSpec name;
    name.path = "name";
    name.derived = "the experiment file's name without .yaml";
    name.description = "experiment name, used for the default results folder";
    s.push_back(name);
  }
  s.push_back(integer("seed", "1", "", 0, 9.2e18, "seed of every random choice of the run"));
  s.push_back(choice("log_level", "info",
                     fixed_choices({"trace", "debug", "info", "warn", "error", "off"}),
                     "console log level (the command line's --log-level wins)"));
  {
    ParamSpec preset;
    preset.path = "hardware.preset";
    preset.nullable = true;
    preset.description =
        "hardware preset included under the file's own hardware keys: a name under "
        "configs/hardware/ or a path";
    s.push_back(preset);
  }
  s.push_back(real("hardware.clock_ns", "1", "ns", 1e-6, "clock period; every time is a multiple"));
  s.push_back(real("hardware.tech_nm", "32", "nm", 1, "technology node for the energy models"));
  s.push_back(integer("hardware.crossbar.rows", "128", "", 1, 65536, "wordlines per crossbar R"));
  s.push_back(integer("hardware.crossbar.cols", "128", "", 1, 65536, "bitlines per crossbar C"));
  {
    ParamSpec cell = integer("hardware.crossbar.cell_bits", "1", "bit", 1, 4, "bits per cell c");
    cell.allowed_ints = {1, 2, 4};
    s.push_back(cell);
  }
  s.push_back(choice("hardware.crossbar.encoding", "differential",
                     registered<WeightEncodingRegistry>(), "weight encoding"));
  s.push_back(real("hardware.crossbar.t_read_ns", "10", "ns", 1e-6,
                   "crossbar read: wordlines driven, columns settled, sampled"));
  s.push_back(
      integer("hardware.dac.bits", "1", "bit", 1, 8, "bits per DAC digit v (1: bit-serial)"));
  s.push_back(boolean("hardware.dac.skip_zero_digits", "true",
                      "a row whose digit is 0 costs no DAC energy"));
  s.push_back(integer("hardware.adc.bits", "8", "bit", 1, 16,
                      "ADC resolution (fixed) or its hardware maximum (capped)"));
  s.push_back(choice("hardware.adc.policy", "capped", registered<AdcResolutionPolicyRegistry>(),
                     "resolution per column"));
  s.push_back(choice("hardware.adc.mode", "clip", registered<AdcTransferRegistry>(),
                     "transfer below the lossless width"));
  s.push_back(boolean("hardware.adc.power_gating", "true",
                      "columns whose cells are all zero have their ADC off"));
  s.push_back(boolean("hardware.adc.skip_zero_input_cycles", "false",
                      "no conversion in a cycle where every row digit of the crossbar is 0"));
  s.push_back(choice("hardware.adc.kind", "sar", registered<AdcKindRegistry>(), "converter kind"));
  {
    ParamSpec per = integer("hardware.adc.per_crossbar", "", "", 1, 65536,
                            "ADCs per crossbar, shared by column multiplexing");
    per.derived = "hardware.crossbar.cols";
    s.push_back(per);
  }
  s.push_back(real("hardware.adc.t_bit_ns", "1", "ns", 1e-6, "SAR time per bit"));
  s.push_back(real("hardware.adc.t_flash_ns", "1", "ns", 1e-6, "flash conversion time"));
  // ADC non-idealities (docs/nonidealities.md), input-referred in LSBs of the column's own step.
  // 0 = ideal converter. Scale: a few tenths of an LSB is the spread measured in CIM macros
  // (e.g. the C3SRAM BNN study models ADC offsets and bitline noise of order 1 MAC step).
  s.push_back(bounded_real("hardware.adc.offset_sigma_lsb", "0", "LSB", 0, 1000,
                           "standard deviation of the input-referred ADC offset, drawn once per "
                           "column per run (0: none)"));
  s.push_back(bounded_real("hardware.adc.noise_sigma_lsb", "0", "LSB", 0, 1000,
                           "standard deviation of the input-referred ADC noise, drawn per "
                           "conversion (0: none)"));
  s.push_back(choice("hardware.adc.energy.model", adc_energy.model,
                     registered<AdcEnergyModelRegistry>(), "ADC energy model"));
  s.push_back(choice("hardware.adc.energy.below_min_bits", adc_energy.below_min_bits,
                     fixed_choices({"clamp", "error"}),
                     "cimloop below 4 bits: charge the 4-bit energy, or refuse"));
  {
    ParamSpec rate = real("hardware.adc.energy.sample_rate_hz", "", "S/s", 1,
                          "per-ADC sample rate for the cimloop model");
    rate.nullable = true;
    rate.derived = "1 / t_conv(bits) from the timing model";
    s.push_back(rate);
  }
  s.push_back(real("hardware.adc.energy.walden_fom_fj_per_step",
                   fj(adc_energy.walden_fom_fj_per_step), "fJ/step", 0,
                   "Walden figure of merit (walden model)"));
  {
    ParamSpec r = real("hardware.adc.energy.neurosim_r_col_ohm", "", "Ohm", 1e-9,
                       "column resistance for NeuroSim's optional column term");
    r.nullable = true;
    s.push_back(r);
  }
  s.push_back(real("hardware.adc.energy.puma_pj_per_bit", fj(adc_energy.puma_pj_per_bit), "pJ/bit",
                   0, "energy per bit per conversion (puma_linear model)"));
  {
    ParamSpec table;
    table.path = "hardware.adc.energy.table";
    table.type = ParamType::kAdcTable;
    table.nullable = true;
    table.description =
        "per-bit-width rows {bits, energy_pj, latency_ns?, area_um2?} (table model)";
    s.push_back(table);
  }
  s.push_back(boolean("hardware.pipeline.sample_hold", "true",
                      "the next read overlaps the current conversions"));
  s.push_back(integer("hardware.accumulator.bits", "32", "bit", 8, 63,
                      "shift-and-add accumulator width; overflow is reported, never wrapped"));
  s.push_back(real("hardware.accumulator.t_add_ns", "1", "ns", 0,
                   "one level of the partial-sum adder tree"));
  // The chip (crossbar-model.md section 11 and docs/architecture.md): declared by sim/hw.
  for (const auto& [group, declare] : declarations()) declare(s);
  // Device non-idealities (docs/nonidealities.md). All off by default: the ideal device of
  // crossbar-model.md section 5, whose cells conduct exactly their integer level.
  s.push_back(choice("hardware.device.variation.kind", "none",
                     registered<ConductanceVariationRegistry>(),
                     "programming variation of each cell's conductance, drawn once per run"));
  s.push_back(bounded_real(
      "hardware.device.variation.sigma", "0", "", 0, 1,
      "relative spread of the programming variation (gaussian: std of g'/g; lognormal: std of "
      "ln g'/g). DNN+NeuroSim's `vari` is the same relative Gaussian std, default 0"));
  s.push_back(bounded_real("hardware.device.read_noise_sigma", "0", "", 0, 1,
                           "relative std of each cell's conductance per read (per input cycle)"));
  s.push_back(bounded_real("hardware.device.stuck_at_on", "0", "", 0, 1,
                           "fraction of cells stuck at the maximum level's conductance"));
  s.push_back(bounded_real("hardware.device.stuck_at_off", "0", "", 0, 1,
                           "fraction of cells stuck at the OFF conductance"));
  {
    ParamSpec ratio = real("hardware.device.on_off_ratio", ".inf", "", 1,
                           "G_max / G_off: level 0 conducts G_max / ratio (.inf: ideal OFF "
                           "state). DNN+NeuroSim's default `onoffratio` is 10");
    ratio.allow_infinity = true;
    s.push_back(ratio);
  }
  s.push_back(real("hardware.energy.cell_read_fj", fj(energy.cell_read_fj), "fJ", 0,
                   "cell read, per 1-bit digit x cell (ISAAC)"));
  s.push_back(real("hardware.energy.dac_drive_fj", fj(energy.dac_drive_fj), "fJ", 0,
                   "1-bit DAC row drive per input cycle (PUMA)"));
  s.push_back(real("hardware.energy.sample_hold_fj", fj(energy.sample_hold_fj), "fJ", 0,
                   "sample-and-hold, per sample (ISAAC)"));
  s.push_back(real("hardware.energy.shift_add_fj", fj(energy.shift_add_fj), "fJ", 0,
                   "shift-and-add operation (PUMA)"));
  s.push_back(real("hardware.energy.input_buffer_read_fj_per_byte",
                   fj(energy.input_buffer_read_fj_per_byte), "fJ/B", 0,
                   "input buffer read per byte (ISAAC input register)"));
  s.push_back(real("hardware.energy.partial_sum_add_fj", fj(energy.partial_sum_add_fj), "fJ", 0,
                   "digital addition of two partial sums"));
  s.push_back(choice("simulation.kernel", "fast", fixed_choices({"fast", "reference", "analog"}),
                     "fast (bit planes, exact products where nothing clips), reference (plain "
                     "loops) or analog (real-valued column sums, what device non-idealities "
                     "use); all give identical results with ideal devices"));
  s.push_back(integer("quant.weight_bits", "8", "bit", 2, 16, "signed weight bits B"));
  s.push_back(integer("quant.input_bits", "8", "bit", 2, 16, "input bits A"));
  s.push_back(choice("quant.input_signed", "auto", fixed_choices({"auto", "true", "false"}),
                     "two's-complement inputs (auto: when an input can be negative)"));
  s.push_back(choice("quant.weight_scale", "channel", fixed_choices({"tensor", "channel"}),
                     "weight scale per tensor or per output channel"));
  s.push_back(spec_of("quant.input_calibration", ParamType::kString, "max",
                      "input scale from calibration samples: max or a percentile like p99.9"));
  s.push_back(choice("mapping.policy", "baseline", registered<MappingPolicyRegistry>(),
                     "how weights are placed on crossbars"));
  {
    ParamSpec rows = integer("mapping.section_rows", "", "", 1, 65536,
                             "rows per sorted section (sws, sws_shared)");
    rows.derived = "hardware.crossbar.rows";
    s.push_back(rows);
  }
  {
    ParamSpec kind = choice("workload.kind", "", registered<WorkloadRegistry>(), "what to run");
    kind.required = true;
    s.push_back(kind);
  }
  s.push_back(optional_path("workload.weights", ".npy file for gemm workloads (K x N)"));
  s.push_back(optional_path("workload.inputs",
                            ".npy file: gemm's inputs (T x K), or the samples (N x ...) of "
                            "workload.dataset npy"));
  s.push_back(optional_path("workload.trace",
                            "sectioned weight trace from `cimsim map` to run instead of mapping "
                            "now"));
  {
    ParamSpec samples;
    samples.path = "workload.samples";
    samples.type = ParamType::kCountOrAll;
    samples.default_yaml = "all";
    samples.min = 1;
    samples.description = "test samples to run (networks)";
    s.push_back(samples);
  }
  {
    ParamSpec model = optional_path("workload.model", "");
    model.derived =
        "mnist_cnn: <data dir>/mnist-cnn (mnist-react-tfjs@0.1.1); use_lite: <data dir>/use-lite";
    model.description =
        "network folder: a Keras model.json and its float32 shards (mnist_cnn), the USE-lite "
        "graph model (use_lite), a model.json and .npy tensors from scripts/train_vit.py (vit, "
        "required), or a .onnx file (onnx, required)";
    s.push_back(model);
  }
  s.push_back(
      optional_path("workload.text", "text file, one sentence per line, that use_lite encodes"));
  s.push_back(
      optional_path("workload.calibration_text",
                    "text file, one sentence per line, that use_lite encodes with workload.split "
                    "calibration_text (`cimsim optimize`'s calibration sentences; none may be in "
                    "workload.text)"));
  s.push_back(choice(
      "workload.split", "test", fixed_choices({"test", "train_tail", "calibration_text"}),
      "what the workload is evaluated on: the test set (workload.text for use_lite); train_tail "
      "(image classifiers): the last workload.samples training images (`cimsim optimize`'s "
      "calibration split: never test images, and never the first workload.calibration_samples "
      "training images that set the input scales); calibration_text (use_lite): the first "
      "workload.samples sentences of workload.calibration_text instead of workload.text"));
  s.push_back(choice("workload.dataset", "mnist", fixed_choices({"mnist", "fashion_mnist", "npy"}),
                     "test and calibration samples (networks); npy: workload.inputs and "
                     "workload.labels (onnx)"));
  s.push_back(optional_path("workload.labels",
                            ".npy file of N integer class labels for workload.dataset npy"));
  s.push_back(choice("workload.input_layout", "channels_first",
                     fixed_choices({"channels_first", "channels_last"}),
                     "npy: the samples' layout; channels_last (N x H x W x C) is moved to the "
                     "model's channels-first N x C x H x W"));
  s.push_back(real("workload.input_mean", "0", "", -1e9,
                   "onnx: the model's input is (value - input_mean) / input_std, value being "
                   "pixel / 255 or the .npy sample"));
  s.push_back(real("workload.input_std", "1", "", 0, "onnx: see workload.input_mean"));
  s.push_back(integer("workload.calibration_samples", "500", "", 1, 60000,
                      "training images that calibrate the input scales (never test images)"));
  s.push_back(integer("workload.batch", "16", "", 1, 10000,
                      "images simulated together: their vectors pipeline through the crossbars"));
  s.push_back(real("prune.sparsity", "0", "", 0, "fraction of weights set to zero by magnitude"));
  s.push_back(choice("prune.scope", "layer", fixed_choices({"layer", "global"}),
                     "prune each layer to the sparsity, or all layers together"));
  {
    ParamSpec dir =
        spec_of("outputs.dir", ParamType::kPath, "", "results folder (written atomically)");
    dir.derived = "out/<name> under the current folder";
    s.push_back(dir);
  }
  s.push_back(string_list("outputs.formats", "[json, csv, npy]",
                          fixed_choices({"json", "csv", "npy"}),
                          "files to write besides resolved_config.yaml"));
  {
    ParamSpec compare;
    compare.path = "compare";
    compare.type = ParamType::kVariants;
    compare.nullable = true;
    compare.description =
        "variants run side by side on the same workload: {name, baseline (a variant name; default "
        "the first), set: {dotted.key: value}}";
    s.push_back(compare);
  }
  {
    ParamSpec layers;
    layers.path = "layers";
    layers.type = ParamType::kLayers;
    layers.nullable = true;
    layers.description =
        "per-layer settings: {name: <layer name>, set: {key: value}} with keys mapping.policy, "
        "mapping.section_rows, hardware.adc.policy, hardware.adc.bits, hardware.adc.mode; the "
        "other layers use the file's (written by `cimsim optimize`)";
    s.push_back(layers);
  }
  // `cimsim optimize` (docs/optimize.md): what it searches and under which accuracy budget.
  // `cimsim run` ignores these keys, so one file serves both commands.
  s.push_back(choice("optimize.objective", "energy", fixed_choices({"energy", "edp", "area"}),
                     "what the search minimizes: total energy, energy x latency, or chip area"));
  s.push_back(real("optimize.top1_budget_pp", "0.5", "pp", 0,
                   "top-1 the chosen configuration may lose against the integer-ideal network "
                   "on the calibration split [percentage points]"));
  s.push_back(real("optimize.embedding_cosine_budget", "0.001", "", 0,
                   "use_lite: mean cosine (sentence embeddings against the float encoder) the "
                   "chosen configuration may lose against the integer-ideal encoder on the "
                   "calibration sentences"));
  s.push_back(integer("optimize.calibration_samples", "1000", "", 1, 60000,
                      "samples the search measures on: the last training images (image "
                      "classifiers, workload.split train_tail) or the first sentences of "
                      "workload.calibration_text (use_lite, workload.split calibration_text), "
                      "never test samples"));
  s.push_back(spec_of("optimize.max_crossbars", ParamType::kString, "none",
                      "crossbars the chosen configuration may use: none (no bound), baseline (the "
                      "`baseline` mapping's count of the same network) or a whole number"));
  s.push_back(real("optimize.tie_margin", "0", "", 0,
                   "relative objective margin within which, when choosing an ADC cap, the point "
                   "of better calibration fidelity wins (0: the least objective, ties as listed)"));
  s.push_back(string_list("optimize.policies", "[baseline, sws, sws_shared, sws_packed]",
                          registered<MappingPolicyRegistry>(),
                          "mapping policies tried for every layer"));
  s.push_back(string_list(
      "optimize.section_rows", "[]", nullptr,
      "section lengths tried with the sorting policies (empty: mapping.section_rows only)"));
  s.push_back(string_list(
      "optimize.adc_bits", "[]",
      fixed_choices(
          {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"}),
      "ADC resolution caps tried per layer below hardware.adc.bits (capped ADCs) [bit]"));
  s.push_back(string_list("optimize.adc_modes", "[clip, scale]", registered<AdcTransferRegistry>(),
                          "ADC transfer modes tried with each cap"));
  s.push_back(boolean("outputs.vcd.enabled", "false", "write a VCD waveform"));
  s.push_back(string_list("outputs.vcd.select", "['*.xbar0']", nullptr,
                          "glob patterns over macro names (top.<layer>.xbar<i>) to trace"));
  s.push_back(spec_of("outputs.vcd.file", ParamType::kString, "waves.vcd",
                      "VCD file name inside the results folder"));
  s.push_back(boolean("outputs.trace", "true",
                      "keep the chip's program, the mapped and placed layers, as trace.cimtrace in "
                      "the results folder when the run maps them (no workload.trace)"));
  s.push_back(boolean("outputs.timeline.enabled", "false",
                      "write the simulated schedule as a Chrome trace-event file (Perfetto)"));
  s.push_back(spec_of("outputs.timeline.file", ParamType::kString, "timeline.json",
                      "timeline file name inside the results folder"));
  return s;
}

}  // namespace

ParamDeclaration::ParamDeclaration(const std::string& group,
                                   std::function<void(std::vector<ParamSpec>&)> declare) {
  declarations()[group] = std::move(declare);
}

ParamSpec int_param(std::string path, std::string def, std::string unit, double lo, double hi,
                    std::string description) {
  return integer(std::move(path), std::move(def), std::move(unit), lo, hi, std::move(description));
}

ParamSpec real_param(std::string path, std::string def, std::string unit, double lo,
                     std::string description) {
  return real(std::move(path), std::move(def), std::move(unit), lo, std::move(description));
}

ParamSpec unlimited_param(std::string path, std::string unit, double lo, std::string description) {
  ParamSpec spec = real(std::move(path), ".inf", std::move(unit), lo, std::move(description));
  spec.allow_infinity = true;
  return spec;
}

ParamSpec choice_param(std::string path, std::string def,
                       std::function<std::vector<std::string>()> of, std::string description) {
  return choice(std::move(path), std::move(def), std::move(of), std::move(description));
}

const std::vector<std::string>& per_layer_keys() {
  // What differs between layers of one chip: how each is mapped and how its columns convert.
  // The ADC hardware (kind, timing, power gating, per_crossbar) is the chip's, shared.
  static const std::vector<std::string> kKeys = {"mapping.policy", "mapping.section_rows",
                                                 "hardware.adc.policy", "hardware.adc.bits",
                                                 "hardware.adc.mode"};
  return kKeys;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string type_name(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::kInt:
      return "an integer";
    case ParamType::kReal:
      return spec.allow_infinity ? "a number or .inf" : "a number";
    case ParamType::kBool:
      return "true or false";
    case ParamType::kEnum:
      return "one of: " + joined(spec.choices());
    case ParamType::kPath:
      return "a file path";
    case ParamType::kStringList:
      return "a list of strings";
    case ParamType::kCountOrAll:
      return "a positive integer or 'all'";
    case ParamType::kAdcTable:
      return "a list of {bits, energy_pj, latency_ns, area_um2}";
    case ParamType::kVariants:
      return "a list of {name, baseline, set: {key: value}}";
    case ParamType::kLayers:
      return "a list of {name, set: {key: value}}";
    case ParamType::kString:
      break;
  }
  return "a string";
}

std::string range_text(const ParamSpec& spec) {
  std::ostringstream out;
  if (!spec.allowed_ints.empty()) {
    out << "one of {";
    for (std::size_t i = 0; i < spec.allowed_ints.size(); ++i) {
      out << (i == 0 ? "" : ", ") << spec.allowed_ints[i];
    }
    out << "}";
  } else if (spec.min && spec.max) {
    out << "in " << *spec.min << ".." << *spec.max;
  } else if (spec.min) {
    if (*spec.min > 0 && spec.type == ParamType::kReal) {
      out << "positive";
    } else {
      out << "at least " << *spec.min;
    }
  }
  if (!spec.unit.empty()) out << " [" << spec.unit << "]";
  return out.str();
}

const std::vector<ParamSpec>& parameter_schema() {
  static const std::vector<ParamSpec> kSchema = build_schema();
  return kSchema;
}

const ParamSpec* find_param(const std::string& path) {
  for (const ParamSpec& spec : parameter_schema()) {
    if (spec.path == path) return &spec;
  }
  return nullptr;
}

bool is_section(const std::string& path) {
  const std::string prefix = path + ".";
  return std::any_of(parameter_schema().begin(), parameter_schema().end(),
                     [&prefix](const ParamSpec& spec) { return spec.path.rfind(prefix, 0) == 0; });
}

std::vector<std::string> section_children(const std::string& section) {
  const std::string prefix = section.empty() ? "" : section + ".";
  std::set<std::string> children;
  for (const ParamSpec& spec : parameter_schema()) {
    if (spec.path.rfind(prefix, 0) != 0) continue;
    const std::string rest = spec.path.substr(prefix.size());
    children.insert(rest.substr(0, rest.find('.')));
  }
  return {children.begin(), children.end()};
}

namespace {

// A table cell: pipes escaped, line breaks folded.
std::string cell(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|') {
      out += "\\|";
    } else {
      out += ch == '\n' ? ' ' : ch;
    }
  }
  return out;
}

std::string default_text(const ParamSpec& spec) {
  if (spec.required) return "required";
  if (!spec.derived.empty()) return "derived: " + spec.derived;
  if (!spec.default_yaml.empty()) return "`" + spec.default_yaml + "`";
  return spec.nullable ? "not set" : "";
}

}  // namespace

std::string schema_markdown() {
  std::ostringstream out;
  out << "# Experiment parameters\n\n"
         "<!-- Generated by `cimsim validate --print-schema` from sim/config/param_schema.cpp and "
         "the components' declarations; do not edit: regenerate with\n"
         "     build/cimsim validate --print-schema > docs/config.md\n"
         "     (tests/scripts/docs_test.sh fails when this file differs). -->\n\n"
         "Every key an experiment file (or a hardware preset, or `--set`) may hold. Keys are "
         "dotted "
         "paths into the YAML; a key not listed here is refused with the valid keys of its "
         "section. Defaults apply when a key is absent; a derived default follows the keys it "
         "names unless the key is given. Rules that involve several keys are checked after "
         "this table (sim/config/cross_checks.cpp); `cimsim validate EXP.yaml --print` shows "
         "every resolved value.\n";
  std::optional<std::string> section;
  for (const ParamSpec& spec : parameter_schema()) {
    const std::string top = spec.path.substr(0, spec.path.find('.'));
    const std::string group = spec.path.find('.') == std::string::npos ? "" : top;
    if (group != section) {
      section = group;
      out << "\n## " << (group.empty() ? "Top level" : "`" + group + "`") << "\n\n"
          << "| key | type | default | range [unit] | description |\n"
          << "|---|---|---|---|---|\n";
    }
    out << "| `" << spec.path << "` | " << cell(type_name(spec)) << " | "
        << cell(default_text(spec)) << " | " << cell(range_text(spec)) << " | "
        << cell(spec.description) << " |\n";
  }
  return out.str();
}

}  // namespace cimsim
