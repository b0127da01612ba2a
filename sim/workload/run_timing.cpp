#include "sim/workload/run_timing.h"

#include "sim/config/experiment.h"
#include "sim/hw/timeline.h"
#include "sim/report/results_folder.h"

namespace cimsim {

ScheduleRequest chained_schedule(const std::vector<std::uint64_t>& vectors,
                                 std::uint64_t inferences) {
  ScheduleRequest request;
  request.vectors = vectors;
  request.inferences = inferences;
  for (std::size_t l = 0; l < vectors.size(); ++l) {
    request.dependencies.push_back({static_cast<int>(l) - 1, {}, {}});
  }
  return request;
}

void time_run(Accelerator& top, const ScheduleRequest& request, const Experiment& e,
              const RunContext& context, WorkloadResult& result) {
  Timeline timeline;
  if (e.outputs.timeline) top.record_timeline(&timeline);
  std::vector<LayerResult*> layers;
  std::vector<std::string> names;
  for (LayerRecord& record : result.layers) {
    layers.push_back(&record.result);
    names.push_back(record.mapping.name);
  }
  result.schedule = top.simulate(request, layers);
  result.chip = top.chip_summary();
  if (e.outputs.timeline) {
    write_text_file(context.staging_dir / e.outputs.timeline_file, timeline.to_json(names));
  }
}

}  // namespace cimsim
