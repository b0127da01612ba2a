#include "sim/hw/accelerator.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "sim/core/errors.h"
#include "sim/energy/adc_energy_model.h"
#include "sim/hw/sim_time.h"
#include "sim/macro/integer_gemm.h"

namespace cimsim {
namespace {

// A layer name as a SystemC module name: '.' separates the hierarchy and other characters are
// not allowed there (ONNX names such as "/stages/stages.2/conv/Conv"), so each becomes '_'.
std::string module_name(const std::string& layer_name) {
  std::string name = layer_name;
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') c = '_';
  }
  return name.empty() ? std::string("layer") : name;
}

// Copies of inputs' rows in blocks of `block_vectors` (none when one block holds them all).
std::vector<IntMatrix> block_copies(const IntMatrix& inputs, std::size_t block_vectors) {
  std::vector<IntMatrix> copies;
  if (inputs.rows <= block_vectors) return copies;
  copies.reserve((inputs.rows + block_vectors - 1) / block_vectors);
  for (std::size_t t = 0; t < inputs.rows; t += block_vectors) {
    const std::size_t rows = std::min(block_vectors, inputs.rows - t);
    // Filled from the range, not zeroed first: the copies of a batch are 10.6 MB (a convolution).
    IntMatrix& block = copies.emplace_back();
    block.rows = rows;
    block.cols = inputs.cols;
    block.data.assign(inputs.row(t), inputs.row(t) + rows * inputs.cols);
  }
  return copies;
}

// The untraced macros' arithmetic for a batch, on every core. Each crossbar reads (gathers) its
// rows of every vector, and a batch's inputs (a convolution: 16 images x 576 vectors x 288
// int32 = 10.6 MB) exceed the caches, so running one crossbar after another over the whole batch
// streamed it from memory once per crossbar (most of an SWS clipping run). Instead a task takes a
// group of crossbars through the batch a block of vectors at a time: the block stays in the
// core's L2 while the group reads it. Each crossbar still runs the batch's vectors in order.
// Every macro's partial sums of vectors [first, end) into the layer's outputs. (From a list
// of where they are: a layer's macros are large objects, and reading each one's fields once per
// block of vectors took more time than the additions.)
void add_partial_sums(const std::vector<CrossbarMacro::PartialSums>& partials, std::size_t first,
                      std::size_t end, WideMatrix& outputs) {
  for (const CrossbarMacro::PartialSums& partial : partials) {
    for (std::size_t t = first; t < std::min(end, partial.rows); ++t) {
      const std::int64_t* sums = partial.data + t * partial.cols;
      std::int64_t* out = &outputs.at(t, partial.first_output);
      for (std::size_t o = 0; o < partial.cols; ++o) out[o] += sums[o];
    }
  }
}

// The functional model of a layer's untraced macros over `inputs`, their partial sums added into
// `outputs`.
void precompute_blocked(const std::vector<CrossbarMacro*>& macros, const IntMatrix& inputs,
                        WideMatrix& outputs) {
  constexpr std::size_t kCrossbarsPerTask = 16;
  for (CrossbarMacro* macro : macros) macro->start_batch(inputs.rows);
  std::vector<CrossbarMacro::PartialSums> partials;
  partials.reserve(macros.size());
  for (const CrossbarMacro* macro : macros) partials.push_back(macro->partial_sums());
  // Crossbars that gather their rows read each block of the clip kernel's width in shared forms,
  // built once for all of them (sim/macro/shared_inputs.h) and small enough to stay in L2
  // while every crossbar reads it; the layer's bit-serial drive is the same for all.
  const auto reader = std::find_if(macros.begin(), macros.end(), [](const CrossbarMacro* macro) {
    return macro->engine().reads_shared_inputs();
  });
  if (reader != macros.end()) {
    const SerialDrive drive = (*reader)->engine().serial_drive();
    SharedForms forms{false, false, false};
    for (const CrossbarMacro* macro : macros) {
      if (macro->engine().reads_shared_inputs()) forms |= macro->engine().shared_forms();
    }
    const std::vector<IntMatrix> copies = block_copies(inputs, SharedInputPlanes::kLanes);
    for (std::size_t b = 0; b < std::max<std::size_t>(copies.size(), 1); ++b) {
      const IntMatrix& block = copies.empty() ? inputs : copies[b];
      SharedInputPlanes shared(block, drive, forms);
      tbb::parallel_for(std::size_t{0}, shared.tiles(),
                        [&](std::size_t tile) { shared.fill(tile); });
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, macros.size(), kCrossbarsPerTask),
                        [&](const tbb::blocked_range<std::size_t>& range) {
                          for (std::size_t i = range.begin(); i < range.end(); ++i) {
                            macros[i]->precompute(block, b * SharedInputPlanes::kLanes, &shared);
                          }
                        });
      // The block's partial sums while they are still in cache.
      const std::size_t first = b * SharedInputPlanes::kLanes;
      add_partial_sums(partials, first, first + block.rows, outputs);
    }
    return;
  }
  constexpr std::size_t kBlockVectors = 512;  // 512 x 288 int32 = 590 kB, half of a 1 MiB L2
  const std::vector<IntMatrix> copies = block_copies(inputs, kBlockVectors);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, macros.size(), kCrossbarsPerTask),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      for (std::size_t b = 0; b < std::max<std::size_t>(copies.size(), 1); ++b) {
                        const IntMatrix& block = copies.empty() ? inputs : copies[b];
                        for (std::size_t i = range.begin(); i < range.end(); ++i) {
                          macros[i]->precompute(block, b * kBlockVectors);
                        }
                      }
                    });
  // A block of output rows takes every macro's partial sums while it stays in cache (a macro of
  // one output adds one word per row), blocks on every core: integer sums, in any order exact.
  constexpr std::size_t kRowsPerTask = 64;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, inputs.rows, kRowsPerTask),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      add_partial_sums(partials, range.begin(), range.end(), outputs);
                    });
}

}  // namespace

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
  use_femtosecond_resolution();
  for (const MappedLayer* layer : layers) {
    layers_.push_back(std::make_unique<LayerUnit>(module_name(layer->name).c_str(), *layer,
                                                  settings.for_layer(layer->name), layers_.size()));
  }
  // The static half of the timing model: placement on tiles and each tile's ADC deal.
  std::vector<std::vector<const CrossbarEngine*>> engines;
  std::vector<int> depths;
  for (const auto& unit : layers_) {
    engines.emplace_back();
    for (const auto& macro : unit->macros) engines.back().push_back(&macro->engine());
    depths.push_back(unit->layer().adder_tree_depth());
  }
  ChipPlan plan = plan_chip(engines, depths, placed_slots(layers, settings_.chip), settings_);
  for (const LayerPlan& layer : plan.layers) {
    tile_of_.emplace_back();
    for (const TileWork& work : layer.tiles) {
      tile_of_.back().insert(tile_of_.back().end(), work.count, work.tile);
    }
  }
  chip_ = std::make_unique<Chip>("chip", std::move(plan), settings_);
  scheduler_ = std::make_unique<Scheduler>("scheduler", *chip_, settings_.chip.schedule,
                                           settings_.chip.vectors_per_job,
                                           settings_.chip.simulated_inferences);
  traced_.resize(layers_.size());
  if (!trace_patterns.empty() && !vcd_path.empty()) open_traces(trace_patterns, vcd_path);
  for (const auto& unit : layers_) {
    // Every crossbar's choice of kernel (CrossbarEngine::choose_kernel) decides the layer's.
    const bool exact = std::all_of(unit->macros.begin(), unit->macros.end(), [](const auto& macro) {
      return macro->engine().exact() && !macro->traced();
    });
    exact_.push_back(exact);
  }
  weights_.resize(layers_.size());
  exact_counts_.resize(layers_.size());
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    if (!exact_[l]) continue;
    (void)layer_weights(l);
    exact_counts_[l] = std::make_unique<ExactLayerCounts>(engines[l]);
  }
  // What collect() reports of each crossbar and column that does not change from batch to batch.
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    crossbar_stats_.emplace_back();
    column_classes_.emplace_back();
    const auto& macros = layers_[l]->macros;
    for (std::size_t i = 0; i < macros.size(); ++i) {
      const CrossbarEngine& engine = macros[i]->engine();
      const EventCounts counts = engine.static_counts();
      crossbar_stats_.back().push_back({counts.used_rows, counts.allocated_columns,
                                        counts.gated_columns, 0, 0, engine.adc_time_ns(),
                                        tile_of_[l][i], engine.crossbar().section,
                                        engine.crossbar().row_tile});
      for (const ColumnAdcPlan& column : engine.plan()) {
        ++column_classes_.back()[column.gated ? 0 : column.bits].columns;
      }
    }
  }
}

