// The analog kernel of CrossbarEngine (docs/nonidealities.md): with a device non-ideality on,
// each converting column holds real-valued cell conductances, sampled once per run, and each
// input cycle's column sum is a real number, perturbed by read noise and the ADC's offset and
// noise, that the ADC then quantizes. This class holds the conductances and computes the
// perturbed sums; they are converted one at a time by the engine (take_conversion: traced runs
// and single vectors) or column-parallel here (convert_vector: batches, the same codes), and
// both feed the engine's one counting path (count_cycles), as every other kernel does.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/device/counter_rng.h"
#include "sim/device/device_settings.h"
#include "sim/mapping/mapped_layer.h"

namespace cimsim {

struct ColumnAdcPlan;  // sim/macro/crossbar_engine.h

// What converting one vector's analog sums produced, beside the accumulators.
struct AnalogTally {
  std::uint64_t clipped = 0;     // conversions below zero or above the largest code
  std::uint64_t below_zero = 0;  // of those, below zero
  std::uint64_t overflows = 0;   // accumulator additions that saturated
  bool ordered = false;          // the additions went one by one (saturation was possible)
};

class AnalogKernel {
 public:
  AnalogKernel() = default;
  // Samples the conductances of the `converting` columns of `crossbar` (named `crossbar_id` in
  // the run: the key of its draws) and each column's ADC offset. `signed_offset`: signed
  // multi-bit inputs drive the digits of x + 2^(A-1).
  AnalogKernel(const MappedCrossbar& crossbar, const MappingGeometry& geometry,
               const DeviceSettings& device, const std::vector<ColumnAdcPlan>& plan,
               const std::vector<std::size_t>& converting, bool signed_offset,
               std::uint64_t crossbar_id);

  // Loads one input vector (the layer's K inputs): the noiseless column sum of every converting
  // column in every input cycle, and per cycle the number of rows with a nonzero digit, into
  // cycle_nonzero[p] (one entry per input cycle).
  void load_vector(const std::int32_t* x, std::uint64_t* cycle_nonzero);

  // The same for a vector given as its bit planes (1-bit DACs): bit r % 64 of
  // planes[(p * words + r / 64) * lane_stride] is row r's digit in cycle p, words = rows / 64
  // rounded up (sim/macro/shared_inputs.h, read through CrossbarEngine).
  void load_vector_planes(const std::uint64_t* planes, std::size_t words, std::size_t lane_stride,
                          std::uint64_t* cycle_nonzero);

  // Fetches into the cache the inputs of vector `x` that load_vector will read (SWS gathers
  // its rows from across the layer's inputs, which a batch holds beyond the caches).
  void prefetch_vector(const std::int32_t* x) const {
    for (const std::int32_t k : crossbar_->gather) __builtin_prefetch(x + k);
  }

  // The sum the ADC of the i-th converting column sees in `cycle` of the loaded vector, the
  // crossbar's vector number `vector` (the noise draws' counter), in units of the column sum:
  // the loaded sum with read noise and the ADC's offset and noise (input-referred, `step` per
  // LSB).
  [[nodiscard]] double perturbed_sum(int cycle, std::size_t i, std::uint64_t vector,
                                     std::int64_t step) const;

  // Converts the loaded vector, the crossbar's vector number `vector`, as the engine's
  // per-conversion path (CrossbarEngine::take_conversion) would, column-parallel: every
  // converting column in every cycle p with converts[p] != 0, each conversion's signed, shifted
  // value added into accumulators[local output] (zeroed by the caller), saturating at
  // [-limit - 1, limit] in the same order when the totals show that saturation is possible.
  // `signed_serial`: the last cycle carries weight -2^(A-1) (signed bit-serial inputs).
  AnalogTally convert_vector(std::uint64_t vector, const std::uint8_t* converts, bool signed_serial,
                             std::int64_t limit, std::int64_t* accumulators);

