#include "sim/config/cross_checks.h"

#include <cmath>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "sim/config/experiment.h"
#include "sim/core/errors.h"
#include "sim/encoding/weight_encoding.h"
#include "sim/energy/adc_energy_model.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

std::string number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

void check_clock_multiple(const ResolvedConfig& c, const std::string& path) {
  const double clock = c.get_real("hardware.clock_ns");
  const double value = c.get_real(path);
  const double ratio = value / clock;
  if (std::fabs(ratio - std::round(ratio)) > 1e-9 * std::max(1.0, ratio)) {
    throw ConfigError(c.error_at(path, number(value) +
                                           " ns is not a whole multiple of "
                                           "hardware.clock_ns = " +
                                           number(clock) + " ns"));
  }
}

// Device non-idealities: settings that would silently do nothing, or describe no device.
void check_device_rules(const ResolvedConfig& c) {
  const double sigma = c.get_real("hardware.device.variation.sigma");
  const std::string kind = c.get_string("hardware.device.variation.kind");
  if (kind == "none" && sigma > 0.0) {
    throw ConfigError(c.error_at("hardware.device.variation.sigma",
                                 number(sigma) +
                                     " has no effect with hardware.device.variation.kind 'none'; "
                                     "choose gaussian or lognormal, or set the sigma to 0"));
  }
  const double on = c.get_real("hardware.device.stuck_at_on");
  const double off = c.get_real("hardware.device.stuck_at_off");
  if (on + off > 1.0) {
    throw ConfigError(c.error_at("hardware.device.stuck_at_off",
                                 "stuck_at_on + stuck_at_off = " + number(on + off) +
                                     " exceeds 1: they are fractions of the same cells"));
  }
  if (c.get_real("hardware.device.on_off_ratio") <= 1.0) {
    throw ConfigError(c.error_at("hardware.device.on_off_ratio",
                                 "expected a ratio above 1 (G_max / G_off), or .inf for an "
                                 "ideal OFF state"));
  }
}

// Each `layers` entry obeys the rules of the keys it sets, against the file's hardware.
void check_layer_rules(const ResolvedConfig& c) {
  if (!c.is_set("layers")) return;
  const long long rows = c.get_int("hardware.crossbar.rows");
  const long long adc_bits = c.get_int("hardware.adc.bits");
  const std::string encoding = c.get_string("hardware.crossbar.encoding");
  for (const auto& entry : c.node("layers")) {
    const std::string layer = "layer '" + entry["name"].as<std::string>() + "': ";
    const YAML::Node& set = entry["set"];
    if (set["mapping.section_rows"] && set["mapping.section_rows"].as<long long>() > rows) {
      throw ConfigError(c.error_at("layers", layer +
                                                 "mapping.section_rows: expected at most "
                                                 "hardware.crossbar.rows = " +
                                                 std::to_string(rows)));
    }
    if (set["hardware.adc.bits"] && set["hardware.adc.bits"].as<long long>() > adc_bits) {
      throw ConfigError(c.error_at(
          "layers", layer + "hardware.adc.bits: expected at most the chip's hardware.adc.bits = " +
                        std::to_string(adc_bits) + " (the ADCs are built for it)"));
    }
    if (set["mapping.policy"] && set["mapping.policy"].as<std::string>() != "baseline" &&
        !weight_encoding(encoding).sortable()) {
      throw ConfigError(c.error_at(
          "layers", fmt::format("{}mapping.policy '{}' needs the differential encoding, not '{}'",
                                layer, set["mapping.policy"].as<std::string>(), encoding)));
    }
  }
}

// optimize.*: section lengths are whole numbers a crossbar holds; caps lie below the chip's ADCs.
void check_optimize_rules(const ResolvedConfig& c) {
  const long long rows = c.get_int("hardware.crossbar.rows");
  static const std::regex kWhole("[0-9]{1,9}");
  for (const std::string& text : c.get_list("optimize.section_rows")) {
    if (!std::regex_match(text, kWhole) || std::stoll(text) < 1 || std::stoll(text) > rows) {
      throw ConfigError(c.error_at("optimize.section_rows",
                                   "'" + text +
                                       "' is not a section length: expected whole "
                                       "numbers in 1.." +
                                       std::to_string(rows) + " (hardware.crossbar.rows)"));
    }
  }
  const long long adc_bits = c.get_int("hardware.adc.bits");
  for (const std::string& text : c.get_list("optimize.adc_bits")) {
    if (std::stoll(text) >= adc_bits) {
      throw ConfigError(c.error_at(
          "optimize.adc_bits", text +
                                   " is not below hardware.adc.bits = " + std::to_string(adc_bits) +
                                   ": the caps tried are resolutions below the chip's ADCs"));
    }
  }
  const std::string crossbars = c.get_string("optimize.max_crossbars");
  if (crossbars != "none" && crossbars != "baseline" &&
      (!std::regex_match(crossbars, kWhole) || std::stoll(crossbars) < 1)) {
    throw ConfigError(c.error_at("optimize.max_crossbars",
                                 "expected none, baseline or a whole number of crossbars "
                                 "(at least 1), got '" +
                                     crossbars + "'"));
  }
  if (c.get_list("optimize.policies").empty() || c.get_list("optimize.adc_modes").empty()) {
    throw ConfigError(c.error_at("optimize.policies",
                                 "optimize.policies and optimize.adc_modes need at least one "
                                 "entry each"));
  }
}

}  // namespace