const IntMatrix& Accelerator::layer_weights(std::size_t index) {
  IntMatrix& weights = weights_.at(index);
  const MappedLayer& layer = layers_[index]->layer();
  if (weights.data.empty() && layer.inputs > 0 && layer.outputs > 0) {
    weights = reconstruct_weights(layer);
  }
  return weights;
}

sc_core::sc_trace_file* Accelerator::trace_file(const std::string& vcd_path) {
  if (trace_file_ == nullptr) {
    // sc_create_vcd_trace_file appends ".vcd" itself.
    std::string base = vcd_path;
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0)
      base.resize(base.size() - 4);
    trace_file_ = sc_core::sc_create_vcd_trace_file(base.c_str());
    trace_file_->set_time_unit(1, sc_core::SC_PS);
  }
  return trace_file_;
}

void Accelerator::open_traces(const std::vector<std::string>& trace_patterns,
                              const std::string& vcd_path) {
  const auto selected = [&trace_patterns](const char* name) {
    return std::any_of(trace_patterns.begin(), trace_patterns.end(), [name](const auto& pattern) {
      return fnmatch(pattern.c_str(), name, 0) == 0;
    });
  };
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    for (const auto& macro : layers_[l]->macros) {
      if (!selected(macro->name())) continue;
      macro->enable_tracing(trace_file(vcd_path));
      traced_[l].push_back(macro.get());
    }
  }
  bool any_tile = false;
  for (const auto& tile : chip_->tiles()) any_tile = any_tile || selected(tile->name());
  if (any_tile) chip_->enable_tracing(trace_file(vcd_path), trace_patterns);
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
  }
  for (const auto& [bits, column_class] : batch.column_classes) {
    column_classes[bits].conversions += column_class.conversions;
  }
  link_byte_hops += batch.link_byte_hops;
  vectors += batch.vectors;
}

