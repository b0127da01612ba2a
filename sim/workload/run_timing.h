// The timing half of a workload's run, the same for every workload: once the host has computed
// every batch (the functional model), the accelerator simulates the run's schedule of
// inferences on the chip (sim/hw/scheduler.h) and each layer's result gets its times; the
// timeline file is written when outputs.timeline asks for it.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/hw/schedule.h"
#include "sim/workload/workload.h"

namespace cimsim {

// A chain of layers: each reads all of the previous layer's vectors (layer 0 the input).
[[nodiscard]] ScheduleRequest chained_schedule(const std::vector<std::uint64_t>& vectors,
                                               std::uint64_t inferences);

// Simulates `request` on `top` and fills result.layers[i].result's times, result.schedule and
// result.chip; writes the timeline into the staging folder when enabled.
void time_run(Accelerator& top, const ScheduleRequest& request, const Experiment& experiment,
              const RunContext& context, WorkloadResult& result);

}  // namespace cimsim
