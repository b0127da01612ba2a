// Where a run's mapped layers come from: mapped now from the workload's weights, or read from a
// sectioned weight trace (workload.trace) written earlier by `cimsim map`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/trace/weight_trace.h"

namespace cimsim {

struct Experiment;

// The trace of workload.trace when set, checked against the layers the workload expects
// (K x N shapes; N = 0 accepts any); otherwise map_now(). DataError when the trace does not fit.
[[nodiscard]] std::vector<TraceLayer> trace_or_map(
    const Experiment& experiment, const std::vector<std::pair<std::size_t, std::size_t>>& shapes,
    const std::function<std::vector<TraceLayer>()>& map_now);

// Maps one layer with its own settings (mapping_policy_for, geometry_for: `layers` applied).
[[nodiscard]] MappedLayer map_layer_of(const Experiment& experiment, const IntMatrix& weights,
                                       const std::string& name);

// Records each column's ADC resolution under the experiment's ADC settings.
void record_resolutions(TraceLayer& layer, const Experiment& experiment);

// A trace of the given layers, labelled with the experiment and this program.
[[nodiscard]] WeightTrace make_trace(const Experiment& experiment, std::vector<TraceLayer> layers);

}  // namespace cimsim
