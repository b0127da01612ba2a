// The arithmetic of one crossbar macro (crossbar-model.md sections 4-6 and 8): DAC digits,
// column sums, per-column ADC conversion, shift-and-add, and the event counts. Plain C++ with no
// SystemC, so that the SystemC module (sim/hw) stays a thin timed shell around it and tests can
// check the arithmetic directly.
//
// Four kernels compute the same numbers; choose_kernel() picks one per crossbar, once, and says
// why (Kernel below). The reference kernel loops over rows, columns and cycles as the model reads.
// The bit-plane kernel holds each input bit and each cell bit of 64 rows in a machine word, so a
// column sum is a few popcounts. The split kernel runs wherever no accumulator can overflow in
// the worst case, so that the order of the additions cannot change a result: the columns whose
// lossless width fits their ADC (unit step) add up to an integer product, computed for them
// alone; only the other columns get per-cycle column sums, either as row adds over each cycle's
// nonzero digits (cells held as 16- or 32-bit integers, sums kept in vector registers across the
// rows) or, for few such columns, as popcounts of bit planes, and are converted column-parallel
// (sim/macro/batch_kernels.h). When no column of the crossbar can clip or round, it is the exact
// product alone, and a layer of such crossbars runs as one integer product (sim/hw/accelerator.h).
// Its outputs and counts are those of the bit-plane kernel, bit for bit (docs/performance.md).
//
// With a device non-ideality on (docs/nonidealities.md) the analog kernel runs instead: each
// converting column holds real-valued cell conductances, sampled once per run, and each input
// cycle's column sum is a real number, perturbed by read noise and the ADC's offset and noise,
// that the ADC quantizes (sim/macro/analog_kernel.h). With everything off the integer kernels
// above run unchanged.
//
// Every kernel reports what it drove (per input cycle, how many rows had a nonzero digit) and
// its conversions; one routine (count_cycles) turns that into the event counts, the same for a
// vector and for a whole exact batch.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "sim/core/event_counts.h"
#include "sim/macro/analog_kernel.h"
#include "sim/macro/int8_product.h"
#include "sim/macro/macro_settings.h"
#include "sim/macro/shared_inputs.h"
#include "sim/mapping/int_matrix.h"
#include "sim/mapping/mapped_layer.h"

namespace cimsim {

// The static ADC plan of one column.
struct ColumnAdcPlan {
  int bits = 0;           // resolution [bit]; 0 when gated
  bool gated = false;     // power-gated: no conversion, no energy, exact zero
  std::int64_t step = 1;  // LSB in units of the column sum
  int local_output = 0;   // index into MappedCrossbar::outputs
  unsigned shift = 0;     // k * cell_bits
  int adc = -1;           // ADC serving this column (round-robin over converting columns)
};

// The static ADC plan of every column of `crossbar`: gating, resolution, step, output and shift,
// and the ADC serving it (round-robin over the converting columns). The engine converts with it;
// `cimsim map` records its resolutions in the trace.
[[nodiscard]] std::vector<ColumnAdcPlan> plan_adc_columns(const MappedCrossbar& crossbar,
                                                          const MappingGeometry& geometry,
                                                          const AdcSettings& adc);

// What one input cycle of one crossbar produced, for waveforms.
struct CycleTrace {
  std::vector<std::int64_t> codes;  // per column; 0 for gated or skipped columns
  std::vector<bool> converted;      // per column
};

// For a batch of input vectors: per input k, its nonzero digits summed over the vectors and the
// input cycles. Enough to count every event of an exact crossbar without visiting each vector.
struct DigitStatistics {
  int cycles = 0;
  std::vector<std::uint64_t> nonzero;  // [k]
};

[[nodiscard]] DigitStatistics digit_statistics(const IntMatrix& x, const MappingGeometry& geometry,
                                               bool input_signed);

// The kernels of CrossbarEngine (see the top of this file).
enum class Kernel {
  kExact,      // the split kernel with no column that can clip or round: the integer product
  kSplit,      // exact product of the safe columns, per-cycle sums of the clipping ones
  kBitPlane,   // per-cycle column sums by popcounts of bit planes, every column
  kReference,  // the plain per-row, per-column loops
  kAnalog,     // real-valued column sums from cell conductances
};

[[nodiscard]] const char* kernel_name(Kernel kernel);

// Which kernel a crossbar takes, and why (for the debug log and the tests).
struct KernelChoice {
  Kernel kernel = Kernel::kBitPlane;
  const char* reason = "";
};

// What a kernel drove over some vectors: the input of the one counting path (count_cycles).
struct CycleTally {
  std::uint64_t vectors = 0;
  std::uint64_t nonzero_digits = 0;    // rows with a nonzero digit, summed over cycles and vectors
  std::uint64_t converted_cycles = 0;  // input cycles whose converting columns converted
  std::uint64_t skipped_cycles = 0;    // input cycles skipped: no nonzero digit, skipping on
};

class CrossbarEngine {
 public:
  // `crossbar_id` names this crossbar in the run (layer and index): the key of its cells' and
  // ADCs' random draws.
  CrossbarEngine(const MappedCrossbar& crossbar, const MappingGeometry& geometry,
                 const MacroSettings& settings, std::uint64_t crossbar_id = 0);

