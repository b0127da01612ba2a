// The inputs of a block of vectors in the forms that gathering crossbars read, built once per
// layer and block and shared by all of the layer's crossbars (CrossbarEngine::run_batch).
//
// Why: SWS sorts each output's rows across the layer's inputs, so its crossbars each gather a
// different subset of them (dense_1 of the MNIST CNN: 9198 one-output crossbars, 128 of 9216
// inputs each). Gathering every vector's rows crossbar by crossbar reads the inputs once per
// crossbar, scattered over rows larger than the caches; here each input is read once per layer,
// and a crossbar then reads a whole block's worth of an input with one load.
//
// A block is at most kLanes vectors (the clip kernel's lanes), in two forms:
// - bit planes: for input cycle p and input k, one word whose bit t is bit p of vector t's
//   driven value (1-bit DACs, bit-serial inputs);
// - values: for input k, the block's values side by side (the integer product's operand: the
//   two's-complement value for signed bit-serial inputs, else the driven value).
// - the same bit planes by input (at most kernels::kSlicedCycles cycles): for input k, its cycles'
//   words side by side, after one all-zero input (sim/macro/sliced_clip.h reads them).
// Lanes past the block's last vector are zero in all forms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/macro/clip_kernel.h"
#include "sim/macro/sliced_clip.h"
#include "sim/mapping/int_matrix.h"

namespace cimsim {

// How inputs drive bit-serial rows (1-bit DACs): `input_bits` cycles of one bit each, the top
// one of weight -2^(input_bits-1) when the inputs are signed.
struct SerialDrive {
  int input_bits = 0;
  bool signed_serial = false;
  bool operator==(const SerialDrive& other) const {
    return input_bits == other.input_bits && signed_serial == other.signed_serial;
  }
};

// Which of the forms to build: a layer's readers need one or two of them (analog crossbars the
// planes by cycle, the bit-sliced clip kernel the planes by input and the values), and building
// the others for every block would be wasted work.
struct SharedForms {
  bool planes_by_cycle = true;
  bool planes_by_input = true;
  bool values = true;
  SharedForms& operator|=(const SharedForms& other) {
    planes_by_cycle = planes_by_cycle || other.planes_by_cycle;
    planes_by_input = planes_by_input || other.planes_by_input;
    values = values || other.values;
    return *this;
  }
};

class SharedInputPlanes {
 public:
  static constexpr std::size_t kLanes = kernels::kClipBlock;
  // Inputs per fill() call [inputs].
  static constexpr std::size_t kTile = 64;

  // Sizes the forms for x's vectors (at most kLanes); fill() computes them a tile of inputs at a
  // time, so that the caller may fill tiles in parallel.
  SharedInputPlanes(const IntMatrix& x, const SerialDrive& drive, const SharedForms& forms = {});
  [[nodiscard]] std::size_t tiles() const { return (x_.cols + kTile - 1) / kTile; }
  void fill(std::size_t tile);

  [[nodiscard]] std::size_t vectors() const { return x_.rows; }
  [[nodiscard]] const SerialDrive& drive() const { return drive_; }
  // Cycle p's planes: one word per input k (built with forms.planes_by_cycle).
  [[nodiscard]] const std::uint64_t* planes(int cycle) const {
    return &planes_[static_cast<std::size_t>(cycle) * x_.cols];
  }
  // The bit planes by input: words kernels::kSlicedCycles * (k + 1) + p, for p < input_bits, of
  // input k; the first kSlicedCycles words (and cycles past input_bits) are zero. Null when the
  // inputs take more than kSlicedCycles cycles or the form was not asked for.
  [[nodiscard]] const std::uint64_t* planes_by_input() const {
    return by_input_.empty() ? nullptr : by_input_.data();
  }
  // The values: kLanes per input k (built with forms.values).
  [[nodiscard]] const std::int32_t* values() const { return values_.data(); }

 private:
  const IntMatrix& x_;
  SerialDrive drive_;
  std::vector<std::uint64_t> planes_;    // [cycle][k]
  std::vector<std::uint64_t> by_input_;  // [1 + k][kSlicedCycles]
  std::vector<std::int32_t> values_;     // [k][lane]
};

namespace kernels {

// Transposes a 64 x 64 bit matrix in place: bit c of word r moves to bit r of word c; and adds
// each transposed word's popcount to counts[c] when `counts` is given. With AVX-512 VBMI, GFNI
// and VPOPCNTQ (checked at run time) it takes byte shuffles and GF(2) affine transforms, else a
// portable loop; both give the same bits.
void transpose_bits64(std::uint64_t* words, std::uint64_t* counts = nullptr);
// Whether transpose_bits64 runs its AVX-512 GFNI variant on this CPU (for the tests);
// `force_portable` makes every later call take the portable loop.
[[nodiscard]] bool transpose_bits64_uses_gfni();
void force_portable_transpose(bool portable);

// The integer products of a crossbar's rows for a sub-block's vectors, read from the shared
// values: acc[t * outputs + o] = sum over r < rows of weights_t[o * rows + r] *
// values[gather[r] * kClipBlock + t], for every lane t < kClipBlock. In 32-bit arithmetic: the
// caller's worst case fits.
void lane_weighted_sums(const std::int32_t* values, const std::int32_t* gather, std::size_t rows,
                        const std::int32_t* weights_t, std::size_t outputs, std::int64_t* acc);

}  // namespace kernels

}  // namespace cimsim
