#include "sim/report/comparison.h"

#include <fmt/format.h>

#include "sim/io/csv.h"
#include "sim/report/run_report.h"

namespace cimsim {
namespace {

struct Metric {
  const char* key;    // in comparison.json / .csv
  const char* label;  // console column
};

// The figures compared, read from a report.json's totals.
constexpr Metric kMetrics[] = {
    {"energy_adc_pj", "ADC pJ"},        {"energy_total_pj", "total pJ"},
    {"adc_conversions", "conversions"}, {"latency_ns", "latency ns"},
    {"crossbars", "crossbars"},         {"top1", "top-1"},
};

double metric(const nlohmann::json& report, const std::string& key) {
  const nlohmann::json& t = report["totals"];
  if (key == "energy_adc_pj") return t["energy_pj"]["adc"].get<double>();
  if (key == "energy_total_pj") return t["energy_pj"]["total"].get<double>();
  if (key == "adc_conversions") return t["adc"]["conversions"].get<double>();
  if (key == "latency_ns") return t["latency_ns"].get<double>();
  if (key == "crossbars") return t["crossbars"].get<double>();
  return report.contains("accuracy") ? report["accuracy"]["top1"].get<double>() : -1.0;
}

// What one inference costs on each variant's chip, as the study tables give it: energy [uJ],
// latency (first input in to last output out) [us], throughput [inferences/s], chip area [mm^2],
// TOPS/W and top-1.
std::string per_inference_table(const std::vector<VariantReport>& variants) {
  std::string out = fmt::format("  {:<36}{:>12}{:>12}{:>12}{:>11}{:>9}{:>8}\n", "per inference",
                                "energy uJ", "latency us", "inf/s", "area mm^2", "TOPS/W", "top-1");
  for (const VariantReport& v : variants) {
    const nlohmann::json& t = v.report["totals"];
    const double top1 = metric(v.report, "top1");
    out += fmt::format("  {:<36}{:>12.4g}{:>12.4g}{:>12.4g}{:>11.4g}{:>9.4g}{:>8}\n", v.name,
                       t["energy_per_inference_pj"].get<double>() * 1e-6,
                       t["schedule"]["inference_latency_ns"].get<double>() * 1e-3,
                       t["schedule"]["throughput_per_s"].get<double>(),
                       t["area_um2"]["total"].get<double>() * 1e-6,
                       t["performance"]["tops_per_w"].get<double>(),
                       top1 < 0.0 ? std::string("-") : fmt::format("{:.2f}%", 100.0 * top1));
  }
  return out;
}

}  // namespace

Comparison compare_variants(const std::vector<VariantReport>& variants) {
  Comparison out;
  out.json = {{"variants", nlohmann::json::array()},
              {"note", "change_pct = 100 * (variant - baseline) / baseline; negative is less"}};
  std::vector<std::string> header = {"variant",    "baseline", "mapping",
                                     "adc_policy", "adc_bits", "power_gating"};
  for (const Metric& m : kMetrics) {
    header.emplace_back(m.key);
    header.push_back(std::string(m.key) + "_change_pct");
  }
  out.csv = csv_row(header);
  out.console = fmt::format("  {:<36}{:>14}{:>9}{:>14}{:>9}{:>14}{:>9}{:>10}{:>9}{:>8}\n",
                            "variant (vs baseline)", "ADC pJ", "%", "total pJ", "%", "conversions",
                            "%", "crossbars", "%", "top-1");
  for (const VariantReport& v : variants) {
    const VariantReport* base = &v;
    for (const VariantReport& candidate : variants) {
      if (candidate.name == v.baseline) base = &candidate;
    }
    nlohmann::json entry = {{"name", v.name}, {"baseline", v.baseline}};
    const nlohmann::json& adc = v.report["hardware"]["adc"];
    std::vector<std::string> row = {v.name,
                                    v.baseline,
                                    v.report["totals"]["mapping"]["policy"].get<std::string>(),
                                    adc["policy"].get<std::string>(),
                                    std::to_string(adc["bits"].get<int>()),
                                    adc["power_gating"].get<bool>() ? "true" : "false"};
    std::vector<double> changes;
    for (const Metric& m : kMetrics) {
      const double value = metric(v.report, m.key);
      const double reference = metric(base->report, m.key);
      const bool has = value >= 0.0 && reference > 0.0;
      const double change = has ? 100.0 * (value - reference) / reference : 0.0;
      changes.push_back(change);
      if (value < 0.0) {  // no accuracy in this workload
        row.insert(row.end(), 2, "");
        continue;
      }
      entry[m.key] = value;
      entry[std::string(m.key) + "_change_pct"] = change;
      row.push_back(csv_number(value));
      row.push_back(csv_number(change));
    }
    out.json["variants"].push_back(entry);
    out.csv += csv_row(row);
    const double top1 = metric(v.report, "top1");
    out.console += fmt::format(
        "  "
        "{:<36}{:>14.6g}{:>+8.1f}%{:>14.6g}{:>+8.1f}%{:>14.6g}{:>+8.1f}%{:>10.6g}{:>+8.1f}%{:>8}\n",
        v.name + (v.baseline == v.name ? "" : " (" + v.baseline + ")"),
        metric(v.report, "energy_adc_pj"), changes[0], metric(v.report, "energy_total_pj"),
        changes[1], metric(v.report, "adc_conversions"), changes[2], metric(v.report, "crossbars"),
        changes[4], top1 < 0.0 ? std::string("-") : fmt::format("{:.2f}%", 100.0 * top1));
  }
  out.console += per_inference_table(variants);
  return out;
}

}  // namespace cimsim
