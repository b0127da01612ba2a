#include "sim/app/run_command.h"

#include <iostream>

#include <spdlog/spdlog.h>

#include "sim/io/npy.h"
#include "sim/report/results_folder.h"
#include "sim/report/run_report.h"
#include "sim/workload/workload.h"

namespace cimsim {

std::filesystem::path run_experiment(const Experiment& e) {
  ResultsFolder folder(e.outputs.dir);
  folder.write_text("resolved_config.yaml",
                    "# Every parameter of this run, defaults filled in: `cimsim run` on this file\n"
                    "# reproduces it.\n" + e.config.to_yaml_text());

  const auto workload = WorkloadRegistry::instance().create(e.workload_kind);
  spdlog::info("running '{}' ({}), mapping {}", e.name, e.workload_kind, e.mapping_policy);
  const WorkloadResult result = workload->run(e, RunContext{folder.staging()});
  const RunReport report = build_report(e, result);

  if (e.outputs.json) folder.write_text("report.json", report.json.dump(2) + "\n");
  if (e.outputs.csv) {
    std::string header;
    std::string row;
    for (const auto& [column, value] : report.summary) {
      header += (header.empty() ? "" : ",") + column;
      row += (row.empty() ? "" : ",") + value;
    }
    folder.write_text("summary.csv", header + "\n" + row + "\n");
  }
  if (e.outputs.npy && result.outputs) {
    write_npy_int64(folder.staging() / "outputs.npy", {result.outputs->rows, result.outputs->cols},
                    result.outputs->data);
  }
  folder.commit();
  std::cout << report.console << "  results: " << folder.destination().string() << "\n";
  return folder.destination();
}

}  // namespace cimsim
