// One crossbar macro: crossbar array, DAC row drivers, per-column ADCs with sample-and-hold, and
// shift-and-add accumulators. Its arithmetic (the functional model) runs outside simulated time;
// its time is its tile's (sim/hw/tile.h). A macro selected for the waveform gets a process of its
// own that steps its input cycles on the schedule of its tile's ADC pool, so the VCD shows the
// input-cycle index, per-column ADC enable, resolution and code, accumulators and a busy flag;
// an untraced macro has no process at all.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "sim/core/event_counts.h"
#include "sim/macro/crossbar_engine.h"
#include "sim/mapping/int_matrix.h"

namespace cimsim {

class CrossbarMacro : public sc_core::sc_module {
 public:
  // `crossbar_id` keys the random draws of this macro's cells and ADCs (CrossbarEngine).
  CrossbarMacro(const sc_core::sc_module_name& name, const MappedCrossbar& crossbar,
                const MappingGeometry& geometry, const MacroSettings& settings,
                std::uint64_t crossbar_id = 0);

  // Traced macros only: hands the macro a batch of T input vectors (T x K) and the layer's output
  // (T x N) to add its partial sums into, and starts its cycles with its tile's busiest-ADC time
  // per input cycle. `done()` fires when its last conversion has finished.
  void start(const IntMatrix* inputs, WideMatrix* outputs, double t_adc_ns);
  [[nodiscard]] const sc_core::sc_event& done() const { return done_; }

  // Spawns the macro's process (during elaboration) and traces its state into `file`.
  void enable_tracing(sc_core::sc_trace_file* file);
  [[nodiscard]] bool traced() const { return traced_; }

  // Compute the arithmetic of a batch of `vectors` vectors outside simulated time, so that the
  // macros of a layer can do it on several cores at once: start_batch, then precompute on
  // consecutive blocks of the batch's vectors in order (`block` holds vectors first_vector, ...;
  // the analog kernel numbers its noise draws by the vectors it has run). Touch nothing but
  // this macro.
  void start_batch(std::size_t vectors);
  // `shared`, when given, holds the block's inputs in the layer's shared forms
  // (CrossbarEngine::run_batch).
  void precompute(const IntMatrix& block, std::size_t first_vector,
                  const SharedInputPlanes* shared = nullptr);
  // Where the precomputed partial sums are: rows (vectors) x cols (the macro's span of outputs,
  // from first_output), row-major. Valid until the next start_batch.
  struct PartialSums {
    const std::int64_t* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::size_t first_output = 0;
  };
  [[nodiscard]] PartialSums partial_sums() const;

  [[nodiscard]] const EventCounts& counts() const { return counts_; }
  [[nodiscard]] const CrossbarEngine& engine() const { return engine_; }

 private:
  void run_traced();

  CrossbarEngine engine_;
  MacroSettings settings_;
  const IntMatrix* inputs_ = nullptr;
  WideMatrix* outputs_ = nullptr;
  sc_core::sc_event start_;
  sc_core::sc_event done_;
  EventCounts counts_;
  double t_adc_ns_ = 0.0;  // of the current batch: the tile's busiest ADC per input cycle
  bool traced_ = false;
  WideMatrix partial_;  // precomputed partial sums: T x this macro's outputs

  // Waveform state, traced by reference (plain members cost nothing when tracing is off).
  int trace_input_cycle_ = -1;
  bool trace_busy_ = false;
  std::unique_ptr<bool[]> enable_flags_;  // per column; std::vector<bool> is not addressable
  std::vector<int> trace_adc_bits_;
  std::vector<std::int64_t> trace_adc_code_;
  std::vector<std::int64_t> trace_accumulator_;
};

}  // namespace cimsim
