// The registered schedule policies (sim/hw/schedule.h).
#include <algorithm>

#include "sim/hw/schedule.h"

namespace cimsim {

ScheduleState::ScheduleState(const ScheduleRequest& request, std::uint64_t inferences)
    : request_(request),
      submitted_(inferences, std::vector<std::uint64_t>(request.vectors.size(), 0)),
      completed_(inferences, std::vector<std::uint64_t>(request.vectors.size(), 0)) {}

bool ScheduleState::inference_done(std::uint64_t i) const {
  for (std::size_t l = 0; l < layers(); ++l) {
    if (!layer_done(i, l)) return false;
  }
  return true;
}

std::uint64_t ScheduleState::available(std::uint64_t i, std::size_t l) const {
  const LayerDependency none;
  const LayerDependency& dep = l < request_.dependencies.size() ? request_.dependencies[l] : none;
  if (dep.producer < 0) return vectors(l);
  const auto producer = static_cast<std::size_t>(dep.producer);
  const std::uint64_t ready = completed_[i][producer];
  if (dep.needs.empty()) return ready == vectors(producer) ? vectors(l) : 0;
  // needs does not decrease: the vectors whose needs are met are a prefix.
  return static_cast<std::uint64_t>(std::upper_bound(dep.needs.begin(), dep.needs.end(), ready) -
                                    dep.needs.begin());
}

std::vector<std::uint64_t> ScheduleState::buffered() const {
  const std::size_t n = layers();
  std::vector<std::uint64_t> held(n, 0);
  for (std::uint64_t i = 0; i < inferences(); ++i) {
    // Per producer: the first of its vectors some consumer still needs (all consumers' minimum).
    std::vector<std::uint64_t> keep_from(n, ~std::uint64_t{0});
    std::vector<bool> read(n, false);
    for (std::size_t l = 0; l < n && l < request_.dependencies.size(); ++l) {
      const LayerDependency& dep = request_.dependencies[l];
      if (dep.producer < 0) continue;
      const auto p = static_cast<std::size_t>(dep.producer);
      read[p] = true;
      const std::uint64_t done = completed_[i][l];
      std::uint64_t from = 0;
      if (done == vectors(l)) {
        from = vectors(p);
      } else if (!dep.first.empty()) {
        from = dep.first[done];
      }
      keep_from[p] = std::min(keep_from[p], from);
    }
    for (std::size_t p = 0; p < n; ++p) {
      if (read[p] && completed_[i][p] > keep_from[p]) held[p] += completed_[i][p] - keep_from[p];
    }
  }
  return held;
}

namespace {

// One layer at a time: the next layer (in the network's order) of the oldest unfinished
// inference, all its vectors as one job, once everything before it has completed.
class Sequential final : public SchedulePolicy {
 public:
  [[nodiscard]] std::vector<JobRequest> ready(const ScheduleState& s) const override {
    for (std::uint64_t i = 0; i < s.inferences(); ++i) {
      for (std::size_t l = 0; l < s.layers(); ++l) {
        if (s.layer_done(i, l)) continue;
        if (s.submitted(i, l) > 0) return {};  // running
        return {{static_cast<std::int64_t>(i), l, s.vectors(l)}};
      }
    }
    return {};
  }
};

// ISAAC-style: every layer of every admitted inference takes its available vectors in jobs of
// `per_job` (the last job of a layer may be shorter). Inference i is admitted once inference
// i - 1 has completed its first layer.
class Pipelined final : public SchedulePolicy {
 public:
  explicit Pipelined(std::uint64_t per_job) : per_job_(std::max<std::uint64_t>(per_job, 1)) {}

  [[nodiscard]] std::vector<JobRequest> ready(const ScheduleState& s) const override {
    std::vector<JobRequest> jobs;
    for (std::uint64_t i = 0; i < s.inferences(); ++i) {
      if (i > 0 && s.layers() > 0 && !s.layer_done(i - 1, 0)) break;
      for (std::size_t l = 0; l < s.layers(); ++l) {
        const std::uint64_t available = s.available(i, l);
        std::uint64_t submitted = s.submitted(i, l);
        while (submitted < available &&
               (available - submitted >= per_job_ || available == s.vectors(l))) {
          const std::uint64_t count = std::min(per_job_, available - submitted);
          jobs.push_back({static_cast<std::int64_t>(i), l, count});
          submitted += count;
        }
      }
    }
    return jobs;
  }

 private:
  std::uint64_t per_job_;
};

const Registrar<SchedulePolicy, std::uint64_t> kSequential(
    "sequential", "one layer at a time, inference after inference",
    [](std::uint64_t /*per_job*/) { return std::make_unique<Sequential>(); });
const Registrar<SchedulePolicy, std::uint64_t> kPipelined(
    "pipelined", "ISAAC-style layer pipelining at vector granularity",
    [](std::uint64_t per_job) { return std::make_unique<Pipelined>(per_job); });

}  // namespace
}  // namespace cimsim
