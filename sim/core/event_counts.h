// The countable events of section 8 of the crossbar model (docs/model.md): what the macro
// simulation counts and the energy models price. Dynamic counts are totals over all input
// vectors; static counts (crossbars, columns, cells, ADCs) describe the mapped hardware.
#pragma once

#include <cstdint>
#include <map>

namespace cimsim {

struct EventCounts {
  // Dynamic events [count].
  std::map<int, std::uint64_t> conversions_by_bits;  // ADC resolution [bit] -> conversions
  std::uint64_t conversions = 0;          // ADC conversions (= samples of the sample-and-holds)
  std::uint64_t skipped_conversions = 0;  // skipped because the crossbar's digits were all zero
  std::uint64_t clipped_conversions = 0;  // codes held at 2^b - 1 (or at 0: a negative sum)
  std::uint64_t clipped_negative = 0;     // of those, negative real-valued sums read as 0
  std::uint64_t dac_activations = 0;      // row drives charged to the DACs
  std::uint64_t nonzero_row_digits = 0;   // row drives whose digit is nonzero (draw current)
  std::uint64_t cell_reads = 0;           // nonzero row digit x allocated column
  std::uint64_t shift_adds = 0;           // converted values shifted into an accumulator
  std::uint64_t input_buffer_reads = 0;   // one per row per section or row tile per vector
  std::uint64_t partial_sum_adds = 0;     // digital additions of an output's parts
  std::uint64_t input_cycles = 0;         // crossbar input cycles (crossbars x V)
  std::uint64_t accumulator_overflows = 0;

  // Static description of the mapped hardware [count].
  std::uint64_t crossbars = 0;
  std::uint64_t allocated_columns = 0;
  std::uint64_t gated_columns = 0;
  std::uint64_t allocated_cells = 0;  // rows used x allocated columns, summed over crossbars
  std::uint64_t used_rows = 0;        // wordlines in use, summed over crossbars
  std::uint64_t adcs = 0;             // physical ADCs (per_crossbar x crossbars)

  // Adds everything, static counts included: combines different crossbars or layers.
  EventCounts& operator+=(const EventCounts& other);
  // Adds only the dynamic counts, `times` over: combines runs of the same hardware on more
  // inputs.
  void add_dynamic(const EventCounts& other, std::uint64_t times = 1);
};

}  // namespace cimsim
