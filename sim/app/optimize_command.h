// `cimsim optimize EXP.yaml`: searches per-layer mappings and ADC caps (sim/optimize) on the
// calibration split, writes the chosen configuration as an experiment file and runs that file on
// the test set. docs/optimize.md describes the search, the files and resuming.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace cimsim {

struct OptimizeOptions {
  std::filesystem::path experiment;
  std::vector<std::string> overrides;  // --set
  std::filesystem::path out_dir;       // empty: out/<name>.optimize
  std::filesystem::path chosen_file;   // empty: OUT/chosen.yaml
  int jobs = 1;
  int threads = 0;
  std::filesystem::path slurm_file;
  std::vector<std::string> slurm_options;
};

// Returns the exit code: 0 also when points were left to a Slurm job array (re-run to go on).
int optimize_command(const OptimizeOptions& options);

}  // namespace cimsim
