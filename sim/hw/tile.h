// One tile of the chip as a SystemC module: crossbar slots that read in lockstep, the ADC pool
// they share (or each crossbar's own ADCs), the tile input buffer, and ports to the interconnect
// and the accumulator. One SC_METHOD per tile (no thread stack, so a chip of tens of thousands
// of tiles elaborates); it walks a layer's vectors in chunks that fit the double-buffered input
// buffer:
//   fetch chunk c over the interconnect -> (prefetch c+1) -> compute c -> send its partial sums,
// where computing V_c input cycles takes, with sample-and-hold, the longest of the stages
// V_c x t_read (crossbar reads), V_c x t_adc (the pool's conversions) and the buffer's read port;
// without it, V_c x (t_read + t_adc) or the port. The pipeline fills and drains once per layer
// (min(t_read, t_adc) with sample-and-hold), so with unlimited bandwidth a tile takes section 9's
// t_read + (V - 1) max(t_read, t_adc) + t_adc (section 11).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <systemc>

#include "sim/core/statistics.h"
#include "sim/hw/accumulator_unit.h"
#include "sim/hw/chip_plan.h"
#include "sim/hw/interconnect.h"

namespace cimsim {

// What a tile measured over the run.
struct TileStats {
  double busy_ns = 0.0;         // computing (reads and conversions) [ns]
  double adc_busy_ns = 0.0;     // its busiest ADC converting [ns]
  double buffer_busy_ns = 0.0;  // input buffer read port busy [ns]
  double stall_input_ns = 0.0;  // waiting for inputs from the interconnect [ns]
  std::uint64_t layers = 0;     // layer jobs served
};

class Tile : public sc_core::sc_module {
 public:
  sc_core::sc_port<TransferIf> interconnect;
  sc_core::sc_port<AccumulateIf> accumulator;

  // `finished(end)` is called when the tile is done with a layer; `end` is when its last partial
  // sum has been added (at or after the current time).
  Tile(const sc_core::sc_module_name& name, const MacroSettings& settings,
       std::function<void(const sc_core::sc_time&)> finished);

  // Starts a job now: layer `layer`'s `work` for `vectors` vectors of `cycles_per_vector` cycles.
  void start(int layer, const TileWork& work, std::uint64_t vectors, int cycles_per_vector);
  // Runs `action` once, when the tile starts computing its next job (the traced macros' start).
  void on_compute_start(std::function<void()> action) { on_compute_.push_back(std::move(action)); }
  void enable_tracing(sc_core::sc_trace_file* file);
  [[nodiscard]] const TileStats& stats() const { return stats_; }
  // Declares the statistics of `tiles` over a run of `run_ns`: sums and the busiest tile's ADC
  // pool and input buffer port (one set for the chip, not one per tile).
  static void statistics(const std::vector<std::unique_ptr<Tile>>& tiles, StatisticSet& set,
                         double run_ns);

 private:
  enum class State { kIdle, kWaitInput, kCompute, kDrain };
  void step();
  [[nodiscard]] std::uint64_t chunk_vectors(std::uint64_t chunk) const;
  [[nodiscard]] sc_core::sc_time request_inputs(std::uint64_t chunk);

  sc_core::sc_time clock_;
  sc_core::sc_time t_read_;
  bool sample_hold_;
  double buffer_bytes_per_ns_;
  double buffer_capacity_bytes_;
  int partial_sum_bytes_;
  std::function<void(const sc_core::sc_time&)> finished_;
  sc_core::sc_event start_;
  std::vector<std::function<void()>> on_compute_;

  // The current job.
  const TileWork* work_ = nullptr;
  std::uint64_t vectors_ = 0;
  std::uint64_t cycles_per_vector_ = 0;
  std::uint64_t per_chunk_ = 0;
  std::uint64_t chunks_ = 0;
  std::uint64_t chunk_ = 0;
  sc_core::sc_time t_adc_;
  sc_core::sc_time inputs_ready_;       // of the current chunk
  sc_core::sc_time next_inputs_ready_;  // of the prefetched next chunk
  sc_core::sc_time compute_end_;
  sc_core::sc_time sums_added_;  // last partial sum of the job added
  State state_ = State::kIdle;
  TileStats stats_;

  // Waveform state (traced by reference).
  int trace_layer_ = -1;
  int trace_busy_adcs_ = 0;
  bool trace_computing_ = false;
  bool trace_waiting_input_ = false;
};

}  // namespace cimsim
