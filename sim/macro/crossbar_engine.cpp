#include "sim/macro/crossbar_engine.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include "sim/core/errors.h"
#include "sim/core/simd_clones.h"
#include "sim/encoding/weight_encoding.h"
#include "sim/macro/analog_lanes.h"
#include "sim/macro/batch_kernels.h"
#include "sim/macro/clip_kernel.h"
#include "sim/macro/saturating_add.h"
#include "sim/macro/saturating_sums.h"
#include "sim/macro/sliced_clip.h"

namespace cimsim {
namespace {

int popcount(std::uint64_t word) { return static_cast<int>(std::bitset<64>(word).count()); }

// The block buffers of the batched split kernels, one set per thread, reused from call to call
// and crossbar to crossbar: fresh vectors per call cost an allocation and a zeroing pass of the
// whole block on every call (a dense layer's batch gives each of its thousands of crossbars a
// call of a few vectors). Each kernel writes what it reads before reading it.
struct BlockScratch {
  std::vector<std::uint8_t> digits;
  std::vector<std::int32_t> sums;
  std::vector<std::uint64_t> planes;
  std::vector<std::uint64_t> nonzero;
  std::vector<std::int64_t> acc;
  std::vector<std::int64_t> clip_acc;
  std::vector<std::int64_t> clip_outputs;
  std::vector<std::uint64_t> lane_counts;
};

BlockScratch& block_scratch() {
  thread_local BlockScratch scratch;
  return scratch;
}

// The first `size` entries of `buffer`, grown when needed; their contents are undefined.
template <typename T>
T* scratch_of(std::vector<T>& buffer, std::size_t size) {
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

}  // namespace

const char* kernel_name(Kernel kernel) {
  switch (kernel) {
    case Kernel::kExact:
      return "exact";
    case Kernel::kSplit:
      return "split";
    case Kernel::kBitPlane:
      return "bit-plane";
    case Kernel::kReference:
      return "reference";
    case Kernel::kAnalog:
      return "analog";
  }
  return "?";
}

namespace {

// The digit code of an input: which digits of `bits` bits a row drives, `digit_bits` at a time.
struct DigitCode {
  std::uint32_t offset = 0;      // added before slicing (signed inputs on multi-bit DACs)
  std::uint32_t input_mask = 0;  // the input's bits
  std::uint32_t digit_mask = 0;  // one digit's bits
  int digit_bits = 1;
  std::size_t cycles = 0;
};

// Adds, for rows [begin, end) of x, each input k's nonzero digits (over all cycles) to
// counts[k]. The loop over k is innermost so that GCC vectorizes it (a clone per instruction
// set): a row is read once per cycle from L1, where the old per-element loop over set bits made
// scattered increments (a tenth of an exact run's time).
CIMSIM_SIMD_CLONES void count_nonzero_digits(const IntMatrix& x, std::size_t begin, std::size_t end,
                                             const DigitCode& code,
                                             std::uint32_t* __restrict counts) {
  const std::size_t cols = x.cols;
  for (std::size_t t = begin; t < end; ++t) {
    const std::int32_t* row = x.row(t);
    for (std::size_t p = 0; p < code.cycles; ++p) {
      const auto shift =
          static_cast<std::uint32_t>(p) * static_cast<std::uint32_t>(code.digit_bits);
      for (std::size_t k = 0; k < cols; ++k) {
        const std::uint32_t driven =
            (static_cast<std::uint32_t>(row[k]) + code.offset) & code.input_mask;
        counts[k] += ((driven >> shift) & code.digit_mask) != 0 ? 1U : 0U;
      }
    }
  }
}

}  // namespace

DigitStatistics digit_statistics(const IntMatrix& x, const MappingGeometry& geometry,
                                 bool input_signed) {
  DigitStatistics stats;
  stats.cycles = geometry.input_cycles();
  DigitCode code;
  code.digit_bits = geometry.dac_bits;
  code.cycles = static_cast<std::size_t>(stats.cycles);
  // The offset wraps modulo 2^32 like the input's two's complement, and only the input's own
  // bits are kept, so this is (x + 2^(a-1)) mod 2^a for signed inputs on multi-bit DACs.
  if (input_signed && geometry.dac_bits > 1) code.offset = 1U << (geometry.input_bits - 1);
  code.input_mask = (1U << geometry.input_bits) - 1U;
  code.digit_mask = (1U << geometry.dac_bits) - 1U;
  const std::size_t cols = x.cols;
  // Row blocks run in parallel, each with 32-bit counters (a block adds at most its rows times
  // its cycles, far below 2^32); the blocks' counts are summed as integers, in any order.
  constexpr std::size_t kBlockRows = 2048;
  using Counts = std::vector<std::uint64_t>;
  stats.nonzero = tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, x.rows, kBlockRows), Counts(cols, 0),
      [&](const tbb::blocked_range<std::size_t>& range, Counts total) {
        std::vector<std::uint32_t> counts(cols, 0);
        for (std::size_t t = range.begin(); t < range.end(); t += kBlockRows) {
          std::fill(counts.begin(), counts.end(), 0U);
          count_nonzero_digits(x, t, std::min(range.end(), t + kBlockRows), code, counts.data());
          for (std::size_t k = 0; k < cols; ++k) total[k] += counts[k];
        }
        return total;
      },
      [](Counts a, const Counts& b) {
        for (std::size_t k = 0; k < a.size(); ++k) a[k] += b[k];
        return a;
      });
  return stats;
}

EventCounts CrossbarEngine::exact_counts_per_vector() const {
  EventCounts counts;
  CycleTally tally;
  tally.vectors = 1;
  // An exact crossbar skips no input cycle (choose_kernel).
  tally.converted_cycles = static_cast<std::uint64_t>(cycles_);
  count_cycles(tally, counts);
  return counts;
}

EventCounts CrossbarEngine::exact_counts_per_digit() const {
  EventCounts counts;
  CycleTally tally;
  tally.nonzero_digits = 1;
  count_cycles(tally, counts);
  return counts;
}

void CrossbarEngine::count_cycles(const CycleTally& tally, EventCounts& counts) const {
  const std::uint64_t rows = crossbar_.gather.size();
  const std::uint64_t converting = converting_.size();
  counts.nonzero_row_digits += tally.nonzero_digits;
  counts.dac_activations += settings_.dac_skip_zero_digits
                                ? tally.nonzero_digits
                                : rows * tally.vectors * static_cast<std::uint64_t>(cycles_);
  counts.cell_reads += tally.nonzero_digits * crossbar_.columns.size();
  // Every converting column converts once in a cycle that is not skipped.
  counts.skipped_conversions += converting * tally.skipped_cycles;
  counts.conversions += converting * tally.converted_cycles;
  counts.shift_adds += converting * tally.converted_cycles;
  if (tally.converted_cycles != 0) {
    for (const auto& [bits, count] : converting_bits_) {
      counts.conversions_by_bits[bits] += count * tally.converted_cycles;
    }
  }
  counts.input_buffer_reads += rows * tally.vectors;
  counts.input_cycles += static_cast<std::uint64_t>(cycles_) * tally.vectors;
}

CycleTally CrossbarEngine::tally_vector() const {
  CycleTally tally;
  tally.vectors = 1;
  for (int p = 0; p < cycles_; ++p) {
    tally.nonzero_digits += cycle_nonzero_[static_cast<std::size_t>(p)];
    ++(converts(p) ? tally.converted_cycles : tally.skipped_cycles);
  }
  return tally;
}

