#include "sim/app/optimize_command.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "sim/config/experiment.h"
#include "sim/config/param_schema.h"
#include "sim/core/errors.h"
#include "sim/optimize/layer_search.h"
#include "sim/report/results_folder.h"

namespace cimsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The node at a dotted path of a YAML document, or an undefined node.
YAML::Node find_node(const YAML::Node& root, const std::string& path) {
  std::stringstream stream(path);
  YAML::Node cursor = root;
  for (std::string key; std::getline(stream, key, '.');) {
    if (!cursor.IsMap() || !cursor[key]) return YAML::Node(YAML::NodeType::Undefined);
    cursor.reset(cursor[key]);
  }
  return cursor;
}

void set_node(YAML::Node& root, const std::string& path, const YAML::Node& value) {
  std::vector<std::string> keys;
  std::stringstream stream(path);
  for (std::string key; std::getline(stream, key, '.');) keys.push_back(key);
  YAML::Node cursor = root;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    if (!cursor[keys[i]] || !cursor[keys[i]].IsMap())
      cursor[keys[i]] = YAML::Node(YAML::NodeType::Map);
    cursor.reset(cursor[keys[i]]);
  }
  cursor[keys.back()] = value;
}

// A path of the base experiment, written relative to the chosen file's folder.
std::string relative_to(const std::string& absolute, const fs::path& folder) {
  const fs::path relative = fs::path(absolute).lexically_relative(fs::absolute(folder));
  return relative.empty() ? absolute : relative.string();
}

// The base experiment file with its --set overrides written in, without `optimize` and
// `compare`, and with every layer's choice in `layers`: what `cimsim run` reproduces.
std::string chosen_experiment_text(const Experiment& base, const OptimizeOptions& options,
                                   const fs::path& file, const SearchResult& result,
                                   const std::string& header) {
  YAML::Node root = YAML::Clone(YAML::LoadFile(base.config.file.string()));
  for (const std::string& text : options.overrides) {
    const std::string key = text.substr(0, text.find('='));
    if (key == "outputs.dir") continue;
    set_node(root, key, YAML::Clone(base.config.node(key)));
  }
  const fs::path folder = file.has_parent_path() ? file.parent_path() : fs::path(".");
  for (const ParamSpec& spec : parameter_schema()) {
    if (spec.type != ParamType::kPath || spec.path == "outputs.dir") continue;
    YAML::Node node = find_node(root, spec.path);
    if (node.IsDefined() && node.IsScalar())
      set_node(root, spec.path, YAML::Node(relative_to(base.config.get_string(spec.path), folder)));
  }
  // A preset given as a path is relative to the experiment file, like the paths above.
  YAML::Node preset = find_node(root, "hardware.preset");
  if (preset.IsDefined() && preset.IsScalar()) {
    const std::string& name = preset.Scalar();
    if ((name.find('/') != std::string::npos || fs::path(name).extension() == ".yaml") &&
        fs::path(name).is_relative()) {
      set_node(root, "hardware.preset",
               YAML::Node(relative_to(
                   (base.config.file.parent_path() / name).lexically_normal().string(), folder)));
    }
  }
  if (root["outputs"] && root["outputs"]["dir"]) root["outputs"].remove("dir");
  root.remove("optimize");
  root.remove("compare");
  root["name"] = file.stem().string();
  root["layers"] = YAML::Load(layers_yaml(result.layer_names, result.chosen));
  YAML::Emitter out;
  out << root;
  return header + out.c_str() + "\n";
}

// "0.5 points of top-1 below the integer-ideal network" or the cosine's.
std::string budget_text(const SearchSpace& space) {
  char buffer[160];
  if (space.metric == "embedding_cosine") {
    std::snprintf(buffer, sizeof buffer,
                  "%.3g of mean embedding cosine below the integer-ideal encoder",
                  space.embedding_cosine_budget);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3g points of top-1 below the integer-ideal network",
                  space.top1_budget_pp);
  }
  return buffer;
}

std::string split_text(const SearchSpace& space) {
  const std::string n = std::to_string(space.calibration_samples);
  return space.split == "calibration_text"
             ? "the first " + n + " sentences of workload.calibration_text"
             : "the last " + n + " training images";
}

double child_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

}  // namespace

