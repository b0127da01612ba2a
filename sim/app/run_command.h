#pragma once

#include <filesystem>

#include "sim/config/experiment.h"

namespace cimsim {

// Runs an experiment end to end: the workload through the simulated accelerator, the report,
// and the results folder (written atomically). Prints the console summary. Returns the folder.
std::filesystem::path run_experiment(const Experiment& experiment);

}  // namespace cimsim