  // Runs one input vector (the layer's K inputs) through all input cycles; adds this crossbar's
  // partial sums into y (y[n - output_base] for the layer's output n). `trace`, when given,
  // receives one entry per input cycle (the kernel chosen for a traced crossbar runs then).
  void run_vector(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                  std::vector<CycleTrace>* trace = nullptr, std::int32_t output_base = 0);

  // Runs the rows of x as a batch of input vectors: row t's partial sums go to
  // y + t * y_stride (as run_vector's y), and counts add up as run_vector's would. `shared`,
  // when given, holds x (at most kClipBlock vectors) in the shared forms, built with this
  // crossbar's drive: a crossbar that reads_shared_inputs() then takes its inputs from there
  // instead of gathering them.
  void run_batch(const IntMatrix& x, std::int64_t* y, std::size_t y_stride, EventCounts& counts,
                 std::int32_t output_base = 0, const SharedInputPlanes* shared = nullptr);
  // Whether batches would read the layer's shared input forms (sim/macro/shared_inputs.h): the
  // split kernel's popcount variant where the bit-sliced kernel applies (gathered rows, not a
  // window, a 32-bit safe product, at most 8 cycles and 8-bit ADCs), and the analog kernel's
  // batches with 1-bit DACs. The forms must have been built with
  // serial_drive().
  [[nodiscard]] bool reads_shared_inputs() const;
  // The shared forms such batches read.
  [[nodiscard]] SharedForms shared_forms() const;
  [[nodiscard]] SerialDrive serial_drive() const { return {geometry_.input_bits, signed_serial_}; }
  // Vectors of run_batch whose inputs came from shared forms.
  [[nodiscard]] std::uint64_t shared_input_vectors() const { return shared_vectors_; }