void check_cross_field_rules(const ResolvedConfig& c) {
  for (const char* path :
       {"hardware.crossbar.t_read_ns", "hardware.adc.t_bit_ns", "hardware.adc.t_flash_ns",
        "hardware.accumulator.t_add_ns", "hardware.interconnect.hop_ns"}) {
    check_clock_multiple(c, path);
  }
  const long long rows = c.get_int("hardware.crossbar.rows");
  const long long cols = c.get_int("hardware.crossbar.cols");
  if (c.get_int("hardware.adc.per_crossbar") > cols) {
    throw ConfigError(
        c.error_at("hardware.adc.per_crossbar", "expected at most hardware.crossbar.cols = " +
                                                    std::to_string(cols) + " ADCs per crossbar"));
  }
  if (c.get_int("hardware.tile.adcs") > c.get_int("hardware.tile.crossbars") * cols) {
    throw ConfigError(
        c.error_at("hardware.tile.adcs",
                   "expected at most one ADC per column of the tile: hardware.tile.crossbars x "
                   "hardware.crossbar.cols = " +
                       std::to_string(c.get_int("hardware.tile.crossbars") * cols)));
  }
  if (c.get_int("mapping.section_rows") > rows) {
    throw ConfigError(
        c.error_at("mapping.section_rows",
                   "expected at most hardware.crossbar.rows = " + std::to_string(rows)));
  }
  const std::string policy = c.get_string("mapping.policy");
  const std::string encoding = c.get_string("hardware.crossbar.encoding");
  if (policy != "baseline" && !weight_encoding(encoding).sortable()) {
    throw ConfigError(
        c.error_at("hardware.crossbar.encoding",
                   "mapping.policy '" + policy +
                       "' sorts weights by magnitude and "
                       "needs an encoding whose small weights leave high slices empty "
                       "(differential); '" +
                       encoding + "' cannot free any column"));
  }
  check_device_rules(c);
  check_layer_rules(c);
  check_optimize_rules(c);
  if (c.get_string("workload.split") == "calibration_text" &&
      c.get_string("workload.kind") != "use_lite") {
    throw ConfigError(c.error_at("workload.split",
                                 "calibration_text selects use_lite's calibration sentences; the "
                                 "image classifiers' calibration split is train_tail"));
  }
  if (c.get_string("workload.split") == "train_tail" && c.get_string("workload.samples") == "all") {
    throw ConfigError(c.error_at("workload.split",
                                 "train_tail evaluates the last workload.samples training "
                                 "images: set workload.samples to a count"));
  }
  const Experiment e = make_experiment(c);
  if (e.geometry.cols < e.geometry.cols_per_output()) {
    throw ConfigError(
        c.error_at("hardware.crossbar.cols",
                   std::to_string(cols) + " columns cannot hold one output: it needs " +
                       std::to_string(e.geometry.cols_per_output()) + " slice columns (" +
                       std::to_string(e.geometry.slices()) + " slices of " +
                       std::to_string(e.geometry.cell_bits) + "-bit cells per polarity)"));
  }
  static const std::regex kPercentile("max|p(100(\\.0+)?|[0-9]{1,2}(\\.[0-9]+)?)");
  if (!std::regex_match(c.get_string("quant.input_calibration"), kPercentile)) {
    throw ConfigError(c.error_at("quant.input_calibration",
                                 "expected 'max' or a percentile such as 'p99.9', got '" +
                                     c.get_string("quant.input_calibration") + "'"));
  }
  try {
    (void)make_adc_energy_model(e.adc_energy);
  } catch (const ConfigError& error) {
    throw ConfigError(c.error_at("hardware.adc.energy.model", error.what()));
  }
  WorkloadRegistry::instance().create(e.workload_kind)->validate(e);
  for (const Variant& variant : e.variants) (void)variant_experiment(e, variant);
}

}  // namespace cimsim
