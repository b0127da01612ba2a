#include "sim/macro/crossbar_engine.h"

#include <algorithm>
#include <limits>

#include "sim/core/errors.h"
#include "sim/encoding/weight_encoding.h"

namespace cimsim {

CrossbarEngine::CrossbarEngine(const MappedCrossbar& crossbar, const MappingGeometry& geometry,
                               const MacroSettings& settings)
    : crossbar_(crossbar), geometry_(geometry), settings_(settings) {
  cycles_ = geometry_.input_cycles();
  const WeightEncoding& encoding = weight_encoding(geometry_.encoding);
  offset_coefficient_ = encoding.input_sum_coefficient(geometry_.weight_bits);
  const auto& resolution = AdcResolutionPolicyRegistry::instance().create(settings_.adc.policy);
  const auto& transfer = AdcTransferRegistry::instance().create(settings_.adc.mode);
  const auto& kind = AdcKindRegistry::instance().create(settings_.adc.kind);

  // Columns are dealt to the ADCs round-robin in column order; gated columns take no turn.
  std::vector<double> adc_busy_ns(static_cast<std::size_t>(settings_.adc.per_crossbar), 0.0);
  int converting = 0;
  stored_row_sum_.assign(crossbar_.outputs.size(), 0);
  plan_.resize(crossbar_.columns.size());
  std::size_t local = 0;
  for (std::size_t j = 0; j < crossbar_.columns.size(); ++j) {
    const MappedColumn& column = crossbar_.columns[j];
    while (crossbar_.outputs[local] != column.output) ++local;
    ColumnAdcPlan& plan = plan_[j];
    plan.local_output = static_cast<int>(local);
    plan.shift = static_cast<unsigned>(column.slice * geometry_.cell_bits);
    plan.gated = settings_.adc.power_gating && column.bound == 0;
    std::int64_t cell_sum = 0;
    for (std::uint8_t cell : column.cells) cell_sum += cell;
    stored_row_sum_[local] += column.polarity * (cell_sum << plan.shift);
    if (plan.gated) continue;
    plan.bits = resolution->resolution(column.lossless_bits, settings_.adc.bits);
    plan.step = transfer->step(plan.bits, column.lossless_bits);
    plan.adc = converting % settings_.adc.per_crossbar;
    adc_busy_ns[static_cast<std::size_t>(plan.adc)] +=
        kind->conversion_ns(plan.bits, settings_.adc.timing);
    ++converting;
  }
  t_adc_ns_ = *std::max_element(adc_busy_ns.begin(), adc_busy_ns.end());
  accumulator_limit_ = (std::int64_t{1} << (settings_.accumulator_bits - 1)) - 1;
  accumulators_.assign(crossbar_.outputs.size(), 0);
  digits_.resize(crossbar_.gather.size());
}

double CrossbarEngine::busy_ns(std::uint64_t vectors) const {
  const double cycles = static_cast<double>(vectors) * cycles_;
  if (cycles == 0.0) return 0.0;
  const double t_read = settings_.t_read_ns;
  if (!settings_.sample_hold) return cycles * (t_read + t_adc_ns_);
  // The read of the next cycle overlaps the conversions of the current one.
  return t_read + (cycles - 1.0) * std::max(t_read, t_adc_ns_) + t_adc_ns_;
}

EventCounts CrossbarEngine::static_counts() const {
  EventCounts counts;
  counts.crossbars = 1;
  counts.allocated_columns = crossbar_.columns.size();
  for (const ColumnAdcPlan& plan : plan_) counts.gated_columns += plan.gated ? 1 : 0;
  counts.used_rows = crossbar_.gather.size();
  counts.allocated_cells = crossbar_.gather.size() * crossbar_.columns.size();
  counts.adcs = static_cast<std::uint64_t>(settings_.adc.per_crossbar);
  return counts;
}

void CrossbarEngine::accumulate(std::int64_t& accumulator, std::int64_t addend,
                                EventCounts& counts) const {
  // The accumulator has a configured width: an overflow is counted and saturates, never wraps.
  std::int64_t sum = accumulator + addend;
  if (sum > accumulator_limit_ || sum < -accumulator_limit_ - 1) {
    ++counts.accumulator_overflows;
    sum = std::clamp(sum, -accumulator_limit_ - 1, accumulator_limit_);
  }
  accumulator = sum;
}

void CrossbarEngine::run_vector(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                                std::vector<CycleTrace>* trace) {
  const int v = geometry_.dac_bits;
  const int a = geometry_.input_bits;
  const std::uint32_t digit_mask = (1U << v) - 1U;
  const std::uint32_t input_mask = a >= 32 ? ~0U : (1U << a) - 1U;
  const bool signed_serial = settings_.input_signed && v == 1;
  const bool signed_offset = settings_.input_signed && v > 1;
  const std::int64_t half_range = std::int64_t{1} << (a - 1);
  const std::size_t rows = crossbar_.gather.size();
  std::fill(accumulators_.begin(), accumulators_.end(), 0);
  if (trace != nullptr) trace->assign(static_cast<std::size_t>(cycles_), CycleTrace{});

  for (int p = 0; p < cycles_; ++p) {
    const unsigned digit_shift = static_cast<unsigned>(p * v);
    std::uint64_t nonzero = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      const std::int64_t value = x[crossbar_.gather[r]];
      // Signed bit-serial inputs drive the two's-complement bits; signed multi-bit inputs drive
      // the digits of x + 2^(A-1) and are corrected digitally below.
      const auto driven = static_cast<std::uint32_t>(signed_offset ? value + half_range : value) &
                          input_mask;
      digits_[r] = static_cast<std::uint8_t>((driven >> digit_shift) & digit_mask);
      nonzero += digits_[r] != 0 ? 1 : 0;
    }
    counts.nonzero_row_digits += nonzero;
    counts.dac_activations += settings_.dac_skip_zero_digits ? nonzero : rows;
    counts.cell_reads += nonzero * crossbar_.columns.size();
    const bool idle_cycle = nonzero == 0 && settings_.adc.skip_zero_input_cycles;
    // The most significant cycle of a two's-complement input carries weight -2^(A-1).
    const std::int64_t cycle_sign = (signed_serial && p == cycles_ - 1) ? -1 : 1;
    CycleTrace* cycle_trace = trace != nullptr ? &(*trace)[static_cast<std::size_t>(p)] : nullptr;
    if (cycle_trace != nullptr) {
      cycle_trace->codes.assign(crossbar_.columns.size(), 0);
      cycle_trace->converted.assign(crossbar_.columns.size(), false);
    }

    for (std::size_t j = 0; j < crossbar_.columns.size(); ++j) {
      const ColumnAdcPlan& plan = plan_[j];
      if (plan.gated) continue;
      if (idle_cycle) {
        ++counts.skipped_conversions;
        continue;
      }
      const std::uint8_t* cells = crossbar_.columns[j].cells.data();
      std::int64_t sum = 0;
      for (std::size_t r = 0; r < rows; ++r) sum += digits_[r] * cells[r];
      const AdcConversion conversion = AdcTransfer::convert(sum, plan.step, plan.bits);
      ++counts.conversions;
      ++counts.conversions_by_bits[plan.bits];
      ++counts.shift_adds;
      counts.clipped_conversions += conversion.clipped ? 1 : 0;
      const std::int64_t sign = cycle_sign * crossbar_.columns[j].polarity;
      accumulate(accumulators_[static_cast<std::size_t>(plan.local_output)],
                 sign * (conversion.value << (digit_shift + plan.shift)), counts);
      if (cycle_trace != nullptr) {
        cycle_trace->codes[j] = conversion.code;
        cycle_trace->converted[j] = true;
      }
    }
  }

  // Exact digital corrections (section 6).
  std::int64_t input_sum = 0;
  if (offset_coefficient_ != 0) {
    for (std::size_t r = 0; r < rows; ++r) input_sum += x[crossbar_.gather[r]];
  }
  for (std::size_t o = 0; o < crossbar_.outputs.size(); ++o) {
    if (offset_coefficient_ != 0) accumulate(accumulators_[o], -offset_coefficient_ * input_sum, counts);
    if (signed_offset) accumulate(accumulators_[o], -half_range * stored_row_sum_[o], counts);
    y[crossbar_.outputs[o]] += accumulators_[o];
  }
  counts.input_buffer_reads += rows;
  counts.input_cycles += static_cast<std::uint64_t>(cycles_);
}

}  // namespace cimsim
