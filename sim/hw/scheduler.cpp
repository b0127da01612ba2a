#include "sim/hw/scheduler.h"

#include <algorithm>

#include "sim/core/errors.h"
#include "sim/hw/sim_time.h"

namespace cimsim {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

Scheduler::Scheduler(const sc_core::sc_module_name& name, Chip& chip, const std::string& kind,
                     std::uint64_t vectors_per_job, std::uint64_t simulated_inferences)
    : sc_module(name),
      chip_(chip),
      kind_(kind),
      policy_(ScheduleRegistry::instance().create(kind, vectors_per_job)),
      max_simulated_(std::max<std::uint64_t>(simulated_inferences, 1)),
      wake_("wake") {
  SC_HAS_PROCESS(Scheduler);
  SC_METHOD(step);
  sensitive << wake_;  // and initialized: a start() during elaboration runs at time zero
  chip_.on_job_done([this](std::uint64_t job, const sc_time& end) { job_done(job, end); });
}

void Scheduler::start(const ScheduleRequest& request) {
  request_ = request;
  const std::uint64_t simulated =
      std::max<std::uint64_t>(1, std::min(request_.inferences, max_simulated_));
  state_ = std::make_unique<ScheduleState>(request_, simulated);
  const std::size_t layers = request_.vectors.size();
  first_submit_.assign(simulated, std::vector<sc_time>(layers, SC_ZERO_TIME));
  last_end_.assign(simulated, std::vector<sc_time>(layers, SC_ZERO_TIME));
  inference_end_.assign(simulated, SC_ZERO_TIME);
  reprogrammed_by_.assign(simulated, ReprogrammingStats{});
  peak_buffered_.assign(layers, 0);
  reprogrammed_at_start_ = chip_.reprogramming();
  jobs_.clear();
  start_ = sc_core::sc_time_stamp();
  finished_ = false;
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION) wake_.notify(SC_ZERO_TIME);
}

void Scheduler::job_done(std::uint64_t job, const sc_time& end) {
  completions_.push({end, job});
  const sc_time& now = sc_core::sc_time_stamp();
  wake_.notify(end > now ? end - now : SC_ZERO_TIME);
}

void Scheduler::step() {
  if (finished_) return;
  const sc_time& now = sc_core::sc_time_stamp();
  while (!completions_.empty() && completions_.top().end <= now) {
    const JobRequest& job = jobs_.at(completions_.top().job);
    completions_.pop();
    state_->complete(job);
    const auto i = static_cast<std::size_t>(job.inference);
    last_end_[i][job.layer] = now;
    if (state_->inference_done(i)) {
      inference_end_[i] = now;
      reprogrammed_by_[i] = chip_.reprogramming();
    }
  }
  const std::vector<std::uint64_t> held = state_->buffered();
  for (std::size_t l = 0; l < held.size(); ++l) {
    peak_buffered_[l] = std::max(peak_buffered_[l], held[l]);
  }
  for (const JobRequest& job : policy_->ready(*state_)) {
    const auto i = static_cast<std::size_t>(job.inference);
    if (state_->submitted(i, job.layer) == 0) first_submit_[i][job.layer] = now;
    state_->submit(job);
    jobs_.push_back(job);
    const std::uint64_t id = chip_.submit(job.layer, job.inference, job.vectors);
    if (id + 1 != jobs_.size()) throw RuntimeError("scheduler: job ids out of step with the chip");
  }
  bool all_done = true;
  for (std::uint64_t i = 0; i < state_->inferences(); ++i) {
    all_done = all_done && state_->inference_done(i);
  }
  if (all_done) {
    finished_ = true;
    done_.notify(SC_ZERO_TIME);
  }
}

ScheduleResult Scheduler::result() const {
  ScheduleResult r;
  r.kind = kind_;
  r.inferences = request_.inferences;
  const std::uint64_t k = state_ ? state_->inferences() : 0;
  r.simulated_inferences = k;
  if (k == 0) return r;
  const auto since_start = [this](const sc_time& t) { return to_ns(t - start_); };
  r.inference_ns = since_start(inference_end_[0]);
  r.simulated_ns = since_start(inference_end_[k - 1]);
  r.interval_ns =
      k > 1 ? (r.simulated_ns - r.inference_ns) / static_cast<double>(k - 1) : r.inference_ns;
  const double more = static_cast<double>(request_.inferences) - 1.0;
  r.run_ns = request_.inferences == 0 ? 0.0 : r.inference_ns + more * r.interval_ns;
  // Writing weights: inference 0's, and the later ones' at the spacing of the last simulated.
  const ReprogrammingStats& by_first = reprogrammed_by_[0];
  const ReprogrammingStats& last = reprogrammed_by_[k - 1];
  const ReprogrammingStats& before = reprogrammed_at_start_;
  r.inference_reprogramming = {by_first.loads_written - before.loads_written,
                               by_first.cells - before.cells, by_first.time_ns - before.time_ns};
  const auto extrapolate = [&](double in_first, double in_all) {
    const double per_more = k > 1 ? (in_all - in_first) / static_cast<double>(k - 1) : in_first;
    return request_.inferences == 0 ? 0.0 : in_first + more * per_more;
  };
  r.run_loads_written = extrapolate(static_cast<double>(r.inference_reprogramming.loads_written),
                                    static_cast<double>(last.loads_written - before.loads_written));
  r.run_cells_written = extrapolate(static_cast<double>(r.inference_reprogramming.cells),
                                    static_cast<double>(last.cells - before.cells));
  r.run_program_ns = extrapolate(r.inference_reprogramming.time_ns, last.time_ns - before.time_ns);
  for (std::size_t l = 0; l < request_.vectors.size(); ++l) {
    LayerTiming t;
    t.start_ns = since_start(first_submit_[0][l]);
    t.end_ns = since_start(last_end_[0][l]);
    // The union of the layer's spans over the simulated inferences, extrapolated linearly.
    double union_ns = 0.0;
    sc_time covered = SC_ZERO_TIME;
    for (std::uint64_t i = 0; i < k; ++i) {
      const sc_time from = std::max(first_submit_[i][l], covered);
      if (last_end_[i][l] > from) union_ns += to_ns(last_end_[i][l] - from);
      covered = std::max(covered, last_end_[i][l]);
    }
    const double first_span_ns = t.end_ns - t.start_ns;
    const double per_more =
        k > 1 ? (union_ns - first_span_ns) / static_cast<double>(k - 1) : first_span_ns;
    t.occupied_ns = request_.inferences == 0 ? 0.0 : first_span_ns + more * per_more;
    t.buffered_vectors = peak_buffered_[l];
    r.layers.push_back(t);
  }
  return r;
}

}  // namespace cimsim
