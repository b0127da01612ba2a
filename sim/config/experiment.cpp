#include "sim/config/experiment.h"

#include <algorithm>

#include "sim/config/param_schema.h"
#include "sim/core/errors.h"
#include "sim/hw/chip_parameters.h"

namespace cimsim {

Experiment make_experiment(ResolvedConfig config) {
  Experiment e;
  const ResolvedConfig& c = config;
  e.name = c.get_string("name");
  e.seed = static_cast<std::uint64_t>(c.get_int("seed"));
  e.log_level = c.get_string("log_level");
  e.preset = c.get_string("hardware.preset");
  e.tech_nm = c.get_real("hardware.tech_nm");

  MacroSettings& m = e.macro;
  m.clock_ns = c.get_real("hardware.clock_ns");
  m.kernel = c.get_string("simulation.kernel");
  m.t_read_ns = c.get_real("hardware.crossbar.t_read_ns");
  m.dac_skip_zero_digits = c.get_bool("hardware.dac.skip_zero_digits");
  m.sample_hold = c.get_bool("hardware.pipeline.sample_hold");
  m.accumulator_bits = static_cast<int>(c.get_int("hardware.accumulator.bits"));
  m.t_add_ns = c.get_real("hardware.accumulator.t_add_ns");
  m.adc.bits = static_cast<int>(c.get_int("hardware.adc.bits"));
  m.adc.policy = c.get_string("hardware.adc.policy");
  m.adc.mode = c.get_string("hardware.adc.mode");
  m.adc.kind = c.get_string("hardware.adc.kind");
  m.adc.power_gating = c.get_bool("hardware.adc.power_gating");
  m.adc.skip_zero_input_cycles = c.get_bool("hardware.adc.skip_zero_input_cycles");
  m.adc.per_crossbar = static_cast<int>(c.get_int("hardware.adc.per_crossbar"));
  m.adc.timing.t_bit_ns = c.get_real("hardware.adc.t_bit_ns");
  m.adc.timing.t_flash_ns = c.get_real("hardware.adc.t_flash_ns");
  m.chip = chip_settings(c);
  DeviceSettings& d = m.device;
  d.variation = c.get_string("hardware.device.variation.kind");
  d.variation_sigma = c.get_real("hardware.device.variation.sigma");
  d.read_noise_sigma = c.get_real("hardware.device.read_noise_sigma");
  d.stuck_at_on = c.get_real("hardware.device.stuck_at_on");
  d.stuck_at_off = c.get_real("hardware.device.stuck_at_off");
  d.on_off_ratio = c.get_real("hardware.device.on_off_ratio");
  d.adc_offset_sigma_lsb = c.get_real("hardware.adc.offset_sigma_lsb");
  d.adc_noise_sigma_lsb = c.get_real("hardware.adc.noise_sigma_lsb");
  d.seed = e.seed;

  MappingGeometry& g = e.geometry;
  g.rows = static_cast<int>(c.get_int("hardware.crossbar.rows"));
  g.cols = static_cast<int>(c.get_int("hardware.crossbar.cols"));
  g.cell_bits = static_cast<int>(c.get_int("hardware.crossbar.cell_bits"));
  g.dac_bits = static_cast<int>(c.get_int("hardware.dac.bits"));
  g.weight_bits = static_cast<int>(c.get_int("quant.weight_bits"));
  g.input_bits = static_cast<int>(c.get_int("quant.input_bits"));
  g.encoding = c.get_string("hardware.crossbar.encoding");
  g.section_rows = static_cast<int>(c.get_int("mapping.section_rows"));
  e.mapping_policy = c.get_string("mapping.policy");

  e.quant.weight_bits = g.weight_bits;
  e.quant.input_bits = g.input_bits;
  m.chip.input_bytes = g.input_bits / 8.0;
  e.quant.input_signed = c.get_string("quant.input_signed");
  e.quant.weight_scale = c.get_string("quant.weight_scale");
  e.quant.input_calibration = c.get_string("quant.input_calibration");

  AdcEnergyParams& a = e.adc_energy;
  a.model = c.get_string("hardware.adc.energy.model");
  a.tech_nm = e.tech_nm;
  a.sample_rate_hz = c.get_optional_real("hardware.adc.energy.sample_rate_hz");
  a.below_min_bits = c.get_string("hardware.adc.energy.below_min_bits");
  a.walden_fom_fj_per_step = c.get_real("hardware.adc.energy.walden_fom_fj_per_step");
  a.neurosim_r_col_ohm = c.get_optional_real("hardware.adc.energy.neurosim_r_col_ohm");
  a.puma_pj_per_bit = c.get_real("hardware.adc.energy.puma_pj_per_bit");
  if (c.is_set("hardware.adc.energy.table")) {
    for (const auto& row : c.node("hardware.adc.energy.table")) {
      AdcTableRow entry;
      entry.bits = row["bits"].as<int>();
      entry.energy_pj = row["energy_pj"].as<double>();
      if (row["latency_ns"]) entry.latency_ns = row["latency_ns"].as<double>();
      if (row["area_um2"]) entry.area_um2 = row["area_um2"].as<double>();
      a.table.push_back(entry);
    }
  }

  ComponentEnergyParams& p = e.component_energy;
  p.cell_read_fj = c.get_real("hardware.energy.cell_read_fj");
  p.dac_drive_fj = c.get_real("hardware.energy.dac_drive_fj");
  p.sample_hold_fj = c.get_real("hardware.energy.sample_hold_fj");
  p.shift_add_fj = c.get_real("hardware.energy.shift_add_fj");
  p.input_buffer_read_fj_per_byte = c.get_real("hardware.energy.input_buffer_read_fj_per_byte");
  p.partial_sum_add_fj = c.get_real("hardware.energy.partial_sum_add_fj");
  p.input_bits_per_read = g.input_bits;

  e.workload_kind = c.get_string("workload.kind");
  if (c.is_set("workload.weights")) e.weights = c.get_string("workload.weights");
  if (c.is_set("workload.inputs")) e.inputs = c.get_string("workload.inputs");
  if (c.get_string("workload.samples") != "all") e.samples = c.get_int("workload.samples");
  if (c.is_set("workload.model")) e.model = c.get_string("workload.model");
  if (c.is_set("workload.trace")) e.trace = c.get_string("workload.trace");
  if (c.is_set("workload.text")) e.text = c.get_string("workload.text");
  if (c.is_set("workload.calibration_text"))
    e.calibration_text = c.get_string("workload.calibration_text");
  if (c.is_set("workload.labels")) e.labels = c.get_string("workload.labels");
  e.input_layout = c.get_string("workload.input_layout");
  e.dataset = c.get_string("workload.dataset");
  e.split = c.get_string("workload.split");
  e.calibration_samples = c.get_int("workload.calibration_samples");
  e.batch = c.get_int("workload.batch");
  e.input_mean = c.get_real("workload.input_mean");
  e.input_std = c.get_real("workload.input_std");
  e.prune.sparsity = c.get_real("prune.sparsity");
  e.prune.scope = c.get_string("prune.scope");

  OutputSettings& o = e.outputs;
  o.dir = c.get_string("outputs.dir");
  const std::vector<std::string> formats = c.get_list("outputs.formats");
  auto has = [&formats](const char* f) {
    return std::find(formats.begin(), formats.end(), f) != formats.end();
  };
  o.json = has("json");
  o.csv = has("csv");
  o.npy = has("npy");
  o.vcd = c.get_bool("outputs.vcd.enabled");
  o.vcd_select = c.get_list("outputs.vcd.select");
  o.vcd_file = c.get_string("outputs.vcd.file");
  o.trace = c.get_bool("outputs.trace");
  o.timeline = c.get_bool("outputs.timeline.enabled");
  o.timeline_file = c.get_string("outputs.timeline.file");
  if (c.is_set("compare")) {
    const YAML::Node& list = c.node("compare");
    for (std::size_t i = 0; i < list.size(); ++i) {
      Variant variant;
      variant.name = list[i]["name"].as<std::string>();
      variant.baseline = list[i]["baseline"] ? list[i]["baseline"].as<std::string>()
                                             : list[0]["name"].as<std::string>();
      if (list[i]["set"]) {
        for (const auto& item : list[i]["set"]) {
          const std::string key = item.first.as<std::string>();
          YAML::Node node = item.second;
          // A path in a variant is written in the experiment file, so it is relative to the
          // file like every other path there (an override from the command line is relative to
          // the working folder instead).
          const ParamSpec* spec = find_param(key);
          if (spec != nullptr && spec->type == ParamType::kPath && node.IsScalar()) {
            const std::filesystem::path path(node.as<std::string>());
            if (!path.empty() && path.is_relative()) {
              node = YAML::Node((c.file.parent_path() / path).lexically_normal().string());
            }
          }
          const YAML::Mark mark = item.first.Mark();
          const std::string where = mark.line < 0
                                        ? c.file.string()
                                        : c.file.string() + ":" + std::to_string(mark.line + 1) +
                                              ":" + std::to_string(mark.column + 1);
          variant.overrides.push_back({key, node, where});
        }
      }
      e.variants.push_back(std::move(variant));
    }
  }
  if (c.is_set("layers")) {
    for (const auto& entry : c.node("layers")) {
      LayerSettings layer;
      layer.name = entry["name"].as<std::string>();
      const YAML::Node& set = entry["set"];
      if (set["mapping.policy"]) layer.mapping_policy = set["mapping.policy"].as<std::string>();
      if (set["mapping.section_rows"]) layer.section_rows = set["mapping.section_rows"].as<int>();
      if (set["hardware.adc.policy"] || set["hardware.adc.bits"] || set["hardware.adc.mode"]) {
        AdcSettings adc = m.adc;
        if (set["hardware.adc.policy"]) adc.policy = set["hardware.adc.policy"].as<std::string>();
        if (set["hardware.adc.bits"]) adc.bits = set["hardware.adc.bits"].as<int>();
        if (set["hardware.adc.mode"]) adc.mode = set["hardware.adc.mode"].as<std::string>();
        m.layer_adc[layer.name] = adc;
      }
      e.layers.push_back(std::move(layer));
    }
  }
  e.config = std::move(config);
  return e;
}

namespace {
const LayerSettings* layer_entry(const Experiment& e, const std::string& name) {
  for (const LayerSettings& layer : e.layers) {
    if (layer.name == name) return &layer;
  }
  return nullptr;
}
}  // namespace

std::string mapping_policy_for(const Experiment& e, const std::string& name) {
  const LayerSettings* layer = layer_entry(e, name);
  return layer != nullptr && layer->mapping_policy ? *layer->mapping_policy : e.mapping_policy;
}

MappingGeometry geometry_for(const Experiment& e, const std::string& name) {
  MappingGeometry g = e.geometry;
  const LayerSettings* layer = layer_entry(e, name);
  if (layer != nullptr && layer->section_rows) g.section_rows = *layer->section_rows;
  return g;
}

void check_layer_names(const Experiment& e, const std::vector<std::string>& names) {
  for (const LayerSettings& layer : e.layers) {
    if (std::find(names.begin(), names.end(), layer.name) == names.end()) {
      std::string list;
      for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
      throw ConfigError(e.config.error_at(
          "layers", "no layer '" + layer.name + "' in this workload; its layers: " + list));
    }
  }
}

Experiment variant_experiment(const Experiment& parent, const Variant& variant) {
  std::vector<Override> overrides = parent.config.overrides;
  overrides.insert(overrides.end(), variant.overrides.begin(), variant.overrides.end());
  const std::string origin = "compare: variant '" + variant.name + "'";
  overrides.push_back({"compare", YAML::Node(), origin});
  overrides.push_back({"name", YAML::Node(parent.name + "." + variant.name), origin});
  overrides.push_back(
      {"outputs.dir", YAML::Node((parent.outputs.dir / variant.name).string()), origin});
  try {
    return make_experiment(load_config_with(parent.config.file, overrides));
  } catch (const ConfigError& error) {
    throw ConfigError("compare: variant '" + variant.name + "': " + error.what());
  }
}

Experiment load_experiment(const std::filesystem::path& file,
                           const std::vector<std::string>& overrides) {
  return make_experiment(load_config(file, overrides));
}

}  // namespace cimsim