CrossbarEngine::CrossbarEngine(const MappedCrossbar& crossbar, const MappingGeometry& geometry,
                               const MacroSettings& settings, std::uint64_t crossbar_id)
    : crossbar_(crossbar), geometry_(geometry), settings_(settings), crossbar_id_(crossbar_id) {
  cycles_ = geometry_.input_cycles();
  signed_serial_ = settings_.input_signed && geometry_.dac_bits == 1;
  signed_offset_ = settings_.input_signed && geometry_.dac_bits > 1;
  half_range_ = std::int64_t{1} << (geometry_.input_bits - 1);
  offset_coefficient_ =
      weight_encoding(geometry_.encoding).input_sum_coefficient(geometry_.weight_bits);
  accumulator_limit_ = (std::int64_t{1} << (settings_.accumulator_bits - 1)) - 1;
  accumulators_.assign(crossbar_.outputs.size(), 0);
  const std::size_t rows = crossbar_.gather.size();
  words_ = (rows + 63) / 64;
  driven_.resize(rows);
  digits_.resize(rows);
  cycle_nonzero_.resize(static_cast<std::size_t>(cycles_));
  input_planes_.resize(static_cast<std::size_t>(geometry_.input_bits) * words_);
  plan_columns();
  const SplitAnalysis split_analysis = analyse_split();
  choice_ = choose_kernel(split_analysis, false);
  traced_choice_ = choose_kernel(split_analysis, true);
  if (analog()) {
    analog_ = AnalogKernel(crossbar_, geometry_, settings_.device, plan_, converting_,
                           signed_offset_, crossbar_id_);
  }
  if (split()) prepare_split_kernel(split_analysis);
}

KernelChoice CrossbarEngine::choose_kernel(const SplitAnalysis& split, bool traced) const {
  if (settings_.device.any()) return {Kernel::kAnalog, "a device non-ideality is on"};
  if (settings_.kernel == "analog") return {Kernel::kAnalog, "simulation.kernel is analog"};
  if (settings_.kernel == "reference") {
    return {Kernel::kReference, "simulation.kernel is reference"};
  }
  if (traced) {
    return {Kernel::kBitPlane, "traced: the waveform shows every column's code in every cycle"};
  }
  if (split.refused != nullptr) return {Kernel::kBitPlane, split.refused};
  if (!split.clip.empty()) {
    return {Kernel::kSplit, "some columns can clip or round, and no accumulator can overflow"};
  }
  if (settings_.adc.skip_zero_input_cycles) {
    return {Kernel::kSplit,
            "no column can clip, round or overflow, but zero input cycles are "
            "skipped vector by vector"};
  }
  return {Kernel::kExact, "no column can clip, round or overflow"};
}

std::vector<ColumnAdcPlan> plan_adc_columns(const MappedCrossbar& crossbar,
                                            const MappingGeometry& geometry,
                                            const AdcSettings& adc) {
  const auto resolution = AdcResolutionPolicyRegistry::instance().create(adc.policy);
  const auto transfer = AdcTransferRegistry::instance().create(adc.mode);
  std::vector<ColumnAdcPlan> plans(crossbar.columns.size());
  std::size_t local = 0;
  int converting = 0;
  for (std::size_t j = 0; j < crossbar.columns.size(); ++j) {
    const MappedColumn& column = crossbar.columns[j];
    while (crossbar.outputs[local] != column.output) ++local;
    ColumnAdcPlan& plan = plans[j];
    plan.local_output = static_cast<int>(local);
    plan.shift = static_cast<unsigned>(column.slice * geometry.cell_bits);
    plan.gated = adc.power_gating && column.bound == 0;
    if (plan.gated) continue;
    plan.bits = resolution->resolution(column.lossless_bits, adc.bits);
    plan.step = transfer->step(plan.bits, column.lossless_bits);
    // Columns are dealt to the ADCs round-robin in column order; gated columns take no turn.
    plan.adc = converting++ % adc.per_crossbar;
  }
  return plans;
}

void CrossbarEngine::plan_columns() {
  const auto kind = AdcKindRegistry::instance().create(settings_.adc.kind);
  std::vector<double> adc_busy_ns(static_cast<std::size_t>(settings_.adc.per_crossbar), 0.0);
  stored_row_sum_.assign(crossbar_.outputs.size(), 0);
  plan_ = plan_adc_columns(crossbar_, geometry_, settings_.adc);
  const std::size_t cell_bits = static_cast<std::size_t>(geometry_.cell_bits);
  cell_planes_.assign(crossbar_.columns.size() * cell_bits * words_, 0);
  for (std::size_t j = 0; j < crossbar_.columns.size(); ++j) {
    const MappedColumn& column = crossbar_.columns[j];
    const ColumnAdcPlan& plan = plan_[j];
    std::int64_t cell_sum = 0;
    for (std::size_t r = 0; r < column.cells.size(); ++r) {
      cell_sum += column.cells[r];
      for (std::size_t b = 0; b < cell_bits; ++b) {
        if (((column.cells[r] >> b) & 1U) != 0) {
          cell_planes_[(j * cell_bits + b) * words_ + r / 64] |= std::uint64_t{1} << (r % 64);
        }
      }
    }
    stored_row_sum_[static_cast<std::size_t>(plan.local_output)] +=
        column.polarity * (cell_sum << plan.shift);
    if (plan.gated) continue;
    adc_busy_ns[static_cast<std::size_t>(plan.adc)] +=
        kind->conversion_ns(plan.bits, settings_.adc.timing);
    converting_.push_back(j);
    ++converting_bits_[plan.bits];
  }
  t_adc_ns_ = *std::max_element(adc_busy_ns.begin(), adc_busy_ns.end());
}

CrossbarEngine::SplitAnalysis CrossbarEngine::analyse_split() const {
  // A column is safe when no sum it can see clips or rounds (unit step, bound within the largest
  // code): its converted values add up to its part of the integer product. The others need
  // per-cycle sums. The worst case of each accumulator, with every clipping column at its
  // largest converted value in every cycle, must stay within the accumulator, so that nothing
  // overflows and the additions may come in any order.
  constexpr std::int64_t kLimit = std::int64_t{1} << 30;  // sums, codes and steps in int32
  double cycle_weights = 0.0;                             // sum over cycles of 2^(p * v)
  for (int p = 0; p < cycles_; ++p) cycle_weights += std::ldexp(1.0, p * geometry_.dac_bits);
  SplitAnalysis a;
  const std::size_t outputs = crossbar_.outputs.size();
  if (outputs == 0) {
    a.refused = "the crossbar serves no output";
    return a;
  }
  std::vector<double> worst(outputs, 0.0);
  a.worst_safe.assign(outputs, 0.0);
  for (std::size_t j : converting_) {
    const ColumnAdcPlan& plan = plan_[j];
    const MappedColumn& column = crossbar_.columns[j];
    const std::int64_t max_code = (std::int64_t{1} << plan.bits) - 1;
    const double weight = std::ldexp(1.0, static_cast<int>(plan.shift)) * cycle_weights;
    if (column.bound == 0 || (plan.step == 1 && column.bound <= max_code)) {
      a.safe.push_back(j);
      worst[static_cast<std::size_t>(plan.local_output)] +=
          static_cast<double>(column.bound) * weight;
      a.worst_safe[static_cast<std::size_t>(plan.local_output)] +=
          static_cast<double>(column.bound) * weight;
      continue;
    }
    const bool power_of_two = plan.step > 0 && (plan.step & (plan.step - 1)) == 0;
    if (!power_of_two || plan.step >= kLimit || column.bound >= kLimit || plan.bits >= 30) {
      a.refused = "a clipping column's ADC step is not a power of two or its sums exceed 30 bits";
      return a;
    }
    a.clip.push_back(j);
    a.largest_clip_bound = std::max(a.largest_clip_bound, column.bound);
    const AdcConversion largest = AdcTransfer::convert(column.bound, plan.step, plan.bits);
    worst[static_cast<std::size_t>(plan.local_output)] +=
        static_cast<double>(largest.value) * weight;
  }
  const double rows = static_cast<double>(crossbar_.gather.size());
  for (std::size_t o = 0; o < outputs; ++o) {
    const double corrections =
        static_cast<double>(offset_coefficient_) * rows * std::ldexp(1.0, geometry_.input_bits) +
        (signed_offset_
             ? static_cast<double>(half_range_) * std::fabs(static_cast<double>(stored_row_sum_[o]))
             : 0.0);
    if (worst[o] + corrections > static_cast<double>(accumulator_limit_)) {
      a.refused =
          "an accumulator can overflow in the worst case, so the order of additions matters";
      return a;
    }
  }
  return a;
}

