#include "sim/app/map_command.h"

#include <ostream>

#include "sim/trace/trace_commands.h"
#include "sim/workload/layer_source.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

void map_one(const Experiment& e, const std::filesystem::path& file, std::ostream& console) {
  const auto workload = WorkloadRegistry::instance().create(e.workload_kind);
  std::vector<TraceLayer> layers = workload->map_layers(e);
  std::vector<std::string> names;
  names.reserve(layers.size());
  for (const TraceLayer& layer : layers) names.push_back(layer.mapping.name);
  check_layer_names(e, names);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  write_trace(file, make_trace(e, std::move(layers)));
  console << "wrote " << file.string() << "\n";
  trace_inspect_command(file, console);
}

}  // namespace

int map_command(const Experiment& experiment, std::filesystem::path out, std::ostream& console) {
  if (experiment.variants.empty()) {
    if (out.empty()) out = std::filesystem::path("traces") / (experiment.name + ".cimtrace");
    map_one(experiment, out, console);
    return 0;
  }
  if (out.empty()) out = std::filesystem::path("traces") / experiment.name;
  for (const Variant& variant : experiment.variants) {
    map_one(variant_experiment(experiment, variant), out / (variant.name + ".cimtrace"), console);
  }
  return 0;
}

}  // namespace cimsim
