// The results of a run in their three forms: report.json (nested, with units; the contract of
// docs/report.md), one flat summary.csv row for sweeps, and a short console table.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/experiment.h"
#include "sim/energy/area_model.h"
#include "sim/workload/workload.h"

namespace cimsim {

// bugprone-exception-escape: a clang-tidy-14 false positive on every class with an nlohmann::json
// member (json's move constructor is noexcept).
// NOLINTNEXTLINE(bugprone-exception-escape)
struct RunReport {
  nlohmann::json json;
  std::vector<std::pair<std::string, std::string>> summary;  // summary.csv columns, in order
  std::string console;                                       // human summary
};

[[nodiscard]] RunReport build_report(const Experiment& experiment, const WorkloadResult& result);

// "1.2345e+06"-style numbers with enough digits to reproduce, deterministically.
[[nodiscard]] std::string csv_number(double value);

// What the area model needs for `crossbars` crossbars with `adcs` ADCs, and, for a chip's
// totals, `tiles` tiles with their buffers, router share and digital unit (0: layer figures).
[[nodiscard]] AreaInputs area_inputs_for(const Experiment& e, std::uint64_t crossbars,
                                         std::uint64_t adcs, double adc_sample_rate_hz,
                                         std::uint64_t tiles);

}  // namespace cimsim
