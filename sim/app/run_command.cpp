#include "sim/app/run_command.h"

#include <iostream>

#include <spdlog/spdlog.h>

#include "sim/hw/kernel_context.h"
#include "sim/io/csv.h"
#include "sim/io/npy.h"
#include "sim/report/comparison.h"
#include "sim/report/results_folder.h"
#include "sim/report/run_report.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

void write_resolved_config(const Experiment& e, const std::filesystem::path& dir) {
  write_text_file(dir / "resolved_config.yaml",
                  "# Every parameter of this run, defaults filled in: `cimsim run` on this file\n"
                  "# reproduces it.\n" +
                      e.config.to_yaml_text());
}

// Runs one experiment and writes its files into `dir` (a folder inside the staging folder).
RunReport run_into(const Experiment& e, const std::filesystem::path& dir) {
  write_resolved_config(e, dir);
  const auto workload = WorkloadRegistry::instance().create(e.workload_kind);
  fresh_simulation_context();
  spdlog::info("running '{}' ({}), mapping {}", e.name, e.workload_kind, e.mapping_policy);
  WorkloadResult result;
  try {
    result = workload->run(e, RunContext{dir});
  } catch (const KeyedConfigError& error) {
    throw ConfigError(e.config.error_at(error.key(), error.message()));
  }
  RunReport report = build_report(e, result);
  if (e.outputs.json) write_text_file(dir / "report.json", report.json.dump(2) + "\n");
  if (e.outputs.csv) {
    std::vector<std::string> header;
    std::vector<std::string> row;
    for (const auto& [column, value] : report.summary) {
      header.push_back(column);
      row.push_back(value);
    }
    write_text_file(dir / "summary.csv", csv_row(header) + csv_row(row));
  }
  if (e.outputs.csv) {
    std::string table = csv_row({"layer", "crossbar", "section", "row_tile", "rows",
                                 "allocated_columns", "gated_columns", "conversions",
                                 "clipped_conversions", "adc_time_per_cycle_ns", "tile"});
    for (const LayerRecord& layer : result.layers) {
      for (std::size_t i = 0; i < layer.result.crossbars.size(); ++i) {
        const CrossbarStats& c = layer.result.crossbars[i];
        table += csv_row({layer.result.name, std::to_string(i), std::to_string(c.section),
                          std::to_string(c.row_tile), std::to_string(c.rows),
                          std::to_string(c.allocated_columns), std::to_string(c.gated_columns),
                          std::to_string(c.conversions), std::to_string(c.clipped_conversions),
                          csv_number(c.adc_time_ns), std::to_string(c.tile)});
      }
    }
    write_text_file(dir / "crossbars.csv", table);
  }
  if (e.outputs.npy && result.outputs) {
    write_npy_int64(dir / "outputs.npy", {result.outputs->rows, result.outputs->cols},
                    result.outputs->data);
  }
  return report;
}

}  // namespace

std::filesystem::path run_experiment(const Experiment& e) {
  ResultsFolder folder(e.outputs.dir);
  if (e.variants.empty()) {
    const RunReport report = run_into(e, folder.staging());
    folder.commit();
    std::cout << report.console << "  results: " << folder.destination().string() << "\n";
    return folder.destination();
  }
  // A comparison: one subfolder per variant, then the side-by-side tables.
  write_resolved_config(e, folder.staging());
  std::vector<VariantReport> reports;
  for (const Variant& variant : e.variants) {
    const Experiment variant_run = variant_experiment(e, variant);
    const std::filesystem::path dir = folder.staging() / variant.name;
    std::filesystem::create_directories(dir);
    const RunReport report = run_into(variant_run, dir);
    std::cout << report.console;
    reports.push_back({variant.name, variant.baseline, report.json});
  }
  const Comparison comparison = compare_variants(reports);
  write_text_file(folder.staging() / "comparison.json", comparison.json.dump(2) + "\n");
  write_text_file(folder.staging() / "comparison.csv", comparison.csv);
  folder.commit();
  std::cout << "comparison of " << e.name << ":\n"
            << comparison.console << "  results: " << folder.destination().string() << "\n";
  return folder.destination();
}

}  // namespace cimsim