  // Whether convert_lanes can run: 1-bit DACs, the float conversion, and every column's codes
  // weighted by 2^cycle summing within int32 (sim/macro/analog_lanes.h).
  [[nodiscard]] bool lane_parallel() const { return lane_parallel_; }
  // Sums and converts a block of `vectors` <= kernels::kAnalogLanes vectors at once: bit t of
  // planes[p * plane_words + k] is input k's digit in cycle p of the block's vector t (the
  // layer's shared planes; no bit set past the last vector), row r reading input gather[r].
  // Returns the block's clipped conversions; each vector is then finished by finish_lane.
  AnalogTally convert_lanes(const std::uint64_t* planes, std::size_t plane_words,
                            std::size_t vectors, bool signed_serial);
  // The block's vector t: its conversions added into accumulators as convert_vector would
  // (the tally's overflows and order; its clips are convert_lanes').
  AnalogTally finish_lane(std::size_t t, bool signed_serial, std::int64_t limit,
                          std::int64_t* accumulators) const;
  // The block's rows with a nonzero digit, [cycle][lane] (kernels::kAnalogLanes lanes).
  [[nodiscard]] const std::uint32_t* lane_nonzero() const;

  // The loaded vector's code of the i-th converting column in `cycle`, as the last
  // convert_vector left it, and the cycles that convert_vector converted in float lanes.
  [[nodiscard]] std::int32_t converted_code(int cycle, std::size_t i) const {
    return codes_[static_cast<std::size_t>(cycle) * converting_.size() + i];
  }
  [[nodiscard]] std::uint64_t float_cycles() const { return float_cycles_; }
  // The cycles that convert_vector found without a nonzero digit and did not convert (codes 0;
  // only where the float conversion applies: no noise, no offset).
  [[nodiscard]] std::uint64_t zero_cycles() const { return zero_cycles_; }

  // Whether convert_vector can run: every code fits the column-parallel conversion's int32
  // lanes (at most 30-bit ADCs).
  [[nodiscard]] bool column_parallel() const { return column_parallel_; }

  // The conductance of row r in the i-th converting column [ideal level steps].
  [[nodiscard]] float conductance(std::size_t row, std::size_t i) const {
    return g_[row * stride_ + i];
  }
  // The loaded vector's noiseless sum of the i-th converting column in `cycle`, and the
  // variance factor of its read noise (sum of digit^2 g^2; zero without read noise).
  [[nodiscard]] float loaded_sum(int cycle, std::size_t i) const {
    return sum_[static_cast<std::size_t>(cycle) * converting_.size() + i];
  }
  [[nodiscard]] float loaded_variance(int cycle, std::size_t i) const {
    return read_noise_ ? variance_[static_cast<std::size_t>(cycle) * converting_.size() + i] : 0.0F;
  }
  // Whether load_vector lists the nonzero digits with AVX-512 (this machine has it and
  // use_portable_lists(true) was not called); tests switch to the portable lists to check both.
  [[nodiscard]] static bool lists_avx512();
  static void use_portable_lists(bool portable);
  // Whether the column sums run 8 columns wide (few converting columns, as SWS's).
  [[nodiscard]] bool narrow() const { return narrow_; }
  // The ADC offset of the i-th converting column [LSB].
  [[nodiscard]] double adc_offset_lsb(std::size_t i) const { return adc_offset_lsb_[i]; }