  [[nodiscard]] const std::vector<ColumnAdcPlan>& plan() const { return plan_; }
  [[nodiscard]] const MappedCrossbar& crossbar() const { return crossbar_; }
  [[nodiscard]] int input_cycles() const { return cycles_; }
  // The kernel of untraced runs and the reason it was chosen.
  [[nodiscard]] Kernel kernel() const { return choice_.kernel; }
  [[nodiscard]] const char* kernel_reason() const { return choice_.reason; }
  // Whether no column can clip, round or overflow (Kernel::kExact): the outputs are the integer
  // product, and exact_counts_per_vector() and exact_counts_per_digit() give every count of a
  // batch.
  [[nodiscard]] bool exact() const { return choice_.kernel == Kernel::kExact; }
  // Whether batches take the split kernel (exact or not; the columns that can clip or round are
  // clipping_columns(), none for an exact crossbar).
  [[nodiscard]] bool split() const {
    return choice_.kernel == Kernel::kSplit || choice_.kernel == Kernel::kExact;
  }
  // Whether the split kernel's per-cycle sums are popcounts of bit planes (else row adds).
  [[nodiscard]] bool split_popcount() const { return split_popcount_; }
  // Input planes (cycle, word) of run_batch_popcount's blocks that were zero in every vector of
  // the block and so skipped by the clip kernel.
  [[nodiscard]] std::uint64_t popcount_dead_planes() const { return popcount_dead_planes_; }
  // Whether batches' row adds run as one int8 product per block of vectors (run_batch).
  [[nodiscard]] bool split_int8() const { return split_int8_; }
  // Vectors of run_batch whose clipping columns' sums came from that int8 product.
  [[nodiscard]] std::uint64_t int8_batched_vectors() const { return int8_batched_; }
  // Cycles of those vectors left out of the product: no nonzero digit, so their sums are zero.
  [[nodiscard]] std::uint64_t int8_zero_cycles() const { return int8_zero_cycles_; }
  // Whether batches' bit-serial row adds are saturating byte sums (kernels::saturating_convert)
  // instead of the int8 product, and the vectors of run_batch that took them.
  [[nodiscard]] bool split_saturating() const { return split_saturating_; }
  [[nodiscard]] std::uint64_t saturating_batched_vectors() const { return saturating_batched_; }
  // Whether the split kernel reads a window of the inputs instead of gathering its rows.
  [[nodiscard]] bool split_window() const { return split_window_; }
  // Converting columns that need per-cycle sums in the split kernel.
  [[nodiscard]] std::size_t clipping_columns() const { return clip_columns_.size(); }
  // Whether vectors take the analog kernel (real-valued column sums).
  [[nodiscard]] bool analog() const { return choice_.kernel == Kernel::kAnalog; }
  // The conductance of row r in the i-th converting column (analog kernel) [ideal level steps].
  [[nodiscard]] float conductance(std::size_t row, std::size_t converting_index) const {
    return analog_.conductance(row, converting_index);
  }
  // The ADC offset of the i-th converting column (analog kernel) [LSB].
  [[nodiscard]] double adc_offset_lsb(std::size_t converting_index) const {
    return analog_.adc_offset_lsb(converting_index);
  }
  [[nodiscard]] const std::vector<std::size_t>& converting_columns() const { return converting_; }
  // Vectors of run_batch that took the analog kernel's column-parallel conversions, and of those
  // the ones whose accumulator additions went one by one because saturation was possible.
  [[nodiscard]] std::uint64_t analog_batched_vectors() const { return analog_batched_; }
  [[nodiscard]] std::uint64_t analog_ordered_vectors() const { return analog_ordered_; }
  // Of those, the vectors converted a block at a time in lanes (AnalogKernel::convert_lanes).
  [[nodiscard]] std::uint64_t analog_lane_vectors() const { return lane_vectors_; }
  // Conversions of one input cycle on the busiest ADC [ns] (section 9).
  [[nodiscard]] double adc_time_ns() const { return t_adc_ns_; }
  // Accumulator values of the last vector, per local output (for waveforms).
  [[nodiscard]] const std::vector<std::int64_t>& accumulators() const { return accumulators_; }
  // The dynamic counts of an exact crossbar (exact() true) are linear in the vectors and in
  // its rows' nonzero digits: these are the counts of one vector with no nonzero digit and of
  // one nonzero digit, so that a batch's counts follow from its digit statistics
  // (ExactLayerCounts), identical to running the vectors one by one.
  [[nodiscard]] EventCounts exact_counts_per_vector() const;
  [[nodiscard]] EventCounts exact_counts_per_digit() const;
  // Static counts of this crossbar (columns, cells, ADCs).
  [[nodiscard]] EventCounts static_counts() const;

 private:
  // The facts the split kernel's choice rests on: its safe and clipping columns, or why it
  // cannot run (nullptr when it can).
  struct SplitAnalysis {
    const char* refused = nullptr;
    std::vector<std::size_t> safe;
    std::vector<std::size_t> clip;
    std::vector<double> worst_safe;  // per output: the safe columns' worst case
    std::int64_t largest_clip_bound = 0;
  };

