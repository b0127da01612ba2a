// The hand-computed layer of the chip tests (chip_timing_test, schedule_test, chip_waveform_test):
// K = 8 inputs, one output, 4-row crossbars, 3-bit weights (2-bit differential magnitudes) on
// 1-bit cells, so baseline maps two row tiles (xbar0 = rows 0-3, xbar1 = rows 4-7) of 4 slice
// columns (+0, +1, -0, -1). Weights [3, 1, 0, -2 | 1, 1, 1, 1]:
//   xbar0: +0 = [1,1,0,0] (2 bits), +1 = [1,0,0,0] (1 bit), -0 gated, -1 = [0,0,0,1] (1 bit);
//   xbar1: +0 = [1,1,1,1] (3 bits), the other three gated.
// 2-bit inputs on 1-bit DACs: P = 2 input cycles per vector. SAR at 1 ns per bit, t_read 10 ns,
// 4 ADCs per crossbar, one adder-tree level (two parts) of 1 ns.
#pragma once

#include "sim/macro/macro_settings.h"
#include "sim/mapping/int_matrix.h"
#include "sim/mapping/mapped_layer.h"

namespace cimsim::testing {

struct TinyLayer {
  MappingGeometry geometry;
  IntMatrix weights;
  MacroSettings settings;
};

inline TinyLayer tiny_layer() {
  TinyLayer t;
  t.geometry.rows = 4;
  t.geometry.cols = 4;
  t.geometry.weight_bits = 3;
  t.geometry.input_bits = 2;
  t.weights = IntMatrix(8, 1);
  t.weights.data = {3, 1, 0, -2, 1, 1, 1, 1};
  t.settings.t_read_ns = 10.0;
  t.settings.adc.per_crossbar = 4;
  return t;
}

}  // namespace cimsim::testing
