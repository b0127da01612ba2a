// The results of a run in their three forms: report.json (nested, with units; the contract of
// docs/report.md), one flat summary.csv row for sweeps, and a short console table.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/experiment.h"
#include "sim/workload/workload.h"

namespace cimsim {

struct RunReport {
  nlohmann::json json;
  std::vector<std::pair<std::string, std::string>> summary;  // summary.csv columns, in order
  std::string console;                                       // human summary
};

[[nodiscard]] RunReport build_report(const Experiment& experiment, const WorkloadResult& result);

// "1.2345e+06"-style numbers with enough digits to reproduce, deterministically.
[[nodiscard]] std::string csv_number(double value);

}  // namespace cimsim