  void plan_columns();
  [[nodiscard]] SplitAnalysis analyse_split() const;
  // The one kernel-selection point: the kernel of untraced runs, or of traced ones.
  [[nodiscard]] KernelChoice choose_kernel(const SplitAnalysis& split, bool traced) const;
  void prepare_split_kernel(const SplitAnalysis& split);
  template <typename S>
  void run_vector_split(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                        std::int32_t output_base);
  // The split kernel with popcount sums, a block of vectors at a time (sim/macro/clip_kernel.h).
  void run_batch_popcount(const IntMatrix& x, std::int64_t* y, std::size_t y_stride,
                          EventCounts& counts, std::int32_t output_base,
                          const SharedInputPlanes* shared);
  // One block's input planes [cycle][word][lane] and per-cycle row counts [lane][cycle] and safe
  // products [lane][output] for run_batch_popcount, gathered vector by vector from x.
  void load_block_gathered(const IntMatrix& x, std::size_t first, std::size_t n,
                           std::uint64_t* planes, std::uint64_t* nonzero, std::int64_t* acc);
  // The row lists of the bit-sliced kernel, where it applies (sliced_).
  void prepare_sliced_kernel();
  // The clip columns' ADCs as the batched kernels read them.
  [[nodiscard]] kernels::ClipAdcs clip_adcs() const {
    return {clip_half_.data(), clip_shift_.data(), clip_max_code_.data()};
  }
  // run_batch_popcount's block from the layer's shared forms: the safe products [lane][output],
  // the clip columns' shifted sums [clip index][lane] by the bit-sliced kernel, and the block's
  // cycles into `tally`.
  void run_block_sliced(const SharedInputPlanes& shared, std::int64_t* acc, std::int64_t* clip_acc,
                        EventCounts& counts, CycleTally& tally);
  // The block's bit planes of this crossbar's rows (`words` words of 64 rows) from the shared
  // forms, [cycle][word][lane], and per-cycle row counts [lane][cycle] (analog batches).
  void transpose_shared(const SharedInputPlanes& shared, std::size_t words, std::uint64_t* planes,
                        std::uint64_t* nonzero);
  // The split kernel with row adds, a block of vectors at a time: the per-cycle sums of the
  // block's clipping columns as one int8 product of the input digits [vector, cycle][position]
  // with the clip columns' cells (sim/macro/int8_product.h), or, for bit-serial inputs whose
  // columns all clip below 255 (split_saturating_), saturating byte sums of each vector's cycles
  // (sim/macro/saturating_sums.h); then converted as run_vector_split converts them.
  void run_batch_row_adds(const IntMatrix& x, std::int64_t* y, std::size_t y_stride,
                          EventCounts& counts, std::int32_t output_base);
  // One vector's digits, [cycle][position] with `stride` bytes per cycle, of the cycles with a
  // nonzero digit only (the others' rows are not kept), and per cycle its rows with a nonzero
  // digit (cycle_nonzero_), for run_batch_row_adds. Writes at most cycles_ + 1 rows.
  void load_split_digits(const std::int32_t* x, std::uint8_t* digits, std::size_t stride);
  // Vectors a split crossbar's inputs are fetched ahead of the one it runs [vectors].
  static constexpr std::size_t kAhead = 4;
  void prefetch_inputs(const IntMatrix& x, std::size_t vector) const;
  // One vector's driven values and product inputs into split_driven_ and row_values_.
  void load_split_inputs(const std::int32_t* x);
  // One bit-serial vector's inputs into split_driven_, row_values_, split_planes_ and
  // cycle_nonzero_ (the split kernel's positions).
  void load_split_planes(const std::int32_t* x);
  // The safe columns' exact product of row_values_ into acc[0, outputs).
  void add_safe_product(std::int64_t* acc);
  // The reference and bit-plane kernels: per-cycle sums of every converting column.
  void run_vector_digital(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                          std::vector<CycleTrace>* trace, std::int32_t output_base);
  void run_vector_analog(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                         std::vector<CycleTrace>* trace, std::int32_t output_base);
  // The analog kernel over a batch: the same outputs and counts as run_vector_analog vector by
  // vector, its conversions column-parallel (AnalogKernel::convert_vector).
  void run_batch_analog(const IntMatrix& x, std::int64_t* y, std::size_t y_stride,
                        EventCounts& counts, std::int32_t output_base,
                        const SharedInputPlanes* shared);
  // The same for one block x held in `shared`, summed and converted a block at a time with the
  // vectors in lanes (AnalogKernel::lane_parallel crossbars).
  void run_block_analog_lanes(const IntMatrix& x, const SharedInputPlanes& shared, std::int64_t* y,
                              std::size_t y_stride, EventCounts& counts, std::int32_t output_base);
  // The driven value of each row (driven_) and the rows with a nonzero digit in each cycle
  // (cycle_nonzero_); the bit planes too for the bit-plane kernel.
  void load_inputs(const std::int32_t* x, bool planes);
  // One vector's tally from cycle_nonzero_.
  [[nodiscard]] CycleTally tally_vector() const;
  // Whether cycle p converts (else it is skipped: no nonzero digit and skipping on).
  [[nodiscard]] bool converts(int cycle) const {
    return converts_with(cycle_nonzero_[static_cast<std::size_t>(cycle)]);
  }
  // Adds to `tally` what tally_vector would count for each of `vectors` vectors t whose rows
  // with a nonzero digit in cycle p are nonzero[t * vector_stride + p * cycle_stride].
  template <typename Count>
  void add_block_tally(const Count* nonzero, std::size_t vectors, std::size_t vector_stride,
                       std::size_t cycle_stride, CycleTally& tally) const;
  // Whether a cycle with `nonzero_rows` rows of nonzero digit converts.
  [[nodiscard]] bool converts_with(std::uint64_t nonzero_rows) const {
    return nonzero_rows != 0 || !settings_.adc.skip_zero_input_cycles;
  }
  // The counting path every kernel feeds: the digit, cell, DAC, conversion, shift-add, input
  // buffer and cycle counts of `tally`.
  void count_cycles(const CycleTally& tally, EventCounts& counts) const;
  // One conversion of column j in cycle p (reference, bit-plane and analog kernels): its clip
  // counts, its shifted value into the accumulator, its code into the trace.
  void take_conversion(std::size_t column, int cycle, const AdcConversion& conversion,
                       EventCounts& counts, CycleTrace* cycle_trace);
  // Digital corrections, the output update and the counts of one vector, common to every kernel.
  // The batched split kernels take its two halves: finish_outputs per vector, and count_cycles
  // once for the call's summed tallies (the counts are linear in them).
  void finish_outputs(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                      std::int32_t output_base);
  void finish_vector(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                     std::int32_t output_base);
  [[nodiscard]] std::int64_t column_sum(std::size_t column, int cycle) const;
  void accumulate(std::int64_t& accumulator, std::int64_t addend, EventCounts& counts) const;

