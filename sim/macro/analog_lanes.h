// The analog kernel's column sums and conversions with a block's vectors in the lanes, for
// crossbars driven by 1-bit DACs without noise or ADC offset (AnalogKernel::convert_lanes).
//
// Why: the per-vector kernel pays, per crossbar and vector, for building each cycle's list of
// set rows, ordering and padding the lists, and converting a few columns per call. SWS's
// one-output crossbars (conv2d_2 of the MNIST CNN: 192 crossbars of 32 or 128 rows and 6 to 14
// converting columns, 5.76 M vectors per 10 000 images) spent about 1800 machine cycles per
// crossbar and vector that way. Here a row's bits of 64 vectors in a cycle (a word of the
// layer's shared input planes) mask 16-lane adds of the
// row's conductance. Each column goes through only its rows of nonzero conductance (with 1-bit
// cells and differential pairs, most cells are zero), 4 cycles x 64 lanes of sums in registers,
// and each conversion handles 16 vectors.
//
// Every lane's sum adds, in row order, the conductance of each row whose bit is set, starting
// from +0: the listed kernel's nonzero terms in its order (analog_kernel.cpp; its other terms
// are +0 and leave the sum unchanged), so the same floats; the conversion is AnalogKernel's
// float conversion in lanes, so the same codes and clip counts.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cimsim::kernels {

constexpr std::size_t kAnalogLanes = 64;  // vectors per block [vectors]

// A crossbar's converting columns as the lane kernel reads them: per column, the rows whose
// conductance is not zero, in row order, with their conductances (a zero conductance adds +0 to
// a sum that is never -0, which leaves it unchanged, so these are all the terms that count).
// Rows read their bits from the layer's shared planes: row r's word in a cycle is the
// gather[r]-th of the cycle's plane_words.
struct AnalogLaneColumns {
  std::size_t rows = 0;
  std::size_t columns = 0;
  const std::int32_t* gather = nullptr;
  std::size_t plane_words = 0;
  const std::uint32_t* begin = nullptr;  // column i's entries: [begin[i], begin[i + 1])
  const std::uint32_t* word = nullptr;   // each entry's word: gather[its row]
  const float* g = nullptr;              // each entry's conductance [level steps]
  // Per column, the float conversion's tables (AnalogKernel: 1/step, max_code + 0.5, max_code).
  const float* inverse_step = nullptr;
  const float* top_half = nullptr;
  const float* max_code = nullptr;
};

// The block's conversions clipped below zero and above the largest code, over all lanes.
struct AnalogLaneClips {
  std::uint64_t below = 0;
  std::uint64_t above = 0;
};

// For a block of `vectors` <= kAnalogLanes vectors (lanes past the last vector have no bit set,
// and their results may be skipped: only lanes t < vectors are defined below): bit t of
// masks[p * plane_words + gather[r]] is the digit of row r in cycle p of vector t (the shared
// planes, sim/macro/shared_inputs.h). Writes, for every lane t,
// cycle p < cycles and column i:
// - codes[(p * columns + i) * kAnalogLanes + t], the column's code;
// - weighted[i * kAnalogLanes + t], the sum over cycles p != negative_cycle of code << p;
// - negative[i * kAnalogLanes + t], code << negative_cycle in that cycle (0 when negative_cycle
//   is -1: unsigned inputs);
// - nonzero[p * kAnalogLanes + t], the rows whose digit is set.
// The caller guarantees that max_code * (2^cycles - 1) fits an int32 and rows < 65536.
// AVX-512BW where the CPU has it (checked once at run time), else a portable loop: the same
// results.
AnalogLaneClips analog_lane_block(const std::uint64_t* masks, std::size_t vectors, int cycles,
                                  int negative_cycle, const AnalogLaneColumns& columns,
                                  std::int32_t* codes, std::int32_t* weighted,
                                  std::int32_t* negative, std::uint32_t* nonzero);

// Whether analog_lane_block runs its AVX-512BW variant (for the tests); `portable` makes every
// later call take the portable loop.
[[nodiscard]] bool analog_lanes_use_avx512();
void force_portable_analog_lanes(bool portable);

}  // namespace cimsim::kernels
