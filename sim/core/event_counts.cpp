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

void EventCounts::add_dynamic(const EventCounts& other) {
  for (const auto& [bits, count] : other.conversions_by_bits) conversions_by_bits[bits] += count;
  conversions += other.conversions;
  skipped_conversions += other.skipped_conversions;
  clipped_conversions += other.clipped_conversions;
  clipped_negative += other.clipped_negative;
  dac_activations += other.dac_activations;
  nonzero_row_digits += other.nonzero_row_digits;
  cell_reads += other.cell_reads;
  shift_adds += other.shift_adds;
  input_buffer_reads += other.input_buffer_reads;
  partial_sum_adds += other.partial_sum_adds;
  input_cycles += other.input_cycles;
  accumulator_overflows += other.accumulator_overflows;
}

}  // namespace cimsim