void CrossbarEngine::prepare_split_kernel(const SplitAnalysis& split) {
  const std::vector<std::size_t>& clip = split.clip;
  const std::size_t outputs = crossbar_.outputs.size();
  clip_columns_ = clip;
  const std::size_t clips = clip.size();
  const std::size_t row_count = crossbar_.gather.size();
  const std::size_t cycle_count = static_cast<std::size_t>(cycles_);
  // Positions: the crossbar's rows in gather order, or, for bit-serial inputs whose rows lie in
  // a window of the layer's inputs no more words wide than the rows (a baseline row tile), the
  // window itself, read straight from the input vector without a gather. (Wider windows, as
  // SWS's sorted rows give, measured slower than the gather: more bits per plane.)
  std::size_t begin = row_count == 0 ? 0 : static_cast<std::size_t>(crossbar_.gather.front());
  std::size_t end = begin;
  for (std::int32_t k : crossbar_.gather) {
    begin = std::min(begin, static_cast<std::size_t>(k));
    end = std::max(end, static_cast<std::size_t>(k) + 1);
  }
  const std::size_t window_words = (end - begin + 63) / 64;
  split_window_ = geometry_.dac_bits == 1 && row_count > 0 && window_words <= words_;
  window_begin_ = split_window_ ? begin : 0;
  split_space_ = split_window_ ? end - begin : row_count;
  const std::size_t space = split_space_;
  space_words_ = (space + 63) / 64;
  std::vector<std::size_t> position(row_count);
  for (std::size_t r = 0; r < row_count; ++r) {
    position[r] = split_window_ ? static_cast<std::size_t>(crossbar_.gather[r]) - begin : r;
  }
  row_mask_.assign(space_words_, 0);
  for (std::size_t r = 0; r < row_count; ++r) {
    row_mask_[position[r] / 64] |= std::uint64_t{1} << (position[r] % 64);
  }
  split_planes_.assign(cycle_count * space_words_, 0);
  split_driven_.assign(space, 0);
  row_values_.assign(space, 0);

  split_sums16_ = split.largest_clip_bound <= 32767;
  const std::size_t lanes =
      kernels::kVectorBytes / (split_sums16_ ? sizeof(std::int16_t) : sizeof(std::int32_t));
  clip_stride_ = (clips + lanes - 1) / lanes * lanes;
  // Row adds cost about (rows with a set bit, taken as a quarter) x (vectors of columns) per
  // cycle; popcounts (clip columns) x (cell bits) x (words). The cheaper one runs.
  const std::size_t cell_bit_count = static_cast<std::size_t>(geometry_.cell_bits);
  split_popcount_ = geometry_.dac_bits == 1 && clips * cell_bit_count * space_words_ <=
                                                   (row_count / 4) * (clip_stride_ / lanes);
  if (split_popcount_) clip_planes_.assign(clips * cell_bit_count * space_words_, 0);
  // Batches' row adds are one int8 product when the digits fit a byte (cells, at most 4 bits,
  // always fit); the sums are within int32, as every clip column's bound is below 2^30.
  split_int8_ = !split_popcount_ && clips > 0 && geometry_.dac_bits <= 8;
  // Bit-serial row adds add cells, so byte sums that saturate at 255 convert exactly when every
  // clip column's smallest clipping sum, (max_code + 1) * step - step / 2, is at most 255.
  split_saturating_ = split_int8_ && geometry_.dac_bits == 1 &&
                      std::all_of(clip.begin(), clip.end(), [&](std::size_t j) {
                        const ColumnAdcPlan& plan = plan_[j];
                        const std::int64_t clips_from =
                            (std::int64_t{1} << plan.bits) * plan.step - plan.step / 2;
                        return plan.bits < 30 && clips_from <= kernels::kSaturatedSum;
                      });
  clip_bytes_stride_ = split_saturating_ ? (clips + kernels::kSaturatingLanes - 1) /
                                               kernels::kSaturatingLanes * kernels::kSaturatingLanes
                                         : 0;
  clip_cells_u8_.assign(space * clip_bytes_stride_, 0);
  // (The int8 product's cells only where the byte sums do not replace it.)
  if (split_int8_ && !split_saturating_) clip_cells8_ = kernels::PackedInt8Matrix(space, clips);
  const auto allocate = [&](auto& buffers) {
    if (!split_popcount_) buffers.cells.assign(space * clip_stride_, 0);
    buffers.sums.assign(clip_stride_, 0);
    if (geometry_.dac_bits > 1) buffers.cycle_digits.assign(cycle_count * row_count, 0);
  };
  if (split_sums16_) {
    allocate(sums16_);
  } else {
    allocate(sums32_);
  }
  if (geometry_.dac_bits > 1) cycle_rows_.assign(cycle_count * row_count, 0);
  // Padding columns (up to the stride) have zero cells, sums and codes and never clip, so the
  // conversion loop runs over whole vectors.
  clip_half_.assign(clip_stride_, 0);
  clip_shift_.assign(clip_stride_, 0);
  clip_max_code_.assign(clip_stride_, 0);
  clip_acc_.assign(clip_stride_, 0);
  clip_weight_.resize(clips);
  for (std::size_t i = 0; i < clips; ++i) {
    const std::size_t j = clip[i];
    const ColumnAdcPlan& plan = plan_[j];
    clip_weight_[i] = crossbar_.columns[j].polarity * (std::int64_t{1} << plan.shift);
    const auto output = static_cast<std::size_t>(plan.local_output);
    if (clip_outputs_.empty() || clip_outputs_.back().first != output) {
      clip_outputs_.emplace_back(output, i + 1);
    } else {
      clip_outputs_.back().second = i + 1;
    }
    clip_half_[i] = static_cast<std::int32_t>(plan.step / 2);
    clip_shift_[i] = __builtin_ctzll(static_cast<unsigned long long>(plan.step));
    clip_max_code_[i] = static_cast<std::int32_t>((std::int64_t{1} << plan.bits) - 1);
    const std::vector<std::uint8_t>& cells = crossbar_.columns[j].cells;
    for (std::size_t r = 0; r < row_count; ++r) {
      const std::size_t at = position[r];
      if (split_popcount_) {
        for (std::size_t b = 0; b < cell_bit_count; ++b) {
          if (((cells[r] >> b) & 1U) == 0) continue;
          clip_planes_[(i * cell_bit_count + b) * space_words_ + at / 64] |= std::uint64_t{1}
                                                                             << (at % 64);
        }
        continue;
      }
      if (split_saturating_) {
        clip_cells_u8_[at * clip_bytes_stride_ + i] = cells[r];
      } else if (split_int8_) {
        clip_cells8_.set(at, i, static_cast<std::int8_t>(cells[r]));
      }
      if (split_sums16_) {
        sums16_.cells[at * clip_stride_ + i] = static_cast<std::int16_t>(cells[r]);
      } else {
        sums32_.cells[at * clip_stride_ + i] = static_cast<std::int32_t>(cells[r]);
      }
    }
  }
  // The safe columns' product: 32-bit when its worst case fits.
  split_safe32_ =
      *std::max_element(split.worst_safe.begin(), split.worst_safe.end()) < 2147483647.0;
  std::vector<std::int64_t> weights(space * outputs, 0);
  for (std::size_t j : split.safe) {
    const MappedColumn& column = crossbar_.columns[j];
    const std::size_t o = static_cast<std::size_t>(plan_[j].local_output);
    for (std::size_t r = 0; r < row_count; ++r) {
      weights[position[r] * outputs + o] +=
          column.polarity * (static_cast<std::int64_t>(column.cells[r]) << plan_[j].shift);
    }
  }
  if (split_safe32_) {
    safe_weights32_.assign(space * outputs, 0);
    for (std::size_t r = 0; r < space; ++r) {
      for (std::size_t o = 0; o < outputs; ++o) {
        safe_weights32_[o * space + r] = static_cast<std::int32_t>(weights[r * outputs + o]);
      }
    }
    safe_acc32_.assign(outputs, 0);
  } else {
    safe_weights_ = std::move(weights);
  }
  prepare_sliced_kernel();
}