  const MappedCrossbar& crossbar_;
  MappingGeometry geometry_;
  MacroSettings settings_;
  KernelChoice choice_;         // untraced runs
  KernelChoice traced_choice_;  // runs that fill a waveform trace
  int cycles_ = 0;
  bool signed_serial_ = false;   // signed inputs, 1-bit DACs: two's-complement digits
  bool signed_offset_ = false;   // signed inputs, multi-bit DACs: digits of x + 2^(A-1)
  std::int64_t half_range_ = 0;  // 2^(A-1)
  std::vector<ColumnAdcPlan> plan_;
  std::vector<std::int64_t> stored_row_sum_;  // per local output: sum of signed stored values
  std::int64_t offset_coefficient_ = 0;
  double t_adc_ns_ = 0.0;
  std::int64_t accumulator_limit_ = 0;
  std::vector<std::int64_t> accumulators_;
  std::vector<std::size_t> converting_;           // indices of non-gated columns
  std::map<int, std::uint64_t> converting_bits_;  // resolution -> converting columns

  // Per vector: the driven value of each row, its bit planes (bit b of 64 rows per word), and
  // per cycle the rows with a nonzero digit.
  std::size_t words_ = 0;
  std::vector<std::uint32_t> driven_;
  std::vector<std::uint64_t> input_planes_;  // [bit][word]
  std::vector<std::uint64_t> cell_planes_;   // [column][cell bit][word]
  std::vector<std::uint64_t> cycle_nonzero_;
  std::vector<std::uint8_t> digits_;  // reference kernel: one cycle's digits