ChipSummary Accelerator::chip_summary() const {
  ChipSummary summary;
  summary.tiles = chip_->plan().tiles;
  summary.adcs = chip_->plan().adcs;
  summary.loads = chip_->plan().loads.size();
  summary.crossbars = chip_->plan().physical_crossbars;
  summary.interconnect_links = chip_->interconnect_stats().links;
  summary.statistics = chip_->statistics(simulated_ns_);
  return summary;
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
  // The functional model: the arithmetic of untraced macros is independent, so it runs on every
  // core, outside simulated time. An exact layer (no macro of it traced) is one integer product,
  // and its counts follow from the digit statistics of the batch. Traced macros compute in their
  // own process.
  if (layer_is_exact(index)) {
    result.outputs = integer_gemm(inputs, weights_[index]);
    const DigitStatistics digits = digit_statistics(inputs, layer.geometry, settings_.input_signed);
    std::vector<std::uint64_t> conversions;
    result.counts = exact_counts_[index]->batch(digits, inputs.rows, conversions);
    collect(index, result, &conversions);
    return result;
  }
  std::vector<CrossbarMacro*> untraced;
  for (auto& macro : layers_[index]->macros) {
    if (!macro->traced()) untraced.push_back(macro.get());
  }
  precompute_blocked(untraced, inputs, result.outputs);
  run_traced(index, inputs, result.outputs);
  collect(index, result, nullptr);
  return result;
}

void Accelerator::run_traced(std::size_t index, const IntMatrix& inputs, WideMatrix& outputs) {
  const std::vector<CrossbarMacro*>& traced = traced_[index];
  if (traced.empty()) return;
  // A traced macro steps its cycles in simulated time with its tile's busiest-ADC time per input
  // cycle, for the waveform only: the run's timing is the schedule's (simulate()).
  const LayerPlan& plan = chip_->plan().layers[index];
  const LayerUnit& unit = *layers_[index];
  // Let the macros' threads reach their first wait: a notification made during elaboration
  // would be lost.
  if (sc_core::sc_get_status() == sc_core::SC_ELABORATION) sc_core::sc_start(sc_core::SC_ZERO_TIME);
  for (CrossbarMacro* macro : traced) {
    const auto slot =
        static_cast<std::size_t>(&macro->engine().crossbar() - unit.layer().crossbars.data());
    const std::int64_t tile = tile_of_[index][slot];
    const auto work = std::find_if(plan.tiles.begin(), plan.tiles.end(),
                                   [tile](const TileWork& w) { return w.tile == tile; });
    macro->start(&inputs, &outputs, work->t_adc_ns);
  }
  sc_core::sc_start();  // returns when the traced macros have stepped every cycle
}