 private:
  // Adds the vector's codes into accumulators and returns `tally` with its overflows and order:
  // positive_codes_ and negative_codes_ in one sum per output when no partial sum can saturate,
  // else add_ordered from codes_.
  AnalogTally add_codes(const std::uint8_t* converts, bool signed_serial, std::int64_t limit,
                        std::int64_t* accumulators, AnalogTally tally);
  // Adds each code, codes[(p * columns + i) * code_stride] of cycle p and converting column i,
  // one by one in the per-vector path's order, saturating (the cycles with converts[p] != 0, or
  // every cycle when converts is null); returns the saturated additions.
  std::uint64_t add_ordered(const std::uint8_t* converts, const std::int32_t* codes,
                            std::size_t code_stride, bool signed_serial, std::int64_t limit,
                            std::int64_t* accumulators) const;
  // The rest of a load once the lists are written: the padding and order of the sum kernel's
  // passes, and the column sums.
  void sum_listed_rows();
  const MappedCrossbar* crossbar_ = nullptr;
  DeviceSettings device_;
  std::vector<std::size_t> converting_;  // column index of each converting column
  std::uint64_t crossbar_id_ = 0;
  int cycles_ = 0;
  int dac_bits_ = 1;
  std::uint32_t input_mask_ = 0;
  std::int64_t offset_ = 0;  // added to signed multi-bit inputs: 2^(A-1), else 0
  bool read_noise_ = false;
  // Crossbars of at most this many converting columns run their sums 8 columns wide.
  static constexpr std::size_t kNarrowColumns = 8;
  // Entries past the last row in the per-row and per-cycle lists: the AVX-512 list building
  // stores 16 lanes at a time.
  static constexpr std::size_t kListSlack = 16;
  // Conductances [row][stride_] (converting columns, zero-padded to the sum kernel's width),
  // their squares when read noise is on, each column's ADC offset, and the loaded vector's
  // per-cycle sums and read-noise variances.
  bool narrow_ = false;
  std::size_t stride_ = 0;
  std::vector<float> g_;
  std::vector<float> g2_;
  std::vector<double> adc_offset_lsb_;
  std::vector<float> sum_;       // [cycle][converting index]
  std::vector<float> variance_;  // [cycle][converting index], read noise
  // The loaded vector: per row its driven value, the rows driving a nonzero value, and per
  // cycle the rows with a nonzero digit [cycle][rows + kListSlack] (padded with the zero row
  // `rows`), their digits as floats (multi-bit digits only), their count, and the cycles by count,
  // longest first.
  std::vector<std::uint32_t> driven_;
  std::vector<std::uint32_t> live_rows_;
  std::vector<std::uint32_t> lists_;
  std::vector<float> digit_lists_;
  std::vector<std::uint64_t> cycle_count_;
  std::vector<int> order_;

  // Per converting column, for convert_vector: the ADC's step and largest code (as doubles, for
  // the column-parallel rounding), the local output, and the weight of a code, polarity *
  // step * 2^shift; the loaded vector's codes [cycle][converting index], the perturbed sums of
  // one cycle when noise is drawn, and per column the codes weighted by 2^(p v), summed over the
  // positive cycles and over the negative one (signed bit-serial inputs).
  bool column_parallel_ = true;
  std::vector<double> step_;
  std::vector<double> inverse_step_;  // 1/step when every step is a power of two, else empty
  std::vector<double> max_code_;
  std::vector<std::size_t> output_;
  std::vector<std::int64_t> code_weight_;
  std::vector<std::int64_t> step_int_;
  std::vector<unsigned> shift_;
  std::vector<std::int64_t> polarity_;
  // The float conversion's tables (empty when it does not apply: convert_cycle_float), and the
  // cycles it converted.
  std::vector<float> inverse_step_float_;
  std::vector<float> top_half_;
  std::vector<float> max_code_float_;
  std::uint64_t float_cycles_ = 0;
  std::uint64_t zero_cycles_ = 0;
  std::vector<std::int32_t> codes_;
  std::vector<double> perturbed_;
  std::vector<std::int64_t> positive_codes_;
  std::vector<std::int64_t> negative_codes_;
  // Per local output, the sum of its columns' positive and of their negative parts.
  std::vector<std::int64_t> output_up_;
  std::vector<std::int64_t> output_down_;
  // The lane kernel (convert_lanes): each converting column's rows of nonzero conductance,
  // [lane_begin_[i], lane_begin_[i + 1]) of lane_word_ (their inputs) and lane_g_
  // (sim/macro/analog_lanes.h).
  bool lane_parallel_ = false;
  std::vector<std::uint32_t> lane_begin_;
  std::vector<std::uint32_t> lane_word_;
  std::vector<float> lane_g_;
  CounterRng read_noise_rng_{0, RandomStream::kReadNoise};
  CounterRng adc_noise_rng_{0, RandomStream::kAdcNoise};
};

}  // namespace cimsim
