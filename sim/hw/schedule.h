// When a layer's work may start: the scheduling half of the timing model (docs/architecture.md,
// "Scheduling"). A schedule policy (registered, chosen by hardware.schedule.kind) looks at what
// has been submitted to and completed by the chip and returns the jobs that may start now; the
// Scheduler module (sim/hw/scheduler.h) calls it whenever a job completes, so the order and time
// of every layer's work follow from completion events in simulated time, never from the host's
// loop over layers.
//   sequential: one layer at a time, inference after inference (sections 9 and 11);
//   pipelined:  ISAAC-style: a layer takes a vector as soon as the vectors of its producer that
//               it needs exist, in jobs of hardware.schedule.vectors_per_job vectors, and the next
//               inference enters once the previous one has left the first layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/registry.h"

namespace cimsim {

// What layer `l` of one inference reads: the outputs of `producer` (another crossbar layer, or
// -1 for the network's input, which is there from the start). needs[v] is how many of the
// producer's vectors (in their order) must be complete before vector v can start; it does not
// decrease with v. Empty: all of them. first[v] is the first producer vector (0-based) that v
// reads, so that once v is complete the producer's vectors before first[v + 1] can leave the
// buffer between the layers; empty: none leaves before the whole layer is complete.
struct LayerDependency {
  int producer = -1;
  std::vector<std::uint64_t> needs;
  std::vector<std::uint64_t> first;
};

struct ScheduleRequest {
  std::vector<std::uint64_t> vectors;         // per layer: input vectors of one inference
  std::vector<LayerDependency> dependencies;  // per layer
  std::uint64_t inferences = 1;               // of the run; the schedule extrapolates to them
};

// Layer `layer`'s next `vectors` vectors of inference `inference`.
struct JobRequest {
  std::int64_t inference = 0;
  std::size_t layer = 0;
  std::uint64_t vectors = 0;
};

// What has been submitted and completed so far, per simulated inference and layer.
class ScheduleState {
 public:
  ScheduleState(const ScheduleRequest& request, std::uint64_t inferences);
  [[nodiscard]] std::size_t layers() const { return request_.vectors.size(); }
  [[nodiscard]] std::uint64_t inferences() const { return submitted_.size(); }
  [[nodiscard]] std::uint64_t vectors(std::size_t layer) const { return request_.vectors[layer]; }
  [[nodiscard]] std::uint64_t submitted(std::uint64_t i, std::size_t l) const {
    return submitted_[i][l];
  }
  [[nodiscard]] std::uint64_t completed(std::uint64_t i, std::size_t l) const {
    return completed_[i][l];
  }
  [[nodiscard]] bool layer_done(std::uint64_t i, std::size_t l) const {
    return completed_[i][l] == vectors(l);
  }
  [[nodiscard]] bool inference_done(std::uint64_t i) const;
  // Vectors of layer l of inference i whose producer vectors are complete.
  [[nodiscard]] std::uint64_t available(std::uint64_t i, std::size_t l) const;
  // Per layer: its output vectors held for its consumers now, summed over the inferences (the
  // buffer between the layer and the layers that read it); 0 for a layer nobody reads.
  [[nodiscard]] std::vector<std::uint64_t> buffered() const;

  void submit(const JobRequest& job) { submitted_[job.inference][job.layer] += job.vectors; }
  void complete(const JobRequest& job) { completed_[job.inference][job.layer] += job.vectors; }

 private:
  const ScheduleRequest& request_;
  std::vector<std::vector<std::uint64_t>> submitted_;
  std::vector<std::vector<std::uint64_t>> completed_;
};

class SchedulePolicy {
 public:
  static constexpr const char* kKind = "schedule";
  virtual ~SchedulePolicy() = default;
  // The jobs that may be submitted now, in the order they should queue.
  [[nodiscard]] virtual std::vector<JobRequest> ready(const ScheduleState& state) const = 0;
};

// Factory argument: vectors per job (pipelined).
using ScheduleRegistry = Registry<SchedulePolicy, std::uint64_t>;

}  // namespace cimsim