void Accelerator::check_output_buffer(std::size_t index, std::uint64_t vectors,
                                      LayerResult& result) const {
  const MappedLayer& layer = layers_[index]->layer();
  result.output_buffer_peak_bytes =
      static_cast<double>(vectors) * layer.outputs * settings_.chip.input_bytes;
  const double capacity = settings_.chip.output_buffer_capacity_bytes *
                          static_cast<double>(chip_->plan().layers[index].tiles.size());
  if (result.output_buffer_peak_bytes > capacity) {
    throw KeyedConfigError(
        "hardware.tile.output_buffer.capacity_bytes",
        "layer '" + layer.name + "' holds up to " + format_number(result.output_buffer_peak_bytes) +
            " B of outputs for the layers that read them, its " +
            std::to_string(chip_->plan().layers[index].tiles.size()) + " tiles' output buffers " +
            format_number(capacity) + " B; expected at least " +
            format_number(result.output_buffer_peak_bytes /
                          static_cast<double>(chip_->plan().layers[index].tiles.size())) +
            " B per tile");
  }
}

ScheduleResult Accelerator::simulate(const ScheduleRequest& request,
                                     const std::vector<LayerResult*>& layers) {
  if (request.vectors.size() != layers_.size() || layers.size() != layers_.size()) {
    throw RuntimeError("simulate: " + std::to_string(request.vectors.size()) +
                       " layers in the request, the accelerator has " +
                       std::to_string(layers_.size()));
  }
  scheduler_->start(request);
  sc_core::sc_start();  // returns when every job of the simulated inferences is complete
  if (!scheduler_->finished()) throw RuntimeError("the schedule stalled before its last job");
  ScheduleResult schedule = scheduler_->result();  // not const: returned by move
  simulated_ns_ = schedule.simulated_ns;
  // Static power over the run: with power gating an ADC is powered while a layer that dealt it
  // a column is under way; without, every ADC of the chip for the whole run, shared among the
  // layers in proportion to the time each is under way (so that the layers sum to the run).
  double occupied_sum = 0.0;
  for (const LayerTiming& t : schedule.layers) occupied_sum += t.occupied_ns;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    LayerResult& r = *layers[l];
    const LayerTiming& t = schedule.layers[l];
    r.latency_ns = t.occupied_ns;
    r.start_ns = t.start_ns;
    r.end_ns = t.end_ns;
    r.single_inference_ns = t.end_ns - t.start_ns;
    r.run_share_ns = occupied_sum > 0.0 ? schedule.run_ns * t.occupied_ns / occupied_sum : 0.0;
    const double powered_adcs = static_cast<double>(
        settings_.adc.power_gating ? chip_->plan().layers[l].powered_adcs : chip_->plan().adcs);
    r.powered_adc_ns = powered_adcs * (settings_.adc.power_gating ? t.occupied_ns : r.run_share_ns);
    check_output_buffer(l, t.buffered_vectors, r);
  }
  return schedule;
}

void Accelerator::collect(std::size_t index, LayerResult& result,
                          const std::vector<std::uint64_t>* exact_conversions) const {
  const LayerUnit& unit = *layers_[index];
  result.crossbars = crossbar_stats_[index];
  for (std::size_t i = 0; i < unit.macros.size(); ++i) {
    CrossbarStats& stats = result.crossbars[i];
    if (exact_conversions != nullptr) {  // result.counts holds the layer's counts already
      stats.conversions = (*exact_conversions)[i];
      continue;
    }
    const EventCounts& counts = unit.macros[i]->counts();
    result.counts += counts;
    stats.conversions = counts.conversions;
    stats.clipped_conversions = counts.clipped_conversions;
  }
  result.column_classes = column_classes_[index];
  // With shared pools the ADCs serving the layer are its tiles' pools (section 11).
  const LayerPlan& plan = chip_->plan().layers[index];
  result.counts.adcs = plan.adcs;
  for (const TileWork& work : plan.tiles) {
    result.max_adc_time_ns = std::max(result.max_adc_time_ns, work.t_adc_ns);
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
  result.tiles = plan.tiles.size();
  result.adcs = plan.adcs;
  result.adder_tree_depth = unit.layer().adder_tree_depth();
  result.adder_tree_ns = unit.macros.empty() ? 0.0 : result.adder_tree_depth * settings_.t_add_ns;
  const auto vectors = static_cast<double>(result.vectors);
  for (const TileWork& work : plan.tiles) {
    const double bytes = work.fetch_bytes_per_vector +
                         static_cast<double>(work.outputs) * settings_.chip.partial_sum_bytes;
    result.link_byte_hops += vectors * bytes * work.hops;
  }
}

}  // namespace cimsim
