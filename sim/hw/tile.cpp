#include "sim/hw/tile.h"

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

namespace cimsim {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

Tile::Tile(const sc_core::sc_module_name& name, const MacroSettings& settings,
           std::function<void(const sc_time&)> finished)
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
  sensitive << start_;
  dont_initialize();
}

void Tile::start(int layer, const TileWork& work, std::uint64_t vectors, int cycles_per_vector) {
  work_ = &work;
  vectors_ = vectors;
  cycles_per_vector_ = static_cast<std::uint64_t>(cycles_per_vector);
  t_adc_ = ns_time(work.t_adc_ns);
  // Double buffering: half the buffer holds the chunk being read, half the one arriving.
  per_chunk_ = vectors;
  if (!std::isinf(buffer_capacity_bytes_) && work.fetch_bytes_per_vector > 0.0) {
    const double fit = std::floor(buffer_capacity_bytes_ / (2.0 * work.fetch_bytes_per_vector));
    per_chunk_ = std::max<std::uint64_t>(
        1, std::min<std::uint64_t>(vectors, static_cast<std::uint64_t>(fit)));
  }
  chunks_ = per_chunk_ == 0 ? 0 : (vectors + per_chunk_ - 1) / per_chunk_;
  chunk_ = 0;
  const sc_time now = sc_core::sc_time_stamp();
  sums_added_ = now;
  compute_end_ = now;
  trace_layer_ = layer;
  ++stats_.layers;
  if (chunks_ == 0) {
    state_ = State::kIdle;
    start_.notify(SC_ZERO_TIME);
    return;
  }
  spdlog::debug("{} @ {} ns: layer {} starts, {} crossbars, {} vectors in {} chunks, t_adc {} ns",
                name(), to_ns(now), layer, work.count, vectors, chunks_, work.t_adc_ns);
  // The first fetch is asked for here, in the order the chip starts its tiles (tile order), so
  // that tiles contending for the interconnect at the start of a layer are served in that order.
  inputs_ready_ = request_inputs(0);
  trace_waiting_input_ = inputs_ready_ > now;
  state_ = State::kWaitInput;
  start_.notify(inputs_ready_ - now);
}

std::uint64_t Tile::chunk_vectors(std::uint64_t chunk) const {
  return std::min(per_chunk_, vectors_ - chunk * per_chunk_);
}

sc_time Tile::request_inputs(std::uint64_t chunk) {
  return interconnect->fetch(
      work_->hops, static_cast<double>(chunk_vectors(chunk)) * work_->fetch_bytes_per_vector);
}

void Tile::step() {
  const sc_time now = sc_core::sc_time_stamp();
  switch (state_) {
    case State::kIdle:  // a job without vectors: done at once
      finished_(now);
      return;
    case State::kWaitInput: {
      stats_.stall_input_ns += to_ns(now - compute_end_);
      trace_waiting_input_ = false;
      for (auto& action : on_compute_) action();
      on_compute_.clear();
      if (chunk_ + 1 < chunks_) next_inputs_ready_ = request_inputs(chunk_ + 1);
      const std::uint64_t cycles = chunk_vectors(chunk_) * cycles_per_vector_;
      const sc_time reads = times(cycles, t_read_);
      const sc_time conversions = times(cycles, t_adc_);
      const sc_time port =
          service_time(static_cast<double>(chunk_vectors(chunk_)) * work_->read_bytes_per_vector,
                       buffer_bytes_per_ns_, clock_);
      sc_time compute = sample_hold_ ? std::max(reads, conversions) : reads + conversions;
      compute = std::max(compute, port);
      stats_.busy_ns += to_ns(compute);
      stats_.adc_busy_ns += to_ns(conversions);
      stats_.buffer_busy_ns += to_ns(port);
      trace_computing_ = true;
      trace_busy_adcs_ = static_cast<int>(work_->powered_adcs);
      state_ = State::kCompute;
      next_trigger(compute);
      return;
    }
    case State::kCompute: {
      compute_end_ = now;
      const double vectors = static_cast<double>(chunk_vectors(chunk_));
      const sc_time arrival = interconnect->send(
          work_->hops, vectors * static_cast<double>(work_->outputs) * partial_sum_bytes_);
      const double adds = vectors * static_cast<double>(work_->split_outputs);
      sums_added_ =
          std::max(sums_added_, adds > 0.0 ? accumulator->accumulate(adds, arrival) : arrival);
      ++chunk_;
      if (chunk_ == chunks_) {
        // The last conversions drain: min(t_read, t_adc) with sample-and-hold, nothing without.
        state_ = State::kDrain;
        next_trigger(sample_hold_ ? std::min(t_read_, t_adc_) : SC_ZERO_TIME);
        return;
      }
      trace_computing_ = false;
      trace_busy_adcs_ = 0;
      inputs_ready_ = next_inputs_ready_;
      state_ = State::kWaitInput;
      trace_waiting_input_ = inputs_ready_ > now;
      next_trigger(inputs_ready_ > now ? inputs_ready_ - now : SC_ZERO_TIME);
      return;
    }
    case State::kDrain: {
      if (sample_hold_) stats_.busy_ns += to_ns(std::min(t_read_, t_adc_));
      trace_computing_ = false;
      trace_busy_adcs_ = 0;
      trace_layer_ = -1;
      state_ = State::kIdle;
      chunks_ = 0;
      spdlog::debug("{} @ {} ns: computed; partial sums added at {} ns, {} ns stalled on inputs",
                    name(), to_ns(now), to_ns(std::max(now, sums_added_)), stats_.stall_input_ns);
      finished_(std::max(now, sums_added_));
      return;  // static sensitivity: the next start
    }
  }
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
