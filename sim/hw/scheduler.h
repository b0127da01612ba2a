// Drives the chip through a run's inferences (sim/hw/schedule.h): submits the jobs its policy
// allows, learns of their completion from the chip, and asks again. One SC_METHOD. It simulates
// hardware.schedule.simulated_inferences inferences (or fewer, if the run has fewer) and
// extrapolates to the run's: inference 0 alone gives the per-inference latency (first input in
// to last output out), the spacing of the last completions the steady-state interval.
#pragma once

#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include <systemc>

#include "sim/hw/chip.h"
#include "sim/hw/schedule.h"

namespace cimsim {

struct LayerTiming {
  double start_ns = 0.0;     // inference 0: its first job submitted [ns from the run's start]
  double end_ns = 0.0;       // inference 0: its last job complete [ns]
  double occupied_ns = 0.0;  // over the run: time some inference's work of the layer is under way
  std::uint64_t buffered_vectors = 0;  // peak of its outputs held for the layers that read them
};

struct ScheduleResult {
  std::string kind;
  std::uint64_t inferences = 0;            // of the run
  std::uint64_t simulated_inferences = 0;  // simulated in SystemC
  double inference_ns = 0.0;               // first input in to last output out, inference 0 [ns]
  double interval_ns = 0.0;                // between completions in steady state [ns]
  double run_ns = 0.0;                     // all inferences of the run [ns]
  double simulated_ns = 0.0;               // the simulated inferences [ns]
  // Writing weights of a time-multiplexed chip: within inference 0, and over the run
  // (extrapolated like run_ns; loads_written may then be fractional in principle, but steady
  // inferences write the same loads).
  ReprogrammingStats inference_reprogramming;
  double run_loads_written = 0.0;
  double run_cells_written = 0.0;
  double run_program_ns = 0.0;
  std::vector<LayerTiming> layers;
  [[nodiscard]] double throughput_per_s() const {
    return interval_ns > 0.0 ? 1e9 / interval_ns : 0.0;
  }
};

class Scheduler : public sc_core::sc_module {
 public:
  Scheduler(const sc_core::sc_module_name& name, Chip& chip, const std::string& kind,
            std::uint64_t vectors_per_job, std::uint64_t simulated_inferences);

  // Starts the request's inferences now (from outside the kernel: the caller runs sc_start);
  // `done()` fires when the simulated ones are complete.
  void start(const ScheduleRequest& request);
  [[nodiscard]] const sc_core::sc_event& done() const { return done_; }
  [[nodiscard]] bool finished() const { return finished_; }
  [[nodiscard]] ScheduleResult result() const;

 private:
  struct Completion {
    sc_core::sc_time end;
    std::uint64_t job;
    bool operator>(const Completion& other) const {
      return end != other.end ? end > other.end : job > other.job;
    }
  };
  void step();
  void job_done(std::uint64_t job, const sc_core::sc_time& end);

  Chip& chip_;
  std::string kind_;
  std::unique_ptr<SchedulePolicy> policy_;
  std::uint64_t max_simulated_;
  ScheduleRequest request_;
  std::unique_ptr<ScheduleState> state_;
  std::vector<JobRequest> jobs_;  // by job id
  std::priority_queue<Completion, std::vector<Completion>, std::greater<>> completions_;
  sc_core::sc_event_queue wake_;
  sc_core::sc_event done_;
  sc_core::sc_time start_;
  // Per simulated inference and layer: first submission and last completion.
  std::vector<std::vector<sc_core::sc_time>> first_submit_;
  std::vector<std::vector<sc_core::sc_time>> last_end_;
  std::vector<sc_core::sc_time> inference_end_;
  std::vector<std::uint64_t> peak_buffered_;         // per layer
  std::vector<ReprogrammingStats> reprogrammed_by_;  // chip's totals when inference i ended
  ReprogrammingStats reprogrammed_at_start_;
  bool finished_ = true;
};

}  // namespace cimsim
