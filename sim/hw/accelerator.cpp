#include "sim/hw/accelerator.h"

#include <fnmatch.h>

#include <algorithm>

#include <tbb/parallel_for.h>

#include "sim/core/errors.h"
#include "sim/macro/integer_gemm.h"

namespace cimsim {

using sc_core::SC_NS;
using sc_core::sc_time;

LayerUnit::LayerUnit(const sc_core::sc_module_name& name, const MappedLayer& layer,
                     const MacroSettings& settings, std::size_t layer_index)
    : sc_module(name), layer_(layer) {
  macros.reserve(layer.crossbars.size());
  for (std::size_t i = 0; i < layer.crossbars.size(); ++i) {
    const std::string macro_name = "xbar" + std::to_string(i);
    const std::uint64_t crossbar_id = (static_cast<std::uint64_t>(layer_index) << 32U) | i;
    macros.push_back(std::make_unique<CrossbarMacro>(macro_name.c_str(), layer.crossbars[i],
                                                     layer.geometry, settings, crossbar_id));
  }
}

Accelerator::Accelerator(const sc_core::sc_module_name& name,
                         const std::vector<const MappedLayer*>& layers,
                         const MacroSettings& settings,
                         const std::vector<std::string>& trace_patterns,
                         const std::string& vcd_path)
    : sc_module(name), settings_(settings) {
  SC_HAS_PROCESS(Accelerator);
  SC_THREAD(control);
  for (const MappedLayer* layer : layers) {
    layers_.push_back(
        std::make_unique<LayerUnit>(layer->name.c_str(), *layer, settings, layers_.size()));
  }
  finish_construction(trace_patterns, vcd_path);
}

void Accelerator::finish_construction(const std::vector<std::string>& trace_patterns,
                                      const std::string& vcd_path) {
  if (!trace_patterns.empty() && !vcd_path.empty()) open_traces(trace_patterns, vcd_path);
  for (const auto& unit : layers_) {
    done_lists_.push_back(std::make_unique<sc_core::sc_event_and_list>());
    for (const auto& macro : unit->macros) *done_lists_.back() &= macro->done();
    const bool exact = !settings_.adc.skip_zero_input_cycles && settings_.kernel != "reference" &&
                       std::all_of(unit->macros.begin(), unit->macros.end(), [](const auto& macro) {
                         return macro->engine().exact() && !macro->traced();
                       });
    exact_weights_.push_back(exact ? reconstruct_weights(unit->layer()) : IntMatrix());
  }
}

void Accelerator::open_traces(const std::vector<std::string>& trace_patterns,
                              const std::string& vcd_path) {
  for (const auto& unit : layers_) {
    for (const auto& macro : unit->macros) {
      const bool selected = std::any_of(trace_patterns.begin(), trace_patterns.end(),
                                        [&macro](const std::string& pattern) {
                                          return fnmatch(pattern.c_str(), macro->name(), 0) == 0;
                                        });
      if (!selected) continue;
      if (trace_file_ == nullptr) {
        // sc_create_vcd_trace_file appends ".vcd" itself.
        std::string base = vcd_path;
        if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0) {
          base.resize(base.size() - 4);
        }
        trace_file_ = sc_core::sc_create_vcd_trace_file(base.c_str());
        trace_file_->set_time_unit(1, sc_core::SC_PS);
      }
      macro->enable_tracing(trace_file_);
      ++traced_macros_;
    }
  }
}

void LayerResult::add_batch(const LayerResult& batch) {
  if (vectors == 0 && counts.crossbars == 0) {
    *this = batch;
    return;
  }
  counts.add_dynamic(batch.counts);
  for (std::size_t i = 0; i < crossbars.size() && i < batch.crossbars.size(); ++i) {
    crossbars[i].conversions += batch.crossbars[i].conversions;
    crossbars[i].clipped_conversions += batch.crossbars[i].clipped_conversions;
    crossbars[i].busy_ns += batch.crossbars[i].busy_ns;
  }
  for (const auto& [bits, column_class] : batch.column_classes) {
    column_classes[bits].conversions += column_class.conversions;
  }
  latency_ns += batch.latency_ns;
  crossbar_ns += batch.crossbar_ns;
  adder_tree_ns += batch.adder_tree_ns;
  vectors += batch.vectors;
}

double Accelerator::layer_latency_ns(std::size_t index, std::uint64_t vectors) const {
  const LayerUnit& unit = *layers_.at(index);
  if (unit.macros.empty() || vectors == 0) return 0.0;
  double slowest = 0.0;
  for (const auto& macro : unit.macros) {
    slowest = std::max(slowest, macro->engine().busy_ns(vectors));
  }
  return slowest + unit.layer().adder_tree_depth() * settings_.t_add_ns;
}

