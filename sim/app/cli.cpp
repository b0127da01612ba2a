#include "sim/app/cli.h"

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <tbb/global_control.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "sim/app/components.h"
#include "sim/app/map_command.h"
#include "sim/app/optimize_command.h"
#include "sim/app/run_command.h"
#include "sim/config/experiment.h"
#include "sim/config/param_schema.h"
#include "sim/core/errors.h"
#include "sim/core/interrupt.h"
#include "sim/trace/trace_commands.h"
#include "sim/workload/layer_source.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

void set_log_level(const std::string& level) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("cimsim"));
  spdlog::set_pattern("[%l] %v");
  spdlog::set_level(spdlog::level::from_str(level));
}

std::vector<std::string> with_out_dir(std::vector<std::string> overrides, const std::string& out) {
  if (!out.empty()) {
    overrides.push_back("outputs.dir=" +
                        std::filesystem::absolute(out).lexically_normal().string());
  }
  return overrides;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"cimsim: cycle-level simulator of compute-in-memory crossbar accelerators"};
  app.set_version_flag("--version", std::string("cimsim ") + CIMSIM_VERSION);
  bool list_components = false;
  app.add_flag("--list-components", list_components,
               "list every registered component implementation and exit");
  std::string log_level;
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  int threads = 0;
  app.add_option("--threads", threads,
                 "worker threads for independent crossbars and images (default: every core); "
                 "results do not depend on it")
      ->check(CLI::Range(1, 4096));

  std::string experiment_file;
  std::vector<std::string> overrides;
  std::string out_dir;
  CLI::App* run = app.add_subcommand("run", "run an experiment and write its results folder");
  run->add_option("experiment", experiment_file, "experiment YAML file")->required();
  run->add_option("--set", overrides, "override a key: --set hardware.adc.bits=6 (repeatable)");
  run->add_option("--out", out_dir, "results folder (default: outputs.dir)");

  CLI::App* validate =
      app.add_subcommand("validate", "check an experiment file without running it");
  validate->add_option("experiment", experiment_file, "experiment YAML file");
  validate->add_option("--set", overrides, "override a key (repeatable)");
  bool print_resolved = false;
  validate->add_flag("--print", print_resolved, "print the resolved configuration");
  bool print_schema = false;
  validate->add_flag("--print-schema", print_schema,
                     "print every parameter as Markdown (docs/config.md) and exit");
  std::string trace_out;
  CLI::App* map = app.add_subcommand(
      "map", "quantize, prune and map the workload's layers into a sectioned weight trace");
  map->add_option("experiment", experiment_file, "experiment YAML file")->required();
  map->add_option("--set", overrides, "override a key (repeatable)");
  map->add_option("--out", trace_out,
                  "trace file, or folder of one trace per variant of a comparison (default: "
                  "traces/<experiment name>.cimtrace, or the folder traces/<experiment name>)");

  OptimizeOptions optimize_options;
  std::string optimize_out;
  std::string optimize_chosen;
  std::string optimize_slurm;
  CLI::App* optimize = app.add_subcommand(
      "optimize",
      "search per-layer mappings and ADC caps for the least energy (edp, area) within a top-1 "
      "budget on a calibration split, then run the choice on the test set");
  optimize->add_option("experiment", experiment_file, "experiment YAML file (optimize.* keys)")
      ->required();
  optimize->add_option("--set", overrides, "override a key (repeatable)");
  optimize->add_option("--out", optimize_out,
                       "search folder: journal, points, chosen.yaml, test run (default: "
                       "out/<name>.optimize); re-running with the same folder resumes");
  optimize->add_option("--chosen", optimize_chosen,
                       "where to write the chosen experiment file (default: <out>/chosen.yaml)");
  optimize
      ->add_option("--jobs", optimize_options.jobs,
                   "points run at once, each a `cimsim run` process (default 1; each uses "
                   "--threads threads)")
      ->check(CLI::Range(1, 1024));
  optimize->add_option("--slurm", optimize_slurm,
                       "write each stage's missing points as an sbatch job-array script to this "
                       "file instead of running them; re-run after the array to go on");
  optimize->add_option("--slurm-opt", optimize_options.slurm_options,
                       "an extra #SBATCH line for --slurm, e.g. --slurm-opt=--time=00:30:00");
  CLI::App* trace = app.add_subcommand("trace", "work with sectioned weight traces");
  std::string trace_file;
  CLI::App* inspect =
      trace->add_subcommand("inspect", "summarise a trace: layers, sections, columns");
  inspect->add_option("file", trace_file, "trace file")->required();
  trace->require_subcommand(1);
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }

  install_interrupt_handlers();
  // Lives until the command returns: caps every TBB loop of the run (tests/golden use it to show
  // that the thread count does not change a byte of the results).
  std::optional<tbb::global_control> parallelism;
  if (threads > 0) {
    parallelism.emplace(tbb::global_control::max_allowed_parallelism,
                        static_cast<std::size_t>(threads));
  }
  try {
    if (list_components) {
      std::cout << list_registered_components();
      return 0;
    }
    if (run->parsed()) {
      const Experiment experiment =
          load_experiment(experiment_file, with_out_dir(overrides, out_dir));
      set_log_level(log_level.empty() ? experiment.log_level : log_level);
      run_experiment(experiment);
      return 0;
    }
    if (map->parsed()) {
      const Experiment experiment = load_experiment(experiment_file, overrides);
      set_log_level(log_level.empty() ? experiment.log_level : log_level);
      return map_command(experiment, trace_out, std::cout);
    }
    if (optimize->parsed()) {
      optimize_options.experiment = experiment_file;
      optimize_options.overrides = overrides;
      optimize_options.out_dir = optimize_out;
      optimize_options.chosen_file = optimize_chosen;
      optimize_options.slurm_file = optimize_slurm;
      optimize_options.threads = threads;
      set_log_level(log_level.empty() ? "warn" : log_level);
      return optimize_command(optimize_options);
    }
    if (inspect->parsed()) return trace_inspect_command(trace_file, std::cout);
    if (validate->parsed()) {
      if (print_schema) {
        std::cout << schema_markdown();
        return 0;
      }
      if (experiment_file.empty()) throw UsageError("validate: an experiment file is required");
      const ResolvedConfig config = load_config(experiment_file, overrides);
      if (print_resolved) {
        std::cout << config.to_yaml_text();
      }
      std::cout << experiment_file << ": valid\n";
      return 0;
    }
    std::cout << app.help();
    return 2;
  } catch (const UsageError& error) {
    std::cerr << "cimsim: usage error: " << error.what() << "\n";
    return 2;
  } catch (const ConfigError& error) {
    std::cerr << "cimsim: configuration error: " << error.what() << "\n";
    return 2;
  } catch (const InterruptedError& error) {
    std::cerr << "cimsim: " << error.what() << "\n";
    return 1;
  } catch (const DataError& error) {
    std::cerr << "cimsim: data error: " << error.what() << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "cimsim: error: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace cimsim