void CrossbarEngine::prepare_sliced_kernel() {
  const std::size_t clips = clip_columns_.size();
  const std::size_t row_count = crossbar_.gather.size();
  // The bit-sliced kernel reads the layer's shared input forms (gathered rows only, with a 32-bit
  // safe product); its sums of up to 1024 rows of 4-bit cells stay well within its planes.
  sliced_ = geometry_.dac_bits == 1 && split_popcount_ && !split_window_ && split_safe32_ &&
            cycles_ <= kernels::kSlicedCycles && row_count <= 1024 && geometry_.cell_bits <= 4 &&
            std::all_of(clip_columns_.begin(), clip_columns_.end(),
                        [&](std::size_t j) { return plan_[j].bits <= kernels::kSlicedMaxAdcBits; });
  if (!sliced_) return;
  const auto cell_bit_count = static_cast<std::size_t>(geometry_.cell_bits);
  // Each list padded with the shared forms' zero input (index 0; input k is k + 1).
  const auto pad = [](std::vector<std::uint32_t>& list) {
    while (list.size() % kernels::kSlicedGroup != 0) list.push_back(0);
  };
  sliced_begin_.assign(1, 0);
  for (std::size_t i = 0; i < clips; ++i) {
    const std::vector<std::uint8_t>& cells = crossbar_.columns[clip_columns_[i]].cells;
    for (std::size_t b = 0; b < cell_bit_count; ++b) {
      for (std::size_t r = 0; r < row_count; ++r) {
        if (((cells[r] >> b) & 1U) == 0) continue;
        sliced_inputs_.push_back(static_cast<std::uint32_t>(crossbar_.gather[r]) + 1U);
      }
      pad(sliced_inputs_);
      sliced_begin_.push_back(static_cast<std::uint32_t>(sliced_inputs_.size()));
    }
  }
  sliced_rows_.clear();
  for (std::int32_t k : crossbar_.gather)
    sliced_rows_.push_back(static_cast<std::uint32_t>(k) + 1U);
  pad(sliced_rows_);
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
  if (saturating_add(accumulator, addend, accumulator_limit_)) ++counts.accumulator_overflows;
}

void CrossbarEngine::load_inputs(const std::int32_t* x, bool planes) {
  // Signed bit-serial inputs drive their two's-complement bits; signed multi-bit inputs drive
  // the digits of x + 2^(A-1), corrected digitally.
  const int v = geometry_.dac_bits;
  const std::uint32_t input_mask = (1U << geometry_.input_bits) - 1U;
  const std::uint32_t digit_mask = (1U << v) - 1U;
  std::fill(cycle_nonzero_.begin(), cycle_nonzero_.end(), 0);
  if (planes) std::fill(input_planes_.begin(), input_planes_.end(), 0);
  for (std::size_t r = 0; r < driven_.size(); ++r) {
    const std::int64_t value = x[crossbar_.gather[r]];
    const auto driven =
        static_cast<std::uint32_t>(signed_offset_ ? value + half_range_ : value) & input_mask;
    driven_[r] = driven;
    if (planes) {
      for (std::uint32_t bits = driven; bits != 0; bits &= bits - 1) {
        const auto b = static_cast<std::size_t>(__builtin_ctz(bits));
        input_planes_[b * words_ + r / 64] |= std::uint64_t{1} << (r % 64);
      }
    }
    if (v == 1) {
      for (std::uint32_t bits = driven; bits != 0; bits &= bits - 1) {
        ++cycle_nonzero_[static_cast<std::size_t>(__builtin_ctz(bits))];
      }
    } else {
      for (int p = 0; p < cycles_; ++p) {
        cycle_nonzero_[static_cast<std::size_t>(p)] +=
            ((driven >> static_cast<unsigned>(p * v)) & digit_mask) != 0 ? 1 : 0;
      }
    }
  }
}

std::int64_t CrossbarEngine::column_sum(std::size_t column, int cycle) const {
  const int v = geometry_.dac_bits;
  const std::size_t cell_bits = static_cast<std::size_t>(geometry_.cell_bits);
  std::int64_t sum = 0;
  for (int i = 0; i < v && cycle * v + i < geometry_.input_bits; ++i) {
    const std::uint64_t* digit = &input_planes_[static_cast<std::size_t>(cycle * v + i) * words_];
    for (std::size_t b = 0; b < cell_bits; ++b) {
      const std::uint64_t* cells = &cell_planes_[(column * cell_bits + b) * words_];
      std::int64_t ones = 0;
      for (std::size_t w = 0; w < words_; ++w) ones += popcount(digit[w] & cells[w]);
      sum += ones << (static_cast<unsigned>(i) + b);
    }
  }
  return sum;
}

void CrossbarEngine::take_conversion(std::size_t column, int cycle, const AdcConversion& conversion,
                                     EventCounts& counts, CycleTrace* cycle_trace) {
  counts.clipped_conversions += conversion.clipped ? 1 : 0;
  counts.clipped_negative += conversion.below_zero ? 1 : 0;
  if (conversion.value != 0) {
    const ColumnAdcPlan& plan = plan_[column];
    // The most significant cycle of a two's-complement input carries weight -2^(A-1).
    const std::int64_t cycle_sign = (signed_serial_ && cycle == cycles_ - 1) ? -1 : 1;
    const std::int64_t sign = cycle_sign * crossbar_.columns[column].polarity;
    const auto shift = static_cast<unsigned>(cycle * geometry_.dac_bits) + plan.shift;
    accumulate(accumulators_[static_cast<std::size_t>(plan.local_output)],
               sign * (conversion.value << shift), counts);
  }
  if (cycle_trace != nullptr) {
    cycle_trace->codes[column] = conversion.code;
    cycle_trace->converted[column] = true;
  }
}

void CrossbarEngine::run_vector(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                                std::vector<CycleTrace>* trace, std::int32_t output_base) {
  const Kernel kernel = (trace != nullptr ? traced_choice_ : choice_).kernel;
  switch (kernel) {
    case Kernel::kExact:
    case Kernel::kSplit:
      if (split_sums16_) {
        run_vector_split<std::int16_t>(x, y, counts, output_base);
      } else {
        run_vector_split<std::int32_t>(x, y, counts, output_base);
      }
      return;
    case Kernel::kAnalog:
      run_vector_analog(x, y, counts, trace, output_base);
      return;
    case Kernel::kBitPlane:
    case Kernel::kReference:
      run_vector_digital(x, y, counts, trace, output_base);
      return;
  }
}

void CrossbarEngine::run_vector_digital(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                                        std::vector<CycleTrace>* trace, std::int32_t output_base) {
  const bool reference = choice_.kernel == Kernel::kReference;
  const int v = geometry_.dac_bits;
  const std::uint32_t digit_mask = (1U << v) - 1U;
  const std::size_t rows = crossbar_.gather.size();
  const std::size_t columns = crossbar_.columns.size();
  std::fill(accumulators_.begin(), accumulators_.end(), 0);
  if (trace != nullptr) trace->assign(static_cast<std::size_t>(cycles_), CycleTrace{});
  load_inputs(x, !reference);
  for (int p = 0; p < cycles_; ++p) {
    if (!converts(p)) continue;
    if (reference) {
      const unsigned digit_shift = static_cast<unsigned>(p * v);
      for (std::size_t r = 0; r < rows; ++r) {
        digits_[r] = static_cast<std::uint8_t>((driven_[r] >> digit_shift) & digit_mask);
      }
    }
    CycleTrace* cycle_trace = trace != nullptr ? &(*trace)[static_cast<std::size_t>(p)] : nullptr;
    if (cycle_trace != nullptr) {
      cycle_trace->codes.assign(columns, 0);
      cycle_trace->converted.assign(columns, false);
    }
    for (std::size_t j : converting_) {
      const ColumnAdcPlan& plan = plan_[j];
      std::int64_t sum = 0;
      if (reference) {
        const std::uint8_t* cells = crossbar_.columns[j].cells.data();
        for (std::size_t r = 0; r < rows; ++r) sum += std::int64_t{digits_[r]} * cells[r];
      } else {
        sum = column_sum(j, p);
      }
      take_conversion(j, p, AdcTransfer::convert(sum, plan.step, plan.bits), counts, cycle_trace);
    }
  }
  finish_vector(x, y, counts, output_base);
}

