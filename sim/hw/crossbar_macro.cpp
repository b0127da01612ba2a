#define SC_INCLUDE_DYNAMIC_PROCESSES  // sc_spawn of a traced macro's process

#include "sim/hw/crossbar_macro.h"

#include <algorithm>

#include "sim/hw/sim_time.h"

namespace cimsim {

CrossbarMacro::CrossbarMacro(const sc_core::sc_module_name& name, const MappedCrossbar& crossbar,
                             const MappingGeometry& geometry, const MacroSettings& settings,
                             std::uint64_t crossbar_id)
    : sc_module(name), engine_(crossbar, geometry, settings, crossbar_id), settings_(settings) {}

void CrossbarMacro::start(const IntMatrix* inputs, WideMatrix* outputs, double t_adc_ns) {
  inputs_ = inputs;
  outputs_ = outputs;
  t_adc_ns_ = t_adc_ns;
  start_.notify(sc_core::SC_ZERO_TIME);
}

void CrossbarMacro::enable_tracing(sc_core::sc_trace_file* file) {
  traced_ = true;
  sc_core::sc_spawn_options options;
  options.dont_initialize();
  options.set_sensitivity(&start_);
  sc_core::sc_spawn(
      [this] {
        while (true) {
          counts_ = engine_.static_counts();
          run_traced();
          done_.notify(sc_core::SC_ZERO_TIME);
          sc_core::wait(start_);
        }
      },
      "cycles", &options);
  const std::size_t columns = engine_.crossbar().columns.size();
  trace_adc_bits_.assign(columns, 0);
  trace_adc_code_.assign(columns, 0);
  trace_accumulator_.assign(engine_.crossbar().outputs.size(), 0);
  const std::string prefix = std::string(name()) + ".";
  sc_core::sc_trace(file, trace_input_cycle_, prefix + "input_cycle");
  sc_core::sc_trace(file, trace_busy_, prefix + "busy");
  for (std::size_t j = 0; j < columns; ++j) {
    const std::string column = prefix + "adc.col" + std::to_string(j);
    sc_core::sc_trace(file, trace_adc_bits_[j], column + ".bits");
    sc_core::sc_trace(file, trace_adc_code_[j], column + ".code");
  }
  enable_flags_ = std::make_unique<bool[]>(columns);
  for (std::size_t j = 0; j < columns; ++j) {
    sc_core::sc_trace(file, enable_flags_[j], prefix + "adc.col" + std::to_string(j) + ".enable");
  }
  for (std::size_t o = 0; o < trace_accumulator_.size(); ++o) {
    sc_core::sc_trace(file, trace_accumulator_[o],
                      prefix + "acc.out" + std::to_string(engine_.crossbar().outputs[o]));
  }
}

void CrossbarMacro::start_batch(std::size_t vectors) {
  counts_ = engine_.static_counts();
  const std::vector<std::int32_t>& outputs = engine_.crossbar().outputs;
  const std::size_t span =
      outputs.empty() ? 0 : static_cast<std::size_t>(outputs.back() - outputs.front() + 1);
  partial_ = WideMatrix(vectors, span);
}

void CrossbarMacro::precompute(const IntMatrix& block, std::size_t first_vector,
                               const SharedInputPlanes* shared) {
  const std::vector<std::int32_t>& outputs = engine_.crossbar().outputs;
  const std::int32_t first = outputs.empty() ? 0 : outputs.front();
  // The engine adds into y[n]; give it a window of this macro's outputs, shifted to start at 0.
  engine_.run_batch(block, partial_.data.data() + first_vector * partial_.cols, partial_.cols,
                    counts_, first, shared);
}

CrossbarMacro::PartialSums CrossbarMacro::partial_sums() const {
  const std::vector<std::int32_t>& outputs = engine_.crossbar().outputs;
  return {partial_.data.data(), partial_.rows, partial_.cols,
          outputs.empty() ? 0 : static_cast<std::size_t>(outputs.front())};
}

void CrossbarMacro::run_traced() {
  // Step the pipeline of section 9 cycle by cycle: a read, then for each input cycle its
  // conversions, overlapping the next read when sample-and-hold is on.
  const double t_read = settings_.t_read_ns;
  const double t_adc = t_adc_ns_;
  std::vector<CycleTrace> cycles;
  const std::size_t total = inputs_->rows * static_cast<std::size_t>(engine_.input_cycles());
  if (total == 0) return;
  trace_busy_ = true;
  std::size_t global_cycle = 0;
  for (std::size_t t = 0; t < inputs_->rows; ++t) {
    engine_.run_vector(inputs_->row(t), outputs_->data.data() + t * outputs_->cols, counts_,
                       &cycles);
    for (std::size_t p = 0; p < cycles.size(); ++p, ++global_cycle) {
      trace_input_cycle_ = static_cast<int>(p);
      if (global_cycle == 0 || !settings_.sample_hold) sc_core::wait(ns_time(t_read));
      for (std::size_t j = 0; j < cycles[p].codes.size(); ++j) {
        enable_flags_[j] = cycles[p].converted[j];
        trace_adc_bits_[j] = cycles[p].converted[j] ? engine_.plan()[j].bits : 0;
        trace_adc_code_[j] = cycles[p].codes[j];
      }
      const bool last = global_cycle + 1 == total;
      const double step = (settings_.sample_hold && !last) ? std::max(t_read, t_adc) : t_adc;
      if (step > 0.0) sc_core::wait(ns_time(step));
    }
    std::copy(engine_.accumulators().begin(), engine_.accumulators().end(),
              trace_accumulator_.begin());
  }
  std::fill(enable_flags_.get(), enable_flags_.get() + trace_adc_code_.size(), false);
  trace_busy_ = false;
  trace_input_cycle_ = -1;
}

}  // namespace cimsim
