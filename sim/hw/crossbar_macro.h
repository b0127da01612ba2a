// One crossbar macro as a SystemC module: crossbar array, DAC row drivers, per-column ADC bank
// with sample-and-hold, and shift-and-add accumulators, driven by one thread (never one process
// per column). Time is event driven: untraced, the macro computes all its input cycles and waits
// once for their closed-form duration; traced, it steps cycle by cycle so the waveform shows the
// input-cycle index, per-column ADC enable, resolution and code, accumulators and a busy flag.
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

  // Hands the macro a batch of T input vectors (T x K) and the layer's output (T x N) to add its
  // partial sums into, then starts it. `done()` fires when its last conversion has finished.
  void start(const IntMatrix* inputs, WideMatrix* outputs);
  [[nodiscard]] const sc_core::sc_event& done() const { return done_; }

  void enable_tracing(sc_core::sc_trace_file* file);
  [[nodiscard]] bool traced() const { return traced_; }

  // Computes the arithmetic of a batch ahead of simulated time, so that the macros of a layer can
  // do it on several cores at once; the macro's thread then only adds the result and waits.
  // Touches nothing but this macro.
  void precompute(const IntMatrix& inputs);
  // The same for a layer whose outputs were computed as one exact product: only the counts and
  // the busy time are this macro's.
  void precompute_counts(const EventCounts& counts, std::uint64_t vectors);

  [[nodiscard]] const EventCounts& counts() const { return counts_; }
  [[nodiscard]] double busy_ns() const { return busy_ns_; }
  [[nodiscard]] const CrossbarEngine& engine() const { return engine_; }

 private:
  void run();
  void run_untraced();
  void run_traced();

  CrossbarEngine engine_;
  MacroSettings settings_;
  const IntMatrix* inputs_ = nullptr;
  WideMatrix* outputs_ = nullptr;
  sc_core::sc_event start_;
  sc_core::sc_event done_;
  EventCounts counts_;
  double busy_ns_ = 0.0;
  bool traced_ = false;
  bool precomputed_ = false;
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