SharedForms CrossbarEngine::shared_forms() const {
  if (analog()) return {true, false, false};  // the lanes read the planes by cycle
  return {false, true, true};                 // the bit-sliced kernel and the safe products
}

bool CrossbarEngine::reads_shared_inputs() const {
  if (analog()) return analog_.column_parallel() && geometry_.dac_bits == 1;
  return split() && sliced_;
}

void CrossbarEngine::run_batch(const IntMatrix& x, std::int64_t* y, std::size_t y_stride,
                               EventCounts& counts, std::int32_t output_base,
                               const SharedInputPlanes* shared) {
  const bool use_shared = shared != nullptr && reads_shared_inputs() &&
                          shared->drive() == serial_drive() && shared->vectors() == x.rows;
  if (analog() && analog_.column_parallel()) {
    run_batch_analog(x, y, y_stride, counts, output_base, use_shared ? shared : nullptr);
    return;
  }
  if (split() && split_popcount_) {
    run_batch_popcount(x, y, y_stride, counts, output_base, use_shared ? shared : nullptr);
    return;
  }
  if (split() && split_int8_) {
    run_batch_row_adds(x, y, y_stride, counts, output_base);
    return;
  }
  for (std::size_t t = 0; t < x.rows; ++t) {
    if (split()) prefetch_inputs(x, t + kAhead);
    run_vector(x.row(t), y + t * y_stride, counts, nullptr, output_base);
  }
}

void CrossbarEngine::prefetch_inputs(const IntMatrix& x, std::size_t vector) const {
  // The inputs of a batch are larger than the caches and a split crossbar reads its window of
  // every vector, or, gathering its rows (SWS sorts them across the layer's inputs), any of
  // them: fetch a later vector's (16 int32 per 64-byte line) while this one runs.
  if (vector >= x.rows) return;
  const std::int32_t* ahead = x.row(vector) + window_begin_;
  const std::size_t span = split_window_ ? split_space_ : x.cols;
  // A gather from a row far wider than the crossbar (a dense layer's sorted rows: 128 of 9216)
  // touches a few of its lines; fetching the whole row would cost more than it saves.
  if (span > 4 * crossbar_.gather.size()) return;
  for (std::size_t k = 0; k < span; k += 16) __builtin_prefetch(ahead + k);
}

void CrossbarEngine::load_split_inputs(const std::int32_t* x) {
  // The product's input is the driven value, or the two's-complement value itself for signed
  // bit-serial inputs (their top cycle carries weight -2^(A-1)).
  const std::uint32_t input_mask = (1U << geometry_.input_bits) - 1U;
  const auto offset = static_cast<std::uint32_t>(signed_offset_ ? half_range_ : 0);
  if (split_window_) {
    kernels::drive_inputs(x + window_begin_, split_space_, offset, input_mask, signed_serial_,
                          split_driven_.data(), row_values_.data());
  } else {
    kernels::gather_inputs(x, crossbar_.gather.data(), crossbar_.gather.size(), offset, input_mask,
                           signed_serial_, split_driven_.data(), row_values_.data());
  }
}

void CrossbarEngine::load_split_planes(const std::int32_t* x) {
  load_split_inputs(x);
  // Each cycle's rows are one bit plane, restricted to this crossbar's rows.
  kernels::bit_planes(split_driven_.data(), split_space_, cycles_, split_planes_.data());
  for (int p = 0; p < cycles_; ++p) {
    std::uint64_t* plane = &split_planes_[static_cast<std::size_t>(p) * space_words_];
    std::uint64_t count = 0;
    for (std::size_t w = 0; w < space_words_; ++w) {
      plane[w] &= row_mask_[w];
      count += static_cast<std::uint64_t>(__builtin_popcountll(plane[w]));
    }
    cycle_nonzero_[static_cast<std::size_t>(p)] = count;
  }
}

void CrossbarEngine::add_safe_product(std::int64_t* acc) {
  const std::size_t outputs = crossbar_.outputs.size();
  if (split_safe32_) {
    kernels::weighted_sums(row_values_.data(), split_space_, safe_weights32_.data(), outputs,
                           safe_acc32_.data());
    std::copy(safe_acc32_.begin(), safe_acc32_.end(), acc);
  } else {
    std::fill(acc, acc + outputs, 0);
    kernels::add_weighted_rows(row_values_.data(), split_space_, safe_weights_.data(), outputs,
                               acc);
  }
}

void CrossbarEngine::load_block_gathered(const IntMatrix& x, std::size_t first, std::size_t n,
                                         std::uint64_t* planes, std::uint64_t* nonzero,
                                         std::int64_t* acc) {
  constexpr std::size_t kBlock = kernels::kClipBlock;
  const std::size_t outputs = crossbar_.outputs.size();
  const std::size_t cycle_count = static_cast<std::size_t>(cycles_);
  const std::size_t plane_words = cycle_count * space_words_;
  // Vector by vector: its inputs, its planes (transposed so that the block's vectors are the
  // lanes; unused lanes zero), its per-cycle row counts and the safe columns' product.
  std::fill(planes, planes + plane_words * kBlock, 0);
  for (std::size_t t = 0; t < n; ++t) {
    prefetch_inputs(x, first + t + kAhead);
    load_split_planes(x.row(first + t));
    for (std::size_t k = 0; k < plane_words; ++k) planes[k * kBlock + t] = split_planes_[k];
    std::copy(cycle_nonzero_.begin(), cycle_nonzero_.end(), &nonzero[t * cycle_count]);
    add_safe_product(&acc[t * outputs]);
  }
}

void CrossbarEngine::transpose_shared(const SharedInputPlanes& shared, std::size_t words,
                                      std::uint64_t* planes, std::uint64_t* nonzero) {
  constexpr std::size_t kBlock = kernels::kClipBlock;
  const std::size_t rows = crossbar_.gather.size();
  const std::size_t cycle_count = static_cast<std::size_t>(cycles_);
  // Row counts per cycle and lane, [cycle][lane] as the transposes add them.
  std::vector<std::uint64_t>& lane_counts = block_scratch().lane_counts;
  lane_counts.assign(cycle_count * kBlock, 0);
  for (std::size_t p = 0; p < cycle_count; ++p) {
    const std::uint64_t* lanes = shared.planes(static_cast<int>(p));
    for (std::size_t w = 0; w < words; ++w) {
      // The word's 64 rows, each with its input's bits of the block's vectors, transposed into
      // each vector's bits of the 64 rows (rows past the crossbar's are zero).
      std::uint64_t* out = planes + (p * words + w) * kBlock;
      const std::size_t begin = w * 64;
      const std::size_t count = std::min<std::size_t>(64, rows - begin);
      std::uint64_t any = 0;
      for (std::size_t r = 0; r < count; ++r) {
        out[r] = lanes[crossbar_.gather[begin + r]];
        any |= out[r];
      }
      std::fill(out + count, out + kBlock, 0);
      if (any == 0) continue;  // zero in every vector: stays zero
      kernels::transpose_bits64(out, &lane_counts[p * kBlock]);
    }
  }
  for (std::size_t t = 0; t < kBlock; ++t) {
    for (std::size_t p = 0; p < cycle_count; ++p) {
      nonzero[t * cycle_count + p] = lane_counts[p * kBlock + t];
    }
  }
}

