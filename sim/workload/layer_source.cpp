#include "sim/workload/layer_source.h"

#include "sim/config/experiment.h"
#include "sim/core/errors.h"
#include "sim/hw/placement.h"
#include "sim/macro/crossbar_engine.h"
#include "sim/mapping/mapping_policy.h"

namespace cimsim {

namespace {

// A trace placed for another chip is refused: its tiles are the program the hardware runs.
void check_chip(const std::string& file, const TraceChip& placed, const TraceChip& chip) {
  std::string differences;
  const auto compare = [&differences](const char* key, const std::string& in_trace,
                                      const std::string& in_experiment) {
    if (in_trace == in_experiment) return;
    differences += std::string(differences.empty() ? "" : ", ") + key + " " + in_trace +
                   " in the trace, " + in_experiment + " in the experiment";
  };
  compare("hardware.placement.kind", placed.placement, chip.placement);
  compare("hardware.tiles", std::to_string(placed.tiles), std::to_string(chip.tiles));
  compare("hardware.tile.crossbars", std::to_string(placed.tile_crossbars),
          std::to_string(chip.tile_crossbars));
  compare("hardware.tile.adcs", std::to_string(placed.tile_adcs), std::to_string(chip.tile_adcs));
  if (chip.tile_adcs == 0) {
    compare("hardware.adc.per_crossbar", std::to_string(placed.adcs_per_crossbar),
            std::to_string(chip.adcs_per_crossbar));
  }
  if (!differences.empty()) {
    throw DataError(file + ": the trace was placed for another chip (" + differences +
                    "); expected a trace from `cimsim map` with this experiment's hardware");
  }
}

}  // namespace

std::vector<TraceLayer> trace_or_map(const Experiment& e,
                                     const std::vector<std::pair<std::size_t, std::size_t>>& shapes,
                                     const std::function<std::vector<TraceLayer>()>& map_now,
                                     const std::filesystem::path& staging_dir) {
  const auto checked = [&e](std::vector<TraceLayer> layers) {
    std::vector<std::string> names;
    names.reserve(layers.size());
    for (const TraceLayer& layer : layers) names.push_back(layer.mapping.name);
    check_layer_names(e, names);
    return layers;
  };
  if (!e.trace) {
    WeightTrace program = make_trace(e, checked(map_now()));
    if (e.outputs.trace) write_trace(staging_dir / "trace.cimtrace", program);
    return std::move(program.layers);
  }
  const std::string file = e.trace->string();
  WeightTrace trace = read_trace(file);
  check_chip(file, trace.chip, trace_chip(e.macro.chip, e.macro.adc.per_crossbar));
  if (trace.layers.size() != shapes.size()) {
    throw DataError(file + ": the trace has " + std::to_string(trace.layers.size()) +
                    " layers, the workload expects " + std::to_string(shapes.size()));
  }
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const MappedLayer& m = trace.layers[i].mapping;
    if (static_cast<std::size_t>(m.inputs) != shapes[i].first ||
        (shapes[i].second != 0 && static_cast<std::size_t>(m.outputs) != shapes[i].second)) {
      throw DataError(file + ": layer " + std::to_string(i) + " '" + m.name + "' is " +
                      std::to_string(m.inputs) + " x " + std::to_string(m.outputs) +
                      ", the workload expects " + std::to_string(shapes[i].first) + " x " +
                      std::to_string(shapes[i].second));
    }
    // The hardware that runs the trace must hold it: same cells, DACs, bits and crossbar size.
    const MappingGeometry& g = m.geometry;
    const MappingGeometry& want = e.geometry;
    if (g.rows > want.rows || g.cols > want.cols || g.cell_bits != want.cell_bits ||
        g.dac_bits != want.dac_bits || g.weight_bits != want.weight_bits ||
        g.input_bits != want.input_bits || g.encoding != want.encoding) {
      throw DataError(file + ": layer '" + m.name +
                      "' was mapped for other hardware (crossbar, cell_bits, dac.bits, quant bits "
                      "or encoding differ from the experiment's)");
    }
  }
  return checked(std::move(trace.layers));
}

MappedLayer map_layer_of(const Experiment& e, const IntMatrix& weights, const std::string& name) {
  return map_layer(mapping_policy_for(e, name), weights, geometry_for(e, name), name);
}

void record_resolutions(TraceLayer& layer, const Experiment& e) {
  layer.column_resolution_bits.clear();
  const MacroSettings settings = e.macro.for_layer(layer.mapping.name);
  for (const MappedCrossbar& crossbar : layer.mapping.crossbars) {
    for (const ColumnAdcPlan& plan :
         plan_adc_columns(crossbar, layer.mapping.geometry, settings.adc))
      layer.column_resolution_bits.push_back(plan.bits);
  }
}

WeightTrace make_trace(const Experiment& e, std::vector<TraceLayer> layers) {
  WeightTrace trace;
  trace.producer = std::string("cimsim ") + CIMSIM_VERSION;
  trace.experiment = e.name;
  trace.layers = std::move(layers);
  place_trace(trace, e.macro.chip, e.macro.adc.per_crossbar);
  return trace;
}

}  // namespace cimsim