Accelerator::~Accelerator() {
  if (trace_file_ != nullptr) sc_core::sc_close_vcd_trace_file(trace_file_);
}

LayerResult Accelerator::run_layer(std::size_t index, const IntMatrix& inputs) {
  if (index >= layers_.size()) throw RuntimeError("no layer " + std::to_string(index));
  const MappedLayer& layer = layers_[index]->layer();
  if (inputs.cols != static_cast<std::size_t>(layer.inputs)) {
    throw DataError("layer '" + layer.name + "' takes " + std::to_string(layer.inputs) +
                    " inputs per vector, got " + std::to_string(inputs.cols));
  }
  LayerResult result;
  result.name = layer.name;
  result.vectors = inputs.rows;
  result.outputs = WideMatrix(inputs.rows, static_cast<std::size_t>(layer.outputs));
  // Let every process reach its first wait before notifying: a notification made during
  // elaboration would be lost.
  if (sc_core::sc_get_status() == sc_core::SC_ELABORATION) sc_core::sc_start(sc_core::SC_ZERO_TIME);
  // The arithmetic of untraced macros is independent: do it on every core first; simulated time
  // then only sequences the results. An exact layer is one integer product, and its macros'
  // counts follow from the digit statistics of the batch.
  auto& macros = layers_[index]->macros;
  if (layer_is_exact(index)) {
    result.outputs = integer_gemm(inputs, exact_weights_[index]);
    const DigitStatistics digits = digit_statistics(inputs, layer.geometry, settings_.input_signed);
    tbb::parallel_for(std::size_t{0}, macros.size(), [&](std::size_t i) {
      macros[i]->precompute_counts(macros[i]->engine().batch_counts(digits, inputs.rows),
                                   inputs.rows);
    });
  } else {
    std::vector<CrossbarMacro*> untraced;
    for (auto& macro : macros) {
      if (!macro->traced()) untraced.push_back(macro.get());
    }
    tbb::parallel_for(std::size_t{0}, untraced.size(),
                      [&untraced, &inputs](std::size_t i) { untraced[i]->precompute(inputs); });
  }
  pending_layer_ = index;
  pending_inputs_ = &inputs;
  pending_result_ = &result;
  layer_start_.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();  // returns when every event of this layer has been processed
  pending_result_ = nullptr;
  return result;
}

void Accelerator::control() {
  while (true) {
    sc_core::wait(layer_start_);
    LayerUnit& unit = *layers_[pending_layer_];
    LayerResult& result = *pending_result_;
    if (!unit.macros.empty()) {
      // Built once per layer: adding thousands of events to a list checks each for duplicates.
      sc_core::sc_event_and_list& all_done = *done_lists_[pending_layer_];
      for (auto& macro : unit.macros) macro->start(pending_inputs_, &result.outputs);
      sc_core::wait(all_done);
    }
    // The layer takes its slowest crossbar (section 9), measured on the macros' own closed-form
    // busy times rather than on sc_time, which rounds to the time resolution.
    for (const auto& macro : unit.macros) {
      result.crossbar_ns = std::max(result.crossbar_ns, macro->busy_ns());
    }
    result.adder_tree_depth = unit.layer().adder_tree_depth();
    result.adder_tree_ns = unit.macros.empty() ? 0.0 : result.adder_tree_depth * settings_.t_add_ns;
    if (result.adder_tree_ns > 0.0) sc_core::wait(sc_time(result.adder_tree_ns, SC_NS));
    result.latency_ns = result.crossbar_ns + result.adder_tree_ns;

    for (const auto& macro : unit.macros) {
      const EventCounts& counts = macro->counts();
      result.counts += counts;
      result.max_adc_time_ns = std::max(result.max_adc_time_ns, macro->engine().adc_time_ns());
      const MappedCrossbar& crossbar = macro->engine().crossbar();
      result.crossbars.push_back({counts.used_rows, counts.allocated_columns, counts.gated_columns,
                                  counts.conversions, counts.clipped_conversions,
                                  macro->engine().adc_time_ns(), macro->busy_ns(), crossbar.section,
                                  crossbar.row_tile});
      for (const ColumnAdcPlan& plan : macro->engine().plan()) {
        ++result.column_classes[plan.gated ? 0 : plan.bits].columns;
      }
    }
    // The conversions of each resolution are those of that column class.
    for (const auto& [bits, conversions] : result.counts.conversions_by_bits) {
      result.column_classes[bits].conversions = conversions;
    }
    std::uint64_t partial_sum_adds = 0;
    for (int parts : unit.layer().parts_per_output) {
      partial_sum_adds += static_cast<std::uint64_t>(std::max(parts, 1) - 1);
    }
    result.counts.partial_sum_adds += partial_sum_adds * result.vectors;
  }
}

}  // namespace cimsim