void CrossbarEngine::run_batch_popcount(const IntMatrix& x, std::int64_t* y, std::size_t y_stride,
                                        EventCounts& counts, std::int32_t output_base,
                                        const SharedInputPlanes* shared) {
  constexpr std::size_t kBlock = kernels::kClipBlock;
  const std::size_t outputs = crossbar_.outputs.size();
  const std::size_t cycle_count = static_cast<std::size_t>(cycles_);
  const std::size_t plane_words = cycle_count * space_words_;
  const kernels::ClipColumns columns{clip_planes_.data(), clip_columns_.size(), geometry_.cell_bits,
                                     clip_adcs()};
  // One block's input planes [cycle][word][vector], its vectors' per-cycle row counts
  // [vector][cycle], safe products [vector][output], clip columns' shifted sums [clip
  // index][vector] and their weighted sums per output [clip output][vector], in this thread's
  // scratch.
  BlockScratch& scratch = block_scratch();
  std::uint64_t* block_planes = scratch_of(scratch.planes, plane_words * kBlock);
  std::uint64_t* block_nonzero = scratch_of(scratch.nonzero, kBlock * cycle_count);
  std::int64_t* block_acc = scratch_of(scratch.acc, kBlock * outputs);
  std::int64_t* block_clip_acc = scratch_of(scratch.clip_acc, clip_columns_.size() * kBlock);
  std::int64_t* block_clip_outputs =
      scratch_of(scratch.clip_outputs, clip_outputs_.size() * kBlock);
  CycleTally tally;  // the call's vectors, counted once at the end (count_cycles is linear)
  for (std::size_t first = 0; first < x.rows; first += kBlock) {
    const std::size_t n = std::min(kBlock, x.rows - first);
    // The clipping columns of the whole block at once: from the shared forms (one block, x.rows
    // <= kBlock) by the bit-sliced kernel, else from the vectors' own planes by popcounts.
    if (shared != nullptr) {
      run_block_sliced(*shared, block_acc, block_clip_acc, counts, tally);
      shared_vectors_ += n;
    } else {
      load_block_gathered(x, first, n, block_planes, block_nonzero, block_acc);
      counts.clipped_conversions +=
          kernels::popcount_convert(block_planes, cycles_, space_words_, columns, signed_serial_,
                                    block_clip_acc, &popcount_dead_planes_);
      add_block_tally(block_nonzero, n, cycle_count, 1, tally);
    }
    // Each output's clip columns weighted and added, the block's lanes at once.
    std::size_t i = 0;
    for (std::size_t c = 0; c < clip_outputs_.size(); ++c) {
      std::int64_t* __restrict sums = &block_clip_outputs[c * kBlock];
      std::fill(sums, sums + kBlock, 0);
      for (; i < clip_outputs_[c].second; ++i) {
        const std::int64_t weight = clip_weight_[i];
        const std::int64_t* __restrict column = &block_clip_acc[i * kBlock];
        for (std::size_t t = 0; t < kBlock; ++t) sums[t] += column[t] * weight;
      }
    }
    for (std::size_t t = 0; t < n; ++t) {
      std::copy_n(&block_acc[t * outputs], outputs, accumulators_.begin());
      for (std::size_t c = 0; c < clip_outputs_.size(); ++c) {
        accumulators_[clip_outputs_[c].first] += block_clip_outputs[c * kBlock + t];
      }
      finish_outputs(x.row(first + t), y + (first + t) * y_stride, counts, output_base);
    }
  }
  count_cycles(tally, counts);
}

void CrossbarEngine::run_block_sliced(const SharedInputPlanes& shared, std::int64_t* acc,
                                      std::int64_t* clip_acc, EventCounts& counts,
                                      CycleTally& tally) {
  const std::uint64_t* by_input = shared.planes_by_input();  // present: cycles_ <= kSlicedCycles
  kernels::lane_weighted_sums(shared.values(), crossbar_.gather.data(), crossbar_.gather.size(),
                              safe_weights32_.data(), crossbar_.outputs.size(), acc);
  const kernels::SlicedColumns columns{sliced_inputs_.data(), sliced_begin_.data(),
                                       clip_columns_.size(), geometry_.cell_bits, clip_adcs()};
  counts.clipped_conversions +=
      kernels::sliced_clip_convert(by_input, cycles_, columns, signed_serial_, clip_acc);
  // The cycle tally from the rows' digits: the vectors with no nonzero digit in a cycle skip it
  // when zero-input cycles are skipped.
  std::array<std::uint64_t, kernels::kSlicedCycles> any{};
  const std::size_t n = shared.vectors();
  tally.vectors += n;
  tally.nonzero_digits +=
      kernels::sliced_row_digits(by_input, sliced_rows_.data(), sliced_rows_.size(), any.data());
  const std::uint64_t lanes = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1U;
  for (std::size_t p = 0; p < static_cast<std::size_t>(cycles_); ++p) {
    const auto live = static_cast<std::uint64_t>(__builtin_popcountll(any[p] & lanes));
    const std::uint64_t converted = converts_with(0) ? n : live;
    tally.converted_cycles += converted;
    tally.skipped_cycles += n - converted;
  }
}

template <typename Count>
void CrossbarEngine::add_block_tally(const Count* nonzero, std::size_t vectors,
                                     std::size_t vector_stride, std::size_t cycle_stride,
                                     CycleTally& tally) const {
  tally.vectors += vectors;
  // Counted without a branch per cycle (which way it goes is data, and mispredicted often): a
  // cycle converts unless it has no nonzero digit and such cycles are skipped.
  std::uint64_t zero_cycles = 0;
  for (std::size_t t = 0; t < vectors; ++t) {
    for (std::size_t p = 0; p < static_cast<std::size_t>(cycles_); ++p) {
      const std::uint64_t rows = nonzero[t * vector_stride + p * cycle_stride];
      tally.nonzero_digits += rows;
      zero_cycles += rows == 0 ? 1U : 0U;
    }
  }
  const std::uint64_t skipped = converts_with(0) ? 0 : zero_cycles;
  tally.skipped_cycles += skipped;
  tally.converted_cycles += vectors * static_cast<std::uint64_t>(cycles_) - skipped;
}

void CrossbarEngine::load_split_digits(const std::int32_t* x, std::uint8_t* digits,
                                       std::size_t stride) {
  // Only the cycles with a nonzero digit get a row of `digits` (in cycle order): a cycle whose
  // digits are all zero has zero sums, converts to code 0 and never clips, so the product would
  // only add zeros for it.
  if (geometry_.dac_bits == 1) {
    // The bit planes (restricted to this crossbar's rows), one byte per position.
    load_split_planes(x);
    for (int p = 0; p < cycles_; ++p) {
      if (cycle_nonzero_[static_cast<std::size_t>(p)] == 0) continue;
      kernels::expand_bits(&split_planes_[static_cast<std::size_t>(p) * space_words_], space_words_,
                           digits);
      digits += stride;
    }
    return;
  }
  // Multi-bit DACs read their rows in gather order (positions are rows).
  load_split_inputs(x);
  const auto v = static_cast<unsigned>(geometry_.dac_bits);
  const std::uint32_t digit_mask = (1U << v) - 1U;
  for (int p = 0; p < cycles_; ++p) {
    const auto pu = static_cast<std::size_t>(p);
    std::uint64_t nonzero = 0;
    for (std::size_t r = 0; r < split_space_; ++r) {
      const auto digit = static_cast<std::uint8_t>(
          (split_driven_[r] >> (static_cast<unsigned>(p) * v)) & digit_mask);
      digits[r] = digit;
      nonzero += digit != 0 ? 1 : 0;
    }
    cycle_nonzero_[pu] = nonzero;
    if (nonzero != 0) digits += stride;
  }
}

