// One tile of the chip as a SystemC module: crossbar slots that read in lockstep, the ADC pool
// they share (or each crossbar's own ADCs), the tile input buffer, and ports to the interconnect
// and the accumulator. One SC_METHOD per tile (no thread stack, so a chip of tens of thousands
// of tiles elaborates). Jobs (a layer's vectors of one inference; tokens, never data) queue in
// the order the scheduler submits them and are served one after another, each in chunks that fit
// the double-buffered input buffer:
//   fetch chunk c over the interconnect -> (prefetch the next chunk, of this job or the next)
//   -> compute c -> send its partial sums,
// where computing V_c input cycles takes, with sample-and-hold, the longest of the stages
// V_c x t_read (crossbar reads), V_c x t_adc (the pool's conversions) and the buffer's read port;
// without it, V_c x (t_read + t_adc) or the port. A job's last conversions drain for
// min(t_read, t_adc) with sample-and-hold while the next job's reads already start, so one job of
// V cycles on an idle tile with unlimited bandwidth takes section 9's
// t_read + (V - 1) max(t_read, t_adc) + t_adc (section 11), and back-to-back jobs stream.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include <systemc>

#include "sim/core/statistics.h"
#include "sim/hw/accumulator_unit.h"
#include "sim/hw/chip_plan.h"
#include "sim/hw/interconnect.h"
#include "sim/hw/timeline.h"

namespace cimsim {

// What a tile measured over the run.
struct TileStats {
  double busy_ns = 0.0;         // computing (reads and conversions) [ns]
  double adc_busy_ns = 0.0;     // its busiest ADC converting [ns]
  double buffer_busy_ns = 0.0;  // input buffer read port busy [ns]
  double stall_input_ns = 0.0;  // waiting for inputs from the interconnect [ns]
  std::uint64_t jobs = 0;       // jobs served
  double program_ns = 0.0;      // writing weights (time-multiplexed chips) [ns]
};

// A job token: `vectors` input vectors of layer `layer` for inference `inference`, or, with
// program_ns > 0, writing the tile's crossbars of a new load for that long.
struct TileJob {
  std::uint64_t id = 0;
  int layer = 0;
  std::int64_t inference = 0;
  const TileWork* work = nullptr;
  std::uint64_t vectors = 0;
  std::uint64_t cycles_per_vector = 0;
  double program_ns = 0.0;
};

class Tile : public sc_core::sc_module {
 public:
  sc_core::sc_port<TransferIf> interconnect;
  sc_core::sc_port<AccumulateIf> accumulator;

  // `finished(job, end)` is called when the tile is done with a job; `end` (at or after the
  // current time) is when its last conversion has drained and its last partial sum is added.
  Tile(const sc_core::sc_module_name& name, const MacroSettings& settings,
       std::function<void(std::uint64_t, const sc_core::sc_time&)> finished);

  // Queues a job now (from a process); an idle tile starts it at once.
  void submit(const TileJob& job);
  void enable_tracing(sc_core::sc_trace_file* file);
  // Records the tile's spans into `timeline` from now on.
  void record_into(Timeline* timeline) {
    timeline_ = timeline;
    idle_since_ = sc_core::sc_time_stamp();
  }
  [[nodiscard]] const TileStats& stats() const { return stats_; }
  // Declares the statistics of `tiles` over a run of `run_ns`: sums and the busiest tile's ADC
  // pool and input buffer port (one set for the chip, not one per tile).
  static void statistics(const std::vector<std::unique_ptr<Tile>>& tiles, StatisticSet& set,
                         double run_ns);

 private:
  enum class State { kIdle, kWaitInput, kCompute, kProgram };
  void step();
  void begin_job(const sc_core::sc_time& now);
  // Pops the current job, reports it done at `end` and starts the next (or idles).
  void finish_job(const sc_core::sc_time& now, const sc_core::sc_time& end);
  [[nodiscard]] std::uint64_t per_chunk(const TileJob& job) const;
  [[nodiscard]] std::uint64_t chunk_vectors(const TileJob& job, std::uint64_t chunk) const;
  [[nodiscard]] sc_core::sc_time request_inputs(const TileJob& job, std::uint64_t chunk);
  void record(const char* name, const char* category, const sc_core::sc_time& start,
              const sc_core::sc_time& end) const;

  sc_core::sc_time clock_;
  sc_core::sc_time t_read_;
  bool sample_hold_;
  double buffer_bytes_per_ns_;
  double buffer_capacity_bytes_;
  int partial_sum_bytes_;
  std::function<void(std::uint64_t, const sc_core::sc_time&)> finished_;
  sc_core::sc_event wake_;
  Timeline* timeline_ = nullptr;

  std::deque<TileJob> queue_;  // front: the current job
  std::uint64_t chunks_ = 0;   // of the current job
  std::uint64_t chunk_ = 0;
  sc_core::sc_time t_adc_;
  sc_core::sc_time inputs_ready_;       // of the current chunk
  sc_core::sc_time next_inputs_ready_;  // of the prefetched next chunk
  bool next_prefetched_ = false;        // the next chunk's fetch has been requested
  sc_core::sc_time wait_start_;
  sc_core::sc_time idle_since_;  // when the queue last ran empty
  sc_core::sc_time compute_start_;
  sc_core::sc_time sums_added_;  // last partial sum of the current job added
  State state_ = State::kIdle;
  TileStats stats_;

  // Waveform state (traced by reference).
  int trace_layer_ = -1;
  int trace_busy_adcs_ = 0;
  bool trace_computing_ = false;
  bool trace_waiting_input_ = false;
};

}  // namespace cimsim
