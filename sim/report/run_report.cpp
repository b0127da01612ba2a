#include "sim/report/run_report.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "sim/energy/area_model.h"
#include "sim/energy/energy_pricing.h"
#include "sim/report/chip_rollup.h"

namespace cimsim {
namespace {

using nlohmann::json;

json counts_json(const EventCounts& c) {
  json by_bits = json::object();
  for (const auto& [bits, count] : c.conversions_by_bits) by_bits[std::to_string(bits)] = count;
  return {
      {"adc",
       {{"conversions", c.conversions},
        {"conversions_by_bits", by_bits},
        {"gated_columns", c.gated_columns},
        {"allocated_columns", c.allocated_columns},
        {"clipped_conversions", c.clipped_conversions},
        {"clipped_negative", c.clipped_negative},
        {"skipped_conversions", c.skipped_conversions},
        {"adcs", c.adcs}}},
      {"counts",
       {{"dac_activations", c.dac_activations},
        {"nonzero_row_digits", c.nonzero_row_digits},
        {"cell_reads", c.cell_reads},
        {"sample_holds", c.conversions},
        {"shift_adds", c.shift_adds},
        {"input_buffer_reads", c.input_buffer_reads},
        {"partial_sum_adds", c.partial_sum_adds},
        {"input_cycles", c.input_cycles},
        {"accumulator_overflows", c.accumulator_overflows},
        {"allocated_cells", c.allocated_cells},
        {"used_rows", c.used_rows}}},
      {"crossbars", c.crossbars},
  };
}

// The device block of the report; an infinite on/off ratio is written as "inf" (JSON has none).
json device_json(const DeviceSettings& d) {
  return {{"nonideal", d.any()},
          {"variation", {{"kind", d.variation}, {"sigma", d.variation_sigma}}},
          {"read_noise_sigma", d.read_noise_sigma},
          {"stuck_at_on", d.stuck_at_on},
          {"stuck_at_off", d.stuck_at_off},
          {"on_off_ratio", std::isinf(d.on_off_ratio) ? json("inf") : json(d.on_off_ratio)},
          {"adc_offset_sigma_lsb", d.adc_offset_sigma_lsb},
          {"adc_noise_sigma_lsb", d.adc_noise_sigma_lsb},
          {"seed", d.seed}};
}

std::string ratio_text(double ratio) { return std::isinf(ratio) ? "inf" : csv_number(ratio); }

std::uint64_t to_cycles(double ns, double clock_ns) {
  return static_cast<std::uint64_t>(std::llround(ns / clock_ns));
}

// Static energy of a layer (1 mW for 1 ns is 1 pJ) and the interconnect's dynamic energy: the
// ADCs for their powered time (section 11), every tile buffer and shared link for the layer's
// share of the run (its latency when layers run one after another).
void add_chip_energy(EnergyBreakdown& energy, const LayerResult& r, const ChipSettings& chip,
                     const ChipSummary& summary) {
  constexpr double kPjPerFj = 1e-3;
  energy.adc_static_pj = chip.adc_static_mw * r.powered_adc_ns;
  const auto tiles = static_cast<double>(summary.tiles);
  energy.buffer_static_pj =
      (chip.buffer_static_mw + chip.output_buffer_static_mw) * tiles * r.run_share_ns;
  energy.link_static_pj =
      (chip.link_static_mw * summary.interconnect_links + chip.router_static_mw * tiles) *
      r.run_share_ns;
  energy.digital_static_pj = chip.digital_static_mw * tiles * r.run_share_ns;
  energy.interconnect_pj = r.link_byte_hops * chip.link_energy_fj_per_byte_hop * kPjPerFj;
}

}  // namespace

AreaInputs area_inputs_for(const Experiment& e, std::uint64_t crossbars, std::uint64_t adcs,
                           double adc_sample_rate_hz, std::uint64_t tiles) {
  // One DAC per wordline of every crossbar, one shift-and-add unit per ADC (or the tile's own
  // count), and for a chip's totals each tile's buffers, router share and digital unit.
  AreaInputs inputs;
  inputs.crossbars = crossbars;
  inputs.rows = e.geometry.rows;
  inputs.cols = e.geometry.cols;
  inputs.adcs = adcs;
  inputs.adc_max_bits = e.macro.adc.bits;
  inputs.adc_sample_rate_hz = adc_sample_rate_hz;
  inputs.dacs = crossbars * static_cast<std::uint64_t>(e.geometry.rows);
  const ChipSettings& chip = e.macro.chip;
  inputs.accumulators = adcs;
  if (tiles > 0 && chip.tile_shift_adds > 0) {
    inputs.accumulators = tiles * static_cast<std::uint64_t>(chip.tile_shift_adds);
  }
  inputs.tiles = tiles;
  inputs.tile_buffers_um2 = chip.buffer_area_um2 + chip.output_buffer_area_um2;
  inputs.tile_router_um2 = chip.router_area_um2;
  inputs.tile_digital_um2 = chip.digital_area_um2;
  return inputs;
}

std::string csv_number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

RunReport build_report(const Experiment& e, const WorkloadResult& result) {
  const auto adc_model = make_adc_energy_model(e.adc_energy);
  const SampleRateFn sample_rate = make_sample_rate_fn(
      e.adc_energy, e.macro.adc.kind, e.macro.adc.timing.t_bit_ns, e.macro.adc.timing.t_flash_ns);
  ModelWarnings warnings;
  EventCounts total_counts;
  EnergyBreakdown total_energy;
  MappingSummary total_mapping;
  const ScheduleResult& schedule = result.schedule;
  const double total_ns = schedule.run_ns;
  double total_powered_adc_ns = 0.0;
  double total_macs = 0.0;  // multiply-accumulates of the layers' matrix products
  json layers = json::array();
  for (const LayerRecord& record : result.layers) {
    const LayerResult& r = record.result;
    EnergyBreakdown energy =
        price_events(r.counts, *adc_model, e.component_energy, sample_rate, warnings);
    add_chip_energy(energy, r, e.macro.chip, result.chip);
    json layer = counts_json(r.counts);
    layer["adc"]["powered_ns"] = r.powered_adc_ns;
    layer["tiles"] = r.tiles;
    layer["name"] = r.name;
    layer["inputs_k"] = record.mapping.inputs;
    layer["outputs_n"] = record.mapping.outputs;
    layer["vectors"] = r.vectors;
    layer["energy_pj"] = energy.to_json();
    layer["static_energy_pj"] = energy.static_json();
    const AreaBreakdown area = estimate_area(
        area_inputs_for(e, r.counts.crossbars, r.counts.adcs, sample_rate(e.macro.adc.bits), 0),
        *adc_model);
    layer["area_um2"] = area.to_json();
    layer["latency_ns"] = r.latency_ns;
    layer["start_ns"] = r.start_ns;
    layer["output_buffer_peak_bytes"] = r.output_buffer_peak_bytes;
    layer["end_ns"] = r.end_ns;
    layer["adder_tree_ns"] = r.adder_tree_ns;
    layer["adder_tree_depth"] = r.adder_tree_depth;
    layer["busiest_adc_ns_per_input_cycle"] = r.max_adc_time_ns;
    layer["cycles"] = to_cycles(r.latency_ns, e.macro.clock_ns);
    nlohmann::json classes = nlohmann::json::object();
    for (const auto& [bits, column_class] : r.column_classes) {
      classes[bits == 0 ? std::string("gated") : std::to_string(bits)] = {
          {"columns", column_class.columns}, {"conversions", column_class.conversions}};
    }
    layer["column_classes"] = classes;
    layer["single_inference_ns"] = r.single_inference_ns;
    const AdcSettings& adc = e.macro.for_layer(r.name).adc;
    layer["adc_settings"] = {{"policy", adc.policy}, {"bits", adc.bits}, {"mode", adc.mode}};
    layer["mapping"] = {{"policy", record.mapping.policy},
                        {"section_rows", record.mapping.geometry.section_rows},
                        {"sections_kept", record.mapping.summary.sections_kept},
                        {"sections_dropped", record.mapping.summary.sections_dropped},
                        {"gather_rows", record.mapping.summary.gather_rows}};
    layers.push_back(layer);
    total_counts += r.counts;
    total_energy += energy;
    total_powered_adc_ns += r.powered_adc_ns;
    total_macs += static_cast<double>(r.vectors) * record.mapping.inputs * record.mapping.outputs;
    total_mapping.sections_kept += record.mapping.summary.sections_kept;
    total_mapping.sections_dropped += record.mapping.summary.sections_dropped;
    total_mapping.gather_rows += record.mapping.summary.gather_rows;
  }
  // Weights written into a time-multiplexed chip belong to the run, not to one layer.
  constexpr double kPjPerFj = 1e-3;
  total_energy.write_pj =
      schedule.run_cells_written * e.macro.chip.write_energy_fj_per_cell * kPjPerFj;
  const double seconds = total_ns * 1e-9;
  const double throughput = seconds > 0.0 ? static_cast<double>(result.inferences) / seconds : 0.0;
  // The chip's ADCs are not the sum of the layers': layers can share tiles and their pools.
  total_counts.adcs = result.chip.adcs;
  const AreaBreakdown total_area =
      estimate_area(area_inputs_for(e, result.chip.crossbars, total_counts.adcs,
                                    sample_rate(e.macro.adc.bits), result.chip.tiles),
                    *adc_model);
  json totals = counts_json(total_counts);
  totals["adc"]["powered_ns"] = total_powered_adc_ns;
  totals["tiles"] = result.chip.tiles;
  totals["energy_pj"] = total_energy.to_json();
  totals["static_energy_pj"] = total_energy.static_json();
  totals["area_um2"] = total_area.to_json();
  // Figures of merit as the field quotes them: 2 operations per multiply-accumulate of the
  // layers' dense matrix products (zero weights included, so mappings compare on equal work).
  const double ops = 2.0 * total_macs;
  const double tops = total_ns > 0.0 ? ops / total_ns * 1e-3 : 0.0;  // ops/ns = 1e-3 TOPS
  const double area_mm2 = total_area.total_um2() * 1e-6;
  totals["performance"] = {
      {"operations", ops},
      {"operations_per_mac", 2},
      {"latency_per_inference_ns",
       result.inferences > 0 ? total_ns / static_cast<double>(result.inferences) : 0.0},
      {"inference_latency_ns", schedule.inference_ns},
      {"tops", tops},
      {"tops_per_w", total_energy.total_pj() > 0.0 ? ops / total_energy.total_pj() : 0.0},
      {"tops_per_mm2", area_mm2 > 0.0 ? tops / area_mm2 : 0.0}};
  const ChipSummary& chip = result.chip;
  totals["chip"] = {{"tiles", chip.tiles},
                    {"adcs", chip.adcs},
                    {"tile_crossbars", e.macro.chip.tile_crossbars},
                    {"tile_adcs", e.macro.chip.tile_adcs},
                    {"interconnect", e.macro.chip.interconnect}};
  // Every statistic the chip's modules declared, with its unit and description.
  json statistics = json::object();
  for (const Statistic& stat : chip.statistics.items()) {
    statistics[stat.name] = {
        {"value", stat.value}, {"unit", stat.unit}, {"description", stat.description}};
  }
  totals["chip"]["statistics"] = statistics;
  totals["chip"]["rollup"] = chip_rollup(e, result.chip.tiles).to_json();
  totals["schedule"] = {{"kind", schedule.kind},
                        {"inference_latency_ns", schedule.inference_ns},
                        {"interval_ns", schedule.interval_ns},
                        {"throughput_per_s", schedule.throughput_per_s()},
                        {"run_ns", schedule.run_ns},
                        {"inferences", schedule.inferences},
                        {"simulated_inferences", schedule.simulated_inferences},
                        {"simulated_ns", schedule.simulated_ns}};
  totals["reprogramming"] = {
      {"placement", e.macro.chip.placement},
      {"loads", result.chip.loads},
      {"loads_written", schedule.run_loads_written},
      {"cells_written", schedule.run_cells_written},
      {"energy_pj", total_energy.write_pj},
      {"time_ns", schedule.run_program_ns},
      {"share_of_latency", total_ns > 0.0 ? schedule.run_program_ns / total_ns : 0.0},
      {"inference_loads_written", schedule.inference_reprogramming.loads_written},
      {"inference_time_ns", schedule.inference_reprogramming.time_ns}};
  totals["latency_ns"] = total_ns;
  totals["cycles"] = to_cycles(total_ns, e.macro.clock_ns);
  totals["inferences"] = result.inferences;
  totals["inference_unit"] = result.inference_unit;
  totals["throughput_per_s"] = throughput;
  totals["energy_per_inference_pj"] =
      result.inferences > 0 ? total_energy.total_pj() / static_cast<double>(result.inferences)
                            : 0.0;
  totals["mapping"] = {{"policy", e.mapping_policy},
                       {"sections_kept", total_mapping.sections_kept},
                       {"sections_dropped", total_mapping.sections_dropped},
                       {"gather_rows", total_mapping.gather_rows}};

  RunReport report;
  json& j = report.json;
  j["cimsim_version"] = CIMSIM_VERSION;
  j["experiment"] = e.name;
  j["workload"] = e.workload_kind;
  j["seed"] = e.seed;
  j["hardware"] = {
      {"preset", e.preset},
      {"crossbar",
       {{"rows", e.geometry.rows},
        {"cols", e.geometry.cols},
        {"cell_bits", e.geometry.cell_bits},
        {"encoding", e.geometry.encoding}}},
      {"adc",
       {{"policy", e.macro.adc.policy},
        {"bits", e.macro.adc.bits},
        {"mode", e.macro.adc.mode},
        {"kind", e.macro.adc.kind},
        {"power_gating", e.macro.adc.power_gating},
        {"per_crossbar", e.macro.adc.per_crossbar},
        {"static_mw", e.macro.chip.adc_static_mw}}},
      {"tile", {{"crossbars", e.macro.chip.tile_crossbars}, {"adcs", e.macro.chip.tile_adcs}}},
      {"tiles", e.macro.chip.tiles},
      {"device", device_json(e.macro.device)},
      {"dac_bits", e.geometry.dac_bits},
      {"clock_ns", e.macro.clock_ns}};
  j["models"] = {{"adc", adc_model->describe()}, {"components", to_json(e.component_energy)}};
  j["totals"] = totals;
  j["layers"] = layers;
  j["warnings"] = {{"adc_model_clamped_conversions", warnings.clamped_conversions},
                   {"messages", warnings.messages},
                   {"accumulator_overflows", total_counts.accumulator_overflows}};
  j["units"] = {{"energy_pj", "pJ"},
                {"latency_ns", "ns"},
                {"area_um2", "um^2"},
                {"powered_ns", "ns (summed over ADCs)"},
                {"tops", "10^12 operations per second, 2 per multiply-accumulate"},
                {"cycles", "clock cycles of hardware.clock_ns"},
                {"throughput_per_s", "inferences per second"},
                {"counts", "events (totals over all inputs)"}};
  if (result.accuracy) {
    const Accuracy& a = *result.accuracy;
    j["accuracy"] = {{"top1", a.top1},
                     {"float_top1", a.float_top1},
                     {"samples", a.samples},
                     {"split", e.config.get_string("workload.split")}};
    if (a.ideal_top1) {
      j["accuracy"]["ideal_top1"] = *a.ideal_top1;
      // What the simulated hardware (ADCs, devices) costs against the integer-ideal network.
      j["accuracy"]["change_vs_ideal_pp"] = 100.0 * (a.top1 - *a.ideal_top1);
    }
  }

  auto& s = report.summary;
  s = {{"experiment", e.name},
       {"workload", e.workload_kind},
       {"mapping", e.mapping_policy},
       {"adc_policy", e.macro.adc.policy},
       {"adc_bits", std::to_string(e.macro.adc.bits)},
       {"adc_energy_model", e.adc_energy.model},
       {"power_gating", e.macro.adc.power_gating ? "true" : "false"},
       {"energy_adc_pj", csv_number(total_energy.adc_pj)},
       {"energy_dac_pj", csv_number(total_energy.dac_pj)},
       {"energy_crossbar_pj", csv_number(total_energy.crossbar_pj)},
       {"energy_sample_hold_pj", csv_number(total_energy.sample_hold_pj)},
       {"energy_shift_add_pj", csv_number(total_energy.shift_add_pj)},
       {"energy_buffer_pj", csv_number(total_energy.buffer_pj)},
       {"energy_partial_sum_pj", csv_number(total_energy.partial_sum_pj)},
       {"energy_interconnect_pj", csv_number(total_energy.interconnect_pj)},
       {"energy_write_pj", csv_number(total_energy.write_pj)},
       {"energy_leakage_pj", csv_number(total_energy.leakage_pj())},
       {"energy_total_pj", csv_number(total_energy.total_pj())},
       {"adc_conversions", std::to_string(total_counts.conversions)},
       {"clipped_conversions", std::to_string(total_counts.clipped_conversions)},
       {"gated_columns", std::to_string(total_counts.gated_columns)},
       {"allocated_columns", std::to_string(total_counts.allocated_columns)},
       {"crossbars", std::to_string(total_counts.crossbars)},
       {"tiles", std::to_string(result.chip.tiles)},
       {"adcs", std::to_string(total_counts.adcs)},
       {"adc_powered_ns", csv_number(total_powered_adc_ns)},
       {"cycles", std::to_string(to_cycles(total_ns, e.macro.clock_ns))},
       {"latency_ns", csv_number(total_ns)},
       {"throughput_per_s", csv_number(throughput)},
       {"schedule", schedule.kind},
       {"inference_latency_ns", csv_number(schedule.inference_ns)},
       {"tops_per_w",
        csv_number(total_energy.total_pj() > 0.0 ? ops / total_energy.total_pj() : 0.0)},
       {"area_total_um2", csv_number(total_area.total_um2())},
       {"area_adc_um2", csv_number(total_area.adc_um2)}};
  const DeviceSettings& device = e.macro.device;
  s.emplace_back("clipped_negative", std::to_string(total_counts.clipped_negative));
  s.emplace_back("device_variation", device.variation);
  s.emplace_back("device_variation_sigma", csv_number(device.variation_sigma));
  s.emplace_back("device_read_noise_sigma", csv_number(device.read_noise_sigma));
  s.emplace_back("device_stuck_at_on", csv_number(device.stuck_at_on));
  s.emplace_back("device_stuck_at_off", csv_number(device.stuck_at_off));
  s.emplace_back("device_on_off_ratio", ratio_text(device.on_off_ratio));
  s.emplace_back("adc_offset_sigma_lsb", csv_number(device.adc_offset_sigma_lsb));
  s.emplace_back("adc_noise_sigma_lsb", csv_number(device.adc_noise_sigma_lsb));
  s.emplace_back("seed", std::to_string(e.seed));
  for (const Statistic& stat : result.chip.statistics.items()) {
    s.emplace_back("chip." + stat.name, csv_number(stat.value));
  }
  if (result.accuracy) {
    s.emplace_back("top1", csv_number(result.accuracy->top1));
    s.emplace_back("float_top1", csv_number(result.accuracy->float_top1));
    s.emplace_back("samples", std::to_string(result.accuracy->samples));
    if (result.accuracy->ideal_top1) {
      s.emplace_back("ideal_top1", csv_number(*result.accuracy->ideal_top1));
      s.emplace_back("top1_change_pp",
                     csv_number(100.0 * (result.accuracy->top1 - *result.accuracy->ideal_top1)));
    }
  }

  std::string& out = report.console;
  out += fmt::format("cimsim {}: {} ({}), mapping {}, ADC {} {}-bit {}\n", CIMSIM_VERSION, e.name,
                     e.workload_kind, e.mapping_policy, e.macro.adc.policy, e.macro.adc.bits,
                     e.adc_energy.model);
  out += fmt::format("  {:<14}{:>16}\n", "energy", "pJ");
  const std::pair<const char*, double> parts[] = {{"adc", total_energy.adc_pj},
                                                  {"dac", total_energy.dac_pj},
                                                  {"crossbar", total_energy.crossbar_pj},
                                                  {"sample_hold", total_energy.sample_hold_pj},
                                                  {"shift_add", total_energy.shift_add_pj},
                                                  {"buffer", total_energy.buffer_pj},
                                                  {"partial_sum", total_energy.partial_sum_pj},
                                                  {"interconnect", total_energy.interconnect_pj},
                                                  {"write", total_energy.write_pj},
                                                  {"leakage", total_energy.leakage_pj()},
                                                  {"total", total_energy.total_pj()}};
  for (const auto& [name, value] : parts) out += fmt::format("  {:<14}{:>16.6g}\n", name, value);
  out += fmt::format("  ADC conversions {} ({} gated of {} columns, {} clipped)\n",
                     total_counts.conversions, total_counts.gated_columns,
                     total_counts.allocated_columns, total_counts.clipped_conversions);
  if (device.any()) {
    out += fmt::format(
        "  devices: variation {} sigma {:g}, read noise {:g}, stuck-at ON {:g} OFF {:g}, on/off "
        "ratio {}, ADC offset {:g} LSB noise {:g} LSB (seed {}); {} conversions clipped, {} of "
        "them below zero\n",
        device.variation, device.variation_sigma, device.read_noise_sigma, device.stuck_at_on,
        device.stuck_at_off, ratio_text(device.on_off_ratio), device.adc_offset_sigma_lsb,
        device.adc_noise_sigma_lsb, e.seed, total_counts.clipped_conversions,
        total_counts.clipped_negative);
  }
  out += fmt::format(
      "  crossbars {} on {} tiles, {} ADCs; latency {:.6g} ns = {} cycles, {:.6g} {}/s\n",
      total_counts.crossbars, result.chip.tiles, total_counts.adcs, total_ns,
      to_cycles(total_ns, e.macro.clock_ns), throughput, result.inference_unit);
  out += fmt::format(
      "  schedule {}: {:.6g} ns per inference (first input in, last output out), "
      "one every {:.6g} ns in steady state\n",
      schedule.kind, schedule.inference_ns, schedule.interval_ns);
  if (result.chip.loads > 1) {
    out += fmt::format(
        "  reprogramming: {} loads, {:.6g} written ({:.6g} cells, {:.6g} pJ), {:.6g} ns = {:.1f} % "
        "of the run\n",
        result.chip.loads, schedule.run_loads_written, schedule.run_cells_written,
        total_energy.write_pj, schedule.run_program_ns,
        total_ns > 0.0 ? 100.0 * schedule.run_program_ns / total_ns : 0.0);
  }
  std::string utilization;  // the chip's declared busy fractions: which resource limits the run
  for (const Statistic& stat : result.chip.statistics.items()) {
    if (stat.unit == "fraction")
      utilization += fmt::format(", {} {:.1f} %", stat.name, 100.0 * stat.value);
  }
  if (!utilization.empty()) out += "  utilization" + utilization.substr(1) + "\n";
  if (result.inferences > 0) {
    out += fmt::format(
        "  per {}: {:.6g} pJ, {:.6g} ns; {:.4g} TOPS/W, {:.4g} TOPS/mm^2 (2 ops per MAC)\n",
        result.inference_unit.substr(0, result.inference_unit.size() - 1),
        total_energy.total_pj() / static_cast<double>(result.inferences),
        total_ns / static_cast<double>(result.inferences),
        total_energy.total_pj() > 0.0 ? ops / total_energy.total_pj() : 0.0,
        area_mm2 > 0.0 ? tops / area_mm2 : 0.0);
  }
  if (result.accuracy) {
    const Accuracy& a = *result.accuracy;
    if (a.ideal_top1) {
      out += fmt::format(
          "  top-1 {:.2f} % simulated, {:.2f} % integer-ideal ({:+.2f} pp), {:.2f} % float ({} "
          "samples)\n",
          100.0 * a.top1, 100.0 * *a.ideal_top1, 100.0 * (a.top1 - *a.ideal_top1),
          100.0 * a.float_top1, a.samples);
    } else {
      out += fmt::format("  top-1 {:.2f} % simulated, {:.2f} % float ({} samples)\n",
                         100.0 * a.top1, 100.0 * a.float_top1, a.samples);
    }
  }
  return report;
}

}  // namespace cimsim