void CrossbarEngine::run_batch_row_adds(const IntMatrix& x, std::int64_t* y, std::size_t y_stride,
                                        EventCounts& counts, std::int32_t output_base) {
  constexpr std::size_t kBlock = kernels::kClipBlock;
  const std::size_t outputs = crossbar_.outputs.size();
  const std::size_t cycle_count = static_cast<std::size_t>(cycles_);
  const std::size_t clips = clip_columns_.size();
  // Digit rows are whole plane words long (bit planes expand 64 positions at a time); the
  // product reads the first split_space_ bytes of each.
  const std::size_t stride = space_words_ * 64;
  // Sums rows: the clip columns rounded up to whole vectors of int32 lanes, as
  // run_vector_split converts them; the padding is never written and stays zero.
  constexpr std::size_t kInt32Lanes = kernels::kVectorBytes / sizeof(std::int32_t);
  const std::size_t convert_columns = (clips + kInt32Lanes - 1) / kInt32Lanes * kInt32Lanes;
  // One block's digits and sums, one row per (vector, cycle with a nonzero digit) in that order
  // (load_split_digits leaves the other cycles out), per-cycle row counts [vector][cycle] and
  // safe products [vector][output], in this thread's scratch, sized for the batch when it is
  // smaller than a block. One spare row of digits, as multi-bit DACs write a cycle's digits
  // before they know whether it is kept. Digit bytes past split_space_ may hold anything: the
  // product's matrix is zero there.
  const std::size_t block_vectors = std::min(kBlock, x.rows);
  BlockScratch& scratch = block_scratch();
  // Saturating byte sums are written vector by vector and need no digits.
  std::uint8_t* block_digits =
      split_saturating_ ? nullptr
                        : scratch_of(scratch.digits, (block_vectors * cycle_count + 1) * stride);
  std::int32_t* block_sums =
      split_saturating_ ? nullptr
                        : scratch_of(scratch.sums, block_vectors * cycle_count * convert_columns);
  // Saturating byte sums convert as they are made: each vector's clip columns' accumulated
  // values.
  std::int64_t* block_clip_acc =
      split_saturating_ ? scratch_of(scratch.clip_acc, block_vectors * clips) : nullptr;
  std::uint64_t* block_nonzero = scratch_of(scratch.nonzero, block_vectors * cycle_count);
  std::int64_t* block_acc = scratch_of(scratch.acc, block_vectors * outputs);
  CycleTally tally;  // the call's vectors, counted once at the end (count_cycles is linear)
  for (std::size_t first = 0; first < x.rows; first += kBlock) {
    const std::size_t n = std::min(kBlock, x.rows - first);
    std::size_t kept = 0;  // product rows of the block so far
    for (std::size_t t = 0; t < n; ++t) {
      prefetch_inputs(x, first + t + kAhead);
      if (split_saturating_) {
        // Each nonzero cycle's sums straight from its bit plane, converted and accumulated.
        load_split_planes(x.row(first + t));
        counts.clipped_conversions += kernels::saturating_convert(
            clip_cells_u8_.data(), clip_bytes_stride_, split_planes_.data(), space_words_, cycles_,
            signed_serial_ ? cycles_ - 1 : -1, clips, clip_half_.data(), clip_shift_.data(),
            clip_max_code_.data(), &block_clip_acc[t * clips]);
        for (std::size_t p = 0; p < cycle_count; ++p) kept += cycle_nonzero_[p] != 0 ? 1 : 0;
      } else {
        load_split_digits(x.row(first + t), &block_digits[kept * stride], stride);
        for (std::size_t p = 0; p < cycle_count; ++p) kept += cycle_nonzero_[p] != 0 ? 1 : 0;
      }
      std::copy(cycle_nonzero_.begin(), cycle_nonzero_.end(), &block_nonzero[t * cycle_count]);
      add_safe_product(&block_acc[t * outputs]);
    }
    int8_zero_cycles_ += n * cycle_count - kept;
    if (!split_saturating_) {
      // Every nonzero cycle's sums of the whole block's clipping columns at once; the product
      // leaves the padding columns alone, and they must convert as zeros.
      kernels::int8_product(block_digits, kept, stride, clip_cells8_, block_sums, convert_columns);
      for (std::size_t row = 0; row < kept && clips < convert_columns; ++row) {
        std::fill(block_sums + row * convert_columns + clips,
                  block_sums + (row + 1) * convert_columns, 0);
      }
    }
    const std::int32_t* sums = block_sums;
    for (std::size_t t = 0; t < n; ++t) {
      std::copy_n(&block_acc[t * outputs], outputs, accumulators_.begin());
      // The clip columns' accumulated values: converted with their sums (saturating), or here.
      const std::int64_t* clip_values = clip_acc_.data();
      if (split_saturating_) {
        clip_values = &block_clip_acc[t * clips];
      } else {
        std::fill(clip_acc_.begin(), clip_acc_.end(), 0);
        for (std::size_t p = 0; p < cycle_count; ++p) {
          // Skipped, or every sum is zero: codes zero, nothing clips (and no product row).
          if (block_nonzero[t * cycle_count + p] == 0) continue;
          const bool negative = signed_serial_ && p + 1 == cycle_count;
          counts.clipped_conversions += kernels::convert_cycle(
              sums, convert_columns, clip_half_.data(), clip_shift_.data(), clip_max_code_.data(),
              static_cast<unsigned>(p) * static_cast<unsigned>(geometry_.dac_bits), negative,
              clip_acc_.data());
          sums += convert_columns;
        }
      }
      std::size_t i = 0;
      for (const auto& [output, end] : clip_outputs_) {
        std::int64_t sum = 0;
        for (; i < end; ++i) sum += clip_values[i] * clip_weight_[i];
        accumulators_[output] += sum;
      }
      finish_outputs(x.row(first + t), y + (first + t) * y_stride, counts, output_base);
    }
    add_block_tally(block_nonzero, n, cycle_count, 1, tally);
    (split_saturating_ ? saturating_batched_ : int8_batched_) += n;
  }
  count_cycles(tally, counts);
}

template <>
CrossbarEngine::SplitSums<std::int16_t>& CrossbarEngine::split_sums<std::int16_t>() {
  return sums16_;
}

template <>
CrossbarEngine::SplitSums<std::int32_t>& CrossbarEngine::split_sums<std::int32_t>() {
  return sums32_;
}

