#include "sim/core/event_counts.h"

namespace cimsim {

EventCounts& EventCounts::operator+=(const EventCounts& other) {
  add_dynamic(other);
  crossbars += other.crossbars;
  allocated_columns += other.allocated_columns;
  gated_columns += other.gated_columns;
  allocated_cells += other.allocated_cells;
  used_rows += other.used_rows;
  adcs += other.adcs;
  return *this;
}

void EventCounts::add_dynamic(const EventCounts& other, std::uint64_t times) {
  if (times == 0) return;  // no conversions_by_bits key for a resolution that never converted
  for (const auto& [bits, count] : other.conversions_by_bits)
    conversions_by_bits[bits] += count * times;
  conversions += other.conversions * times;
  skipped_conversions += other.skipped_conversions * times;
  clipped_conversions += other.clipped_conversions * times;
  clipped_negative += other.clipped_negative * times;
  dac_activations += other.dac_activations * times;
  nonzero_row_digits += other.nonzero_row_digits * times;
  cell_reads += other.cell_reads * times;
  shift_adds += other.shift_adds * times;
  input_buffer_reads += other.input_buffer_reads * times;
  partial_sum_adds += other.partial_sum_adds * times;
  input_cycles += other.input_cycles * times;
  accumulator_overflows += other.accumulator_overflows * times;
}

}  // namespace cimsim