int optimize_command(const OptimizeOptions& options) {
  const Experiment base = load_experiment(options.experiment, options.overrides);
  const SearchSpace space = search_space(base);
  // Every kind of point validates before anything runs: the calibration run of each mapping
  // candidate (a workload without a training split is refused here, at workload.split).
  for (const LayerChoice& c : space.mappings) {
    std::vector<std::string> overrides = options.overrides;
    for (const std::string& o : calibration_overrides(space)) overrides.push_back(o);
    overrides.push_back("mapping.policy=" + c.policy);
    overrides.push_back("mapping.section_rows=" + std::to_string(c.section_rows));
    (void)load_experiment(options.experiment, overrides);
  }
  const fs::path out_dir = fs::absolute(
      options.out_dir.empty() ? fs::path("out") / (base.name + ".optimize") : options.out_dir);
  const fs::path chosen_file =
      options.chosen_file.empty() ? out_dir / "chosen.yaml" : fs::absolute(options.chosen_file);
  EvaluatorSettings settings;
  settings.experiment = base.config.file;
  for (const std::string& o : options.overrides) {
    if (o.rfind("outputs.dir=", 0) != 0) settings.base_overrides.push_back(o);
  }
  settings.out_dir = out_dir;
  settings.cimsim = fs::read_symlink("/proc/self/exe");
  settings.jobs = options.jobs;
  settings.threads = options.threads;
  settings.slurm_file = options.slurm_file;
  settings.slurm_options = options.slurm_options;
  std::printf(
      "[optimize] %s: objective %s, budget %s on %s; crossbars at most %s; %zu mapping "
      "candidates, %zu ADC caps x %zu modes; folder %s\n",
      base.name.c_str(), space.objective.c_str(), budget_text(space).c_str(),
      split_text(space).c_str(), space.max_crossbars.c_str(), space.mappings.size(),
      space.adc_bits.size(), space.adc_modes.size(), out_dir.string().c_str());
  std::fflush(stdout);
  PointEvaluator evaluator(settings);
  const SearchResult result = search_layers(space, evaluator);
  if (!result.complete) return 0;

  std::string limit;
  if (result.crossbar_limit)
    limit = ", at most " + std::to_string(*result.crossbar_limit) + " crossbars";
  const std::string header = "# Chosen by `cimsim optimize " +
                             base.config.file.filename().string() + "` (objective " +
                             space.objective + limit + ", at most " + budget_text(space) + " on " +
                             split_text(space) + ": " + result.calibration.fidelity_text() +
                             ").\n# `cimsim run` on this file runs it on the test set.\n";
  if (chosen_file.has_parent_path()) fs::create_directories(chosen_file.parent_path());
  write_text_file_atomically(chosen_file,
                             chosen_experiment_text(base, options, chosen_file, result, header));
  std::printf("[optimize] wrote %s\n", chosen_file.string().c_str());

  // The chosen file itself on the test set: its numbers are `cimsim run` on it.
  EvaluatorSettings test_settings = settings;
  test_settings.experiment = chosen_file;
  test_settings.base_overrides.clear();
  test_settings.out_dir = out_dir / "test";
  PointEvaluator test_evaluator(test_settings);
  Point test;
  test.label = "chosen, test set";
  if (!test_evaluator.evaluate({test}, "test")) return 0;
  const Measurement& measured = test_evaluator.at(test);

  json layers = json::array();
  for (std::size_t l = 0; l < result.layer_names.size(); ++l) {
    const LayerChoice& c = result.chosen[l];
    layers.push_back({{"name", result.layer_names[l]},
                      {"mapping.policy", c.policy},
                      {"mapping.section_rows", c.section_rows},
                      {"hardware.adc.bits", c.adc_bits},
                      {"hardware.adc.mode", c.adc_mode}});
  }
  const json summary = {
      {"experiment", base.config.file.string()},
      {"overrides", settings.base_overrides},
      {"objective", space.objective},
      {"budget", budget_text(space)},
      {space.metric == "embedding_cosine" ? "embedding_cosine_budget" : "top1_budget_pp",
       space.metric == "embedding_cosine" ? space.embedding_cosine_budget : space.top1_budget_pp},
      {"max_crossbars", space.max_crossbars},
      {"tie_margin", space.tie_margin},
      {"calibration_split", split_text(space) + " (workload.split " + space.split + ")"},
      {"stages", result.stages},
      {"chosen", layers},
      {"chosen_file", chosen_file.string()},
      {"calibration", result.calibration.to_json()},
      {"test", measured.to_json()},
      {"test_results", test_evaluator.point_dir(test).string()},
      {"points_evaluated", evaluator.evaluated() + test_evaluator.evaluated()},
      {"points_reused", evaluator.reused() + test_evaluator.reused()}};
  write_text_file_atomically(out_dir / "optimize.json", summary.dump(2) + "\n");
  std::printf("[optimize] chosen per layer:\n");
  for (const json& l : layers) {
    std::printf("  %-24s %s/%d, ADC cap %d bit, %s\n", l["name"].get<std::string>().c_str(),
                l["mapping.policy"].get<std::string>().c_str(),
                l["mapping.section_rows"].get<int>(), l["hardware.adc.bits"].get<int>(),
                l["hardware.adc.mode"].get<std::string>().c_str());
  }
  std::printf("[optimize] calibration (%llu samples): %s, energy %.6g uJ, %llu crossbars\n",
              static_cast<unsigned long long>(result.calibration.samples),
              result.calibration.fidelity_text().c_str(), result.calibration.energy_pj * 1e-6,
              static_cast<unsigned long long>(result.calibration.crossbars));
  std::printf(
      "[optimize] test (%llu samples): %s, energy %.6g uJ (ADC %.6g uJ), %llu crossbars; "
      "results %s\n",
      static_cast<unsigned long long>(measured.samples), measured.fidelity_text().c_str(),
      measured.energy_pj * 1e-6, measured.adc_energy_pj * 1e-6,
      static_cast<unsigned long long>(measured.crossbars),
      test_evaluator.point_dir(test).string().c_str());
  std::printf("[optimize] %zu points run now (%.1f CPU s), %zu reused from the journal\n",
              evaluator.evaluated() + test_evaluator.evaluated(), child_cpu_seconds(),
              evaluator.reused() + test_evaluator.reused());
  return 0;
}

}  // namespace cimsim