template <typename S>
void CrossbarEngine::run_vector_split(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                                      std::int32_t output_base) {
  SplitSums<S>& buffers = split_sums<S>();
  const int v = geometry_.dac_bits;
  const std::size_t rows = crossbar_.gather.size();
  const std::size_t clips = clip_columns_.size();
  if (v == 1) {
    load_split_planes(x);
  } else {
    // Per cycle, the rows whose digit is nonzero and their digits.
    load_split_inputs(x);
    std::fill(cycle_nonzero_.begin(), cycle_nonzero_.end(), 0);
    std::uint64_t* listed = cycle_nonzero_.data();
    const std::uint32_t digit_mask = (1U << v) - 1U;
    for (std::size_t r = 0; r < rows; ++r) {
      const std::uint32_t driven = split_driven_[r];
      for (int p = 0; p < cycles_; ++p) {
        const std::uint32_t digit = (driven >> static_cast<unsigned>(p * v)) & digit_mask;
        if (digit == 0) continue;
        const std::size_t at = static_cast<std::size_t>(p) * rows + listed[p]++;
        cycle_rows_[at] = static_cast<std::uint32_t>(r);
        buffers.cycle_digits[at] = static_cast<S>(digit);
      }
    }
  }
  // The columns that cannot clip: their exact product.
  add_safe_product(accumulators_.data());
  // The columns that can: each cycle's sums through their ADCs, shifted and added per column.
  constexpr std::size_t kInt32Lanes = kernels::kVectorBytes / sizeof(std::int32_t);
  const std::size_t convert_columns =
      std::min(clip_stride_, (clips + kInt32Lanes - 1) / kInt32Lanes * kInt32Lanes);
  std::fill(clip_acc_.begin(), clip_acc_.end(), 0);
  for (int p = 0; p < cycles_; ++p) {
    const std::uint64_t nonzero = cycle_nonzero_[static_cast<std::size_t>(p)];
    // Skipped, or every sum is zero: codes zero, nothing clips.
    if (nonzero == 0 || clips == 0) continue;
    const bool negative = signed_serial_ && p == cycles_ - 1;
    const std::size_t list = static_cast<std::size_t>(p) * rows;
    const unsigned cycle_shift = static_cast<unsigned>(p * v);
    const std::uint64_t* plane = &split_planes_[static_cast<std::size_t>(p) * space_words_];
    if (split_popcount_) {
      kernels::popcount_sums(plane, space_words_, clip_planes_.data(), clips, geometry_.cell_bits,
                             buffers.sums.data());
    } else if (v == 1) {
      kernels::cycle_sums(buffers.cells.data(), clip_stride_, plane, space_words_,
                          buffers.sums.data());
    } else {
      kernels::cycle_sums(buffers.cells.data(), clip_stride_, &cycle_rows_[list],
                          &buffers.cycle_digits[list], nonzero, buffers.sums.data());
    }
    // The clip columns convert, rounded up to whole vectors of int32 lanes (the conversion's
    // width): the padding is all zero and never clips, and a crossbar with few clipping columns
    // converts no more than one vector of it, while whole vectors keep the loop free of a
    // scalar tail.
    counts.clipped_conversions += kernels::convert_cycle(
        buffers.sums.data(), convert_columns, clip_half_.data(), clip_shift_.data(),
        clip_max_code_.data(), cycle_shift, negative, clip_acc_.data());
  }
  // Each output's clipping columns are consecutive: add them up with their sign and slice shift.
  std::size_t i = 0;
  for (const auto& [output, end] : clip_outputs_) {
    std::int64_t sum = 0;
    for (; i < end; ++i) sum += clip_acc_[i] * clip_weight_[i];
    accumulators_[output] += sum;
  }
  finish_vector(x, y, counts, output_base);
}

void CrossbarEngine::finish_vector(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                                   std::int32_t output_base) {
  finish_outputs(x, y, counts, output_base);
  count_cycles(tally_vector(), counts);
}

void CrossbarEngine::finish_outputs(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                                    std::int32_t output_base) {
  const std::size_t rows = crossbar_.gather.size();
  // Exact digital corrections (section 6).
  std::int64_t input_sum = 0;
  if (offset_coefficient_ != 0) {
    for (std::size_t r = 0; r < rows; ++r) input_sum += x[crossbar_.gather[r]];
  }
  for (std::size_t o = 0; o < crossbar_.outputs.size(); ++o) {
    if (offset_coefficient_ != 0) {
      accumulate(accumulators_[o], -offset_coefficient_ * input_sum, counts);
    }
    if (signed_offset_) accumulate(accumulators_[o], -half_range_ * stored_row_sum_[o], counts);
    y[crossbar_.outputs[o] - output_base] += accumulators_[o];
  }
}

void CrossbarEngine::run_vector_analog(const std::int32_t* x, std::int64_t* y, EventCounts& counts,
                                       std::vector<CycleTrace>* trace, std::int32_t output_base) {
  const std::size_t columns = crossbar_.columns.size();
  std::fill(accumulators_.begin(), accumulators_.end(), 0);
  if (trace != nullptr) trace->assign(static_cast<std::size_t>(cycles_), CycleTrace{});
  analog_.load_vector(x, cycle_nonzero_.data());
  for (int p = 0; p < cycles_; ++p) {
    if (!converts(p)) continue;
    CycleTrace* cycle_trace = trace != nullptr ? &(*trace)[static_cast<std::size_t>(p)] : nullptr;
    if (cycle_trace != nullptr) {
      cycle_trace->codes.assign(columns, 0);
      cycle_trace->converted.assign(columns, false);
    }
    for (std::size_t i = 0; i < converting_.size(); ++i) {
      const std::size_t j = converting_[i];
      const ColumnAdcPlan& plan = plan_[j];
      const double sum = analog_.perturbed_sum(p, i, vectors_run_, plan.step);
      take_conversion(j, p, AdcTransfer::convert_real(sum, plan.step, plan.bits), counts,
                      cycle_trace);
    }
  }
  ++vectors_run_;
  finish_vector(x, y, counts, output_base);
}

void CrossbarEngine::run_batch_analog(const IntMatrix& x, std::int64_t* y, std::size_t y_stride,
                                      EventCounts& counts, std::int32_t output_base,
                                      const SharedInputPlanes* shared) {
  if (shared != nullptr && analog_.lane_parallel()) {
    run_block_analog_lanes(x, *shared, y, y_stride, counts, output_base);
    return;
  }
  std::vector<std::uint8_t> converting_cycles(static_cast<std::size_t>(cycles_));
  // From shared forms (one block of at most kClipBlock vectors): each vector's digits as its
  // lane of the block's transposed planes, in this thread's scratch.
  const std::size_t words = (crossbar_.gather.size() + 63) / 64;
  std::uint64_t* planes = nullptr;
  std::uint64_t* nonzero = nullptr;
  if (shared != nullptr) {
    BlockScratch& scratch = block_scratch();
    const std::size_t cycle_count = static_cast<std::size_t>(cycles_);
    planes = scratch_of(scratch.planes, cycle_count * words * kernels::kClipBlock);
    nonzero = scratch_of(scratch.nonzero, kernels::kClipBlock * cycle_count);
    transpose_shared(*shared, words, planes, nonzero);
    shared_vectors_ += x.rows;
  }
  for (std::size_t t = 0; t < x.rows; ++t) {
    std::fill(accumulators_.begin(), accumulators_.end(), 0);
    if (shared != nullptr) {
      analog_.load_vector_planes(planes + t, words, kernels::kClipBlock, cycle_nonzero_.data());
    } else {
      if (t + kAhead < x.rows) analog_.prefetch_vector(x.row(t + kAhead));
      analog_.load_vector(x.row(t), cycle_nonzero_.data());
    }
    for (int p = 0; p < cycles_; ++p) {
      converting_cycles[static_cast<std::size_t>(p)] = converts(p) ? 1 : 0;
    }
    const AnalogTally tally =
        analog_.convert_vector(vectors_run_, converting_cycles.data(), signed_serial_,
                               accumulator_limit_, accumulators_.data());
    counts.clipped_conversions += tally.clipped;
    counts.clipped_negative += tally.below_zero;
    counts.accumulator_overflows += tally.overflows;
    ++analog_batched_;
    analog_ordered_ += tally.ordered ? 1 : 0;
    ++vectors_run_;
    finish_vector(x.row(t), y + t * y_stride, counts, output_base);
  }
}

void CrossbarEngine::run_block_analog_lanes(const IntMatrix& x, const SharedInputPlanes& shared,
                                            std::int64_t* y, std::size_t y_stride,
                                            EventCounts& counts, std::int32_t output_base) {
  const AnalogTally block = analog_.convert_lanes(shared.planes(0), x.cols, x.rows, signed_serial_);
  counts.clipped_conversions += block.clipped;
  counts.clipped_negative += block.below_zero;
  shared_vectors_ += x.rows;
  lane_vectors_ += x.rows;
  // The block's cycles, counted at once (count_cycles is linear), as tally_vector would per
  // vector.
  CycleTally cycles;
  add_block_tally(analog_.lane_nonzero(), x.rows, 1, kernels::kAnalogLanes, cycles);
  count_cycles(cycles, counts);
  for (std::size_t t = 0; t < x.rows; ++t) {
    std::fill(accumulators_.begin(), accumulators_.end(), 0);
    const AnalogTally tally =
        analog_.finish_lane(t, signed_serial_, accumulator_limit_, accumulators_.data());
    counts.accumulator_overflows += tally.overflows;
    analog_ordered_ += tally.ordered ? 1 : 0;
    finish_outputs(x.row(t), y + t * y_stride, counts, output_base);
  }
  analog_batched_ += x.rows;
  vectors_run_ += x.rows;
}

}  // namespace cimsim
