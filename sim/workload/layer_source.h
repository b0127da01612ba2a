// The chip's program, a sectioned weight trace (docs/trace-format.md): the layers mapped and
// placed on tiles. A run executes a trace: the one named by workload.trace (written earlier by
// `cimsim map`), or one made on the fly from the workload's weights and kept in the results
// folder as trace.cimtrace.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sim/trace/weight_trace.h"

namespace cimsim {

struct Experiment;

// The trace of workload.trace when set, checked against the layers the workload expects
// (K x N shapes; N = 0 accepts any) and the experiment's hardware; otherwise the program of
// map_now()'s layers, written to `staging_dir`/trace.cimtrace when outputs.trace is on.
// DataError when the trace does not fit.
[[nodiscard]] std::vector<TraceLayer> trace_or_map(
    const Experiment& experiment, const std::vector<std::pair<std::size_t, std::size_t>>& shapes,
    const std::function<std::vector<TraceLayer>()>& map_now,
    const std::filesystem::path& staging_dir);

// Maps one layer with its own settings (mapping_policy_for, geometry_for: `layers` applied).
[[nodiscard]] MappedLayer map_layer_of(const Experiment& experiment, const IntMatrix& weights,
                                       const std::string& name);

// Records each column's ADC resolution under the experiment's ADC settings.
void record_resolutions(TraceLayer& layer, const Experiment& experiment);

// The program of the given layers: placed on the experiment's chip (hardware.placement.kind),
// labelled with the experiment and this program.
[[nodiscard]] WeightTrace make_trace(const Experiment& experiment, std::vector<TraceLayer> layers);

}  // namespace cimsim
