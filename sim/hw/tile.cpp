#include "sim/hw/tile.h"

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

namespace cimsim {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

Tile::Tile(const sc_core::sc_module_name& name, const MacroSettings& settings,
           std::function<void(std::uint64_t, const sc_time&)> finished)
    : sc_module(name),
      clock_(ns_time(settings.clock_ns)),
      t_read_(ns_time(settings.t_read_ns)),
      sample_hold_(settings.sample_hold),
      buffer_bytes_per_ns_(settings.chip.buffer_bytes_per_ns),
      buffer_capacity_bytes_(settings.chip.buffer_capacity_bytes),
      partial_sum_bytes_(settings.chip.partial_sum_bytes),
      finished_(std::move(finished)) {
  SC_HAS_PROCESS(Tile);
  SC_METHOD(step);
  sensitive << wake_;
  dont_initialize();
}

void Tile::submit(const TileJob& job) {
  queue_.push_back(job);
  if (state_ == State::kIdle && queue_.size() == 1) {
    const sc_time& now = sc_core::sc_time_stamp();
    record("idle", "wait", idle_since_, now);  // nothing to do until this job's inputs existed
    begin_job(now);
  }
}

std::uint64_t Tile::per_chunk(const TileJob& job) const {
  // Double buffering: half the buffer holds the chunk being read, half the one arriving.
  std::uint64_t per_chunk = job.vectors;
  if (!std::isinf(buffer_capacity_bytes_) && job.work->fetch_bytes_per_vector > 0.0) {
    const double fit =
        std::floor(buffer_capacity_bytes_ / (2.0 * job.work->fetch_bytes_per_vector));
    per_chunk = std::max<std::uint64_t>(
        1, std::min<std::uint64_t>(job.vectors, static_cast<std::uint64_t>(fit)));
  }
  return per_chunk;
}

std::uint64_t Tile::chunk_vectors(const TileJob& job, std::uint64_t chunk) const {
  const std::uint64_t size = per_chunk(job);
  return std::min(size, job.vectors - chunk * size);
}

sc_time Tile::request_inputs(const TileJob& job, std::uint64_t chunk) {
  const sc_time& now = sc_core::sc_time_stamp();
  const sc_time arrival =
      interconnect->fetch(job.work->hops, static_cast<double>(chunk_vectors(job, chunk)) *
                                              job.work->fetch_bytes_per_vector);
  if (timeline_ != nullptr && arrival > now) {
    timeline_->add({std::string(name()) + " fetch", "fetch", "transfer", to_ns(now),
                    to_ns(arrival - now), job.layer, job.inference});
  }
  return arrival;
}

void Tile::record(const char* event, const char* category, const sc_time& start,
                  const sc_time& end) const {
  if (timeline_ == nullptr || end <= start) return;
  const TileJob& job = queue_.front();
  timeline_->add(
      {name(), event, category, to_ns(start), to_ns(end - start), job.layer, job.inference});
}

void Tile::begin_job(const sc_time& now) {
  const TileJob& job = queue_.front();
  if (job.program_ns > 0.0) {  // writing weights: the tile computes nothing meanwhile
    trace_layer_ = -1;
    compute_start_ = now;
    state_ = State::kProgram;
    wake_.notify(ns_time(job.program_ns));
    return;
  }
  t_adc_ = ns_time(job.work->t_adc_ns);
  chunks_ = job.vectors == 0 ? 0 : (job.vectors + per_chunk(job) - 1) / per_chunk(job);
  chunk_ = 0;
  sums_added_ = now;
  trace_layer_ = job.layer;
  ++stats_.jobs;
  spdlog::debug("{} @ {} ns: job {} (layer {}, inference {}) starts, {} vectors in {} chunks",
                name(), to_ns(now), job.id, job.layer, job.inference, job.vectors, chunks_);
  // The first fetch is asked for when the job is submitted (or was prefetched while the previous
  // job computed), in submission order, so tiles contending for the interconnect at the start of
  // a layer are served in tile order.
  inputs_ready_ = next_prefetched_ ? next_inputs_ready_ : request_inputs(job, 0);
  next_prefetched_ = false;
  wait_start_ = now;
  trace_waiting_input_ = inputs_ready_ > now;
  state_ = State::kWaitInput;
  wake_.notify(inputs_ready_ > now ? inputs_ready_ - now : SC_ZERO_TIME);
}

void Tile::step() {
  const sc_time& now = sc_core::sc_time_stamp();
  if (state_ == State::kWaitInput) {
    const TileJob& job = queue_.front();
    stats_.stall_input_ns += to_ns(now - wait_start_);
    record("wait input", "wait", wait_start_, now);
    trace_waiting_input_ = false;
    if (chunk_ + 1 < chunks_) {
      next_inputs_ready_ = request_inputs(job, chunk_ + 1);
      next_prefetched_ = true;
    } else if (queue_.size() > 1) {
      next_inputs_ready_ = request_inputs(queue_[1], 0);
      next_prefetched_ = true;
    }
    const std::uint64_t vectors = chunk_vectors(job, chunk_);
    const std::uint64_t cycles = vectors * job.cycles_per_vector;
    const sc_time reads = times(cycles, t_read_);
    const sc_time conversions = times(cycles, t_adc_);
    const sc_time port =
        service_time(static_cast<double>(vectors) * job.work->read_bytes_per_vector,
                     buffer_bytes_per_ns_, clock_);
    sc_time compute = sample_hold_ ? std::max(reads, conversions) : reads + conversions;
    compute = std::max(compute, port);
    stats_.busy_ns += to_ns(compute);
    stats_.adc_busy_ns += to_ns(conversions);
    stats_.buffer_busy_ns += to_ns(port);
    trace_computing_ = true;
    trace_busy_adcs_ = static_cast<int>(job.work->powered_adcs);
    compute_start_ = now;
    state_ = State::kCompute;
    next_trigger(compute);
    return;
  }
  if (state_ == State::kProgram) {
    record("program", "busy", compute_start_, now);
    stats_.program_ns += to_ns(now - compute_start_);
    finish_job(now, now);
    return;
  }
  if (state_ != State::kCompute) return;  // idle: woken by a submission only

  // A chunk has been computed: its partial sums go to the accumulator.
  const TileJob& job = queue_.front();
  record("compute", "busy", compute_start_, now);
  const double vectors = static_cast<double>(chunk_vectors(job, chunk_));
  const sc_time arrival = interconnect->send(
      job.work->hops, vectors * static_cast<double>(job.work->outputs) * partial_sum_bytes_);
  if (timeline_ != nullptr && arrival > now) {
    timeline_->add({std::string(name()) + " send", "send", "transfer", to_ns(now),
                    to_ns(arrival - now), job.layer, job.inference});
  }
  const double adds = vectors * static_cast<double>(job.work->split_outputs);
  sums_added_ =
      std::max(sums_added_, adds > 0.0 ? accumulator->accumulate(adds, arrival) : arrival);
  ++chunk_;
  if (chunk_ < chunks_) {
    trace_computing_ = false;
    trace_busy_adcs_ = 0;
    inputs_ready_ = next_inputs_ready_;
    next_prefetched_ = false;
    wait_start_ = now;
    state_ = State::kWaitInput;
    trace_waiting_input_ = inputs_ready_ > now;
    next_trigger(inputs_ready_ > now ? inputs_ready_ - now : SC_ZERO_TIME);
    return;
  }
  // The job's last conversions drain (min(t_read, t_adc) with sample-and-hold, nothing without)
  // while the next job, if one is queued, already reads.
  const sc_time drain = sample_hold_ ? std::min(t_read_, t_adc_) : SC_ZERO_TIME;
  if (queue_.size() == 1) stats_.busy_ns += to_ns(drain);
  finish_job(now, std::max(now + drain, sums_added_));
}

void Tile::finish_job(const sc_time& now, const sc_time& end) {
  const std::uint64_t id = queue_.front().id;
  queue_.pop_front();
  spdlog::debug("{} @ {} ns: job {} done at {} ns", name(), to_ns(now), id, to_ns(end));
  finished_(id, end);
  trace_computing_ = false;
  trace_busy_adcs_ = 0;
  if (!queue_.empty()) {
    begin_job(now);  // wakes this method through its static sensitivity
    return;
  }
  trace_layer_ = -1;
  idle_since_ = now;
  state_ = State::kIdle;  // static sensitivity: the next submission
}

void Tile::statistics(const std::vector<std::unique_ptr<Tile>>& tiles, StatisticSet& set,
                      double run_ns) {
  TileStats sum;
  double busiest_pool = 0.0;
  double busiest_port = 0.0;
  for (const auto& tile : tiles) {
    const TileStats& s = tile->stats();
    sum.busy_ns += s.busy_ns;
    sum.stall_input_ns += s.stall_input_ns;
    busiest_pool = std::max(busiest_pool, s.adc_busy_ns);
    busiest_port = std::max(busiest_port, s.buffer_busy_ns);
  }
  const auto share = [run_ns](double ns) { return run_ns > 0.0 ? ns / run_ns : 0.0; };
  set.add("tiles.busy_ns", "ns", "tiles computing (reads and conversions), summed", sum.busy_ns);
  set.add("tiles.stall_input_ns", "ns", "tiles waiting for inputs, summed", sum.stall_input_ns);
  set.add("adc_pool.busiest_ns", "ns", "the busiest tile's busiest ADC converting", busiest_pool);
  set.add("adc_pool.busiest_utilization", "fraction", "of the run", share(busiest_pool));
  set.add("input_buffer.busiest_ns", "ns", "the busiest tile input buffer read port busy",
          busiest_port);
  set.add("input_buffer.busiest_utilization", "fraction", "of the run", share(busiest_port));
}

void Tile::enable_tracing(sc_core::sc_trace_file* file) {
  const std::string prefix = std::string(name()) + ".";
  sc_core::sc_trace(file, trace_layer_, prefix + "layer");
  sc_core::sc_trace(file, trace_busy_adcs_, prefix + "adc_pool.busy_adcs");
  sc_core::sc_trace(file, trace_computing_, prefix + "computing");
  sc_core::sc_trace(file, trace_waiting_input_, prefix + "waiting_input");
}

}  // namespace cimsim