  // Split kernel: the clipping columns' cells [row][clip index] (16-bit when every per-cycle sum
  // fits), their ADC's rounding offset, step exponent and largest code, their local output,
  // polarity and slice shift; the exact product's weights of the other columns [row][output].
  bool split_sums16_ = false;
  bool split_safe32_ = false;
  std::vector<std::size_t> clip_columns_;
  std::size_t clip_stride_ = 0;  // clip columns padded to whole vectors (kernels::kVectorBytes)
  // Bit-serial inputs and few clipping columns: sums by popcounts of the clip columns' cell
  // planes, [clip index][cell bit][word], instead of row adds.
  bool split_popcount_ = false;
  std::vector<std::uint64_t> clip_planes_;
  std::uint64_t popcount_dead_planes_ = 0;
  std::uint64_t shared_vectors_ = 0;
  // ... and, for shared inputs of at most kernels::kSlicedCycles cycles and ADCs of at most
  // kernels::kSlicedMaxAdcBits bits, the same columns as row lists for the bit-sliced kernel
  // (kernels::SlicedColumns) and the crossbar's rows as one more list, for its digit counts.
  bool sliced_ = false;
  std::vector<std::uint32_t> sliced_inputs_;
  std::vector<std::uint32_t> sliced_begin_;
  std::vector<std::uint32_t> sliced_rows_;
  // Row adds in batches: the clip columns' cells [position][clip index] for the int8 product
  // (DAC digits within a byte; cells always are).
  bool split_int8_ = false;
  kernels::PackedInt8Matrix clip_cells8_;
  std::uint64_t int8_batched_ = 0;
  std::uint64_t int8_zero_cycles_ = 0;
  // Bit-serial row adds whose every clip column clips below a byte's 255: the clip columns'
  // cells as bytes [position][clip index], rows padded to whole kernels::kSaturatingLanes, for
  // kernels::saturating_convert instead of the int8 product.
  bool split_saturating_ = false;
  std::vector<std::uint8_t> clip_cells_u8_;
  std::size_t clip_bytes_stride_ = 0;
  std::uint64_t saturating_batched_ = 0;
  // Positions of the split kernel's per-vector arrays: the rows, or (split_window_) the inputs
  // [window_begin_, window_begin_ + split_space_) of the layer, with row_mask_ marking this
  // crossbar's rows; split_planes_ [cycle][word] are one vector's input bit planes over them.
  bool split_window_ = false;
  std::size_t window_begin_ = 0;
  std::size_t split_space_ = 0;
  std::size_t space_words_ = 0;
  std::vector<std::uint64_t> row_mask_;
  std::vector<std::uint64_t> split_planes_;
  std::vector<std::uint32_t> split_driven_;  // per position, one vector
  // The per-cycle sums' buffers in the sums' width: the clip columns' cells [position][clip
  // index], one cycle's sums [clip index], and per cycle the nonzero digits of the listed rows.
  template <typename S>
  struct SplitSums {
    std::vector<S> cells;
    std::vector<S> sums;
    std::vector<S> cycle_digits;  // [cycle][n] (multi-bit DACs)
  };
  template <typename S>
  SplitSums<S>& split_sums();
  SplitSums<std::int16_t> sums16_;
  SplitSums<std::int32_t> sums32_;
  std::vector<std::int32_t> clip_half_;
  std::vector<std::int32_t> clip_shift_;
  std::vector<std::int32_t> clip_max_code_;
  std::vector<std::int64_t> clip_weight_;  // polarity * 2^shift
  // (local output, end): the clip columns [previous end, end) all serve that output.
  std::vector<std::pair<std::size_t, std::size_t>> clip_outputs_;
  std::vector<std::int64_t> clip_acc_;        // per clip column, one vector
  std::vector<std::uint32_t> cycle_rows_;     // [cycle][n]: rows with a nonzero digit
  std::vector<std::int32_t> safe_weights32_;  // transposed: [output][row]
  std::vector<std::int64_t> safe_weights_;
  std::vector<std::int32_t> safe_acc32_;
  std::vector<std::int32_t> row_values_;  // per row: the product's input value of one vector

  // Analog kernel (sim/macro/analog_kernel.h): its conductances and noise, and this crossbar's
  // vectors so far, the noise draws' counter.
  std::uint64_t crossbar_id_ = 0;
  AnalogKernel analog_;
  std::uint64_t vectors_run_ = 0;
  std::uint64_t analog_batched_ = 0;
  std::uint64_t analog_ordered_ = 0;
  std::uint64_t lane_vectors_ = 0;
};

}  // namespace cimsim
