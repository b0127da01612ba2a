// Parameters of the energy and area models, as the validated experiment config fills them
// (hardware.adc.energy.* and hardware.energy.*). Defaults and sources: docs/energy.md and
// ../shared/reference/energy-models.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cimsim {

// One row of the user-given `table` ADC model.
struct AdcTableRow {
  int bits = 0;
  double energy_pj = 0.0;            // per conversion [pJ]
  std::optional<double> latency_ns;  // per conversion [ns]
  std::optional<double> area_um2;    // per ADC [um^2]
};

struct AdcEnergyParams {
  std::string model = "cimloop";         // registered AdcEnergyModel name
  double tech_nm = 32.0;                 // technology node [nm] (hardware.tech_nm)
  std::optional<double> sample_rate_hz;  // per ADC [S/s]; unset: derived from the timing model
  std::string below_min_bits = "clamp";  // cimloop below 4 bits: "clamp" or "error"
  double walden_fom_fj_per_step = 6.103515625;  // [fJ/step] = 1.5625 pJ / 256 (ISAAC 8-bit)
  std::optional<double> neurosim_r_col_ohm;     // NeuroSim column term; unset: omitted
  double puma_pj_per_bit = 0.225;               // [pJ/bit] PUMA simulator default
  std::vector<AdcTableRow> table;               // for model "table"
};

// Per-event energies of everything that is not an ADC. Defaults from ISAAC (ISCA 2016, 32 nm)
// and PUMA's constants.py, as tabulated in energy-models.md.
struct ComponentEnergyParams {
  // ISAAC Table I: 2.4 mW for 8 arrays of 128x128 over a 100 ns cycle = 240 pJ / 131072 cells.
  double cell_read_fj = 1.83;  // per 1-bit input digit x cell [fJ]
  // PUMA constants.py dac_pow_dyn: 0.00350625 mW x 1 ns (switching only; ISAAC's 0.39 pJ per
  // DAC-cycle includes static power over its 100 ns cycle, see docs/energy.md).
  double dac_drive_fj = 3.5;  // per 1-bit DAC row drive per input cycle [fJ]
  // ISAAC Table I: 10 uW for 8x128 S+H over 100 ns = 1 pJ / 1024.
  double sample_hold_fj = 0.98;  // per sample [fJ]
  // PUMA constants.py sna_pow_dyn: (0.05 - 0.005) mW x 1 ns.
  double shift_add_fj = 45.0;  // per shift-and-add operation [fJ]
  // ISAAC Table I input register (2 KB, 32 nm): 1.24 mW x 100 ns cycle = 124 pJ per cycle. In
  // each cycle it feeds one bit to each of 8 x 128 rows = 128 B (the 2 KB are one 16-bit input
  // per row, read over 16 cycles): 124 pJ / 128 B = 0.96875 pJ/B. Includes its static power.
  double input_buffer_read_fj_per_byte = 1.24 * 100.0 / 128.0 * 1e3;  // = 968.75 [fJ/B]
  // Bits of one input value (quant.input_bits). An input-buffer read fetches one value of a row,
  // i.e. input_bits / 8 bytes (packed; a 4-bit input costs half a byte).
  int input_bits_per_read = 8;  // [bit]
  // PUMA constants.py alu_pow_others_dyn (add, sub, ...): 0.373 mW scaled 45 -> 32 nm by 32/45,
  // x alu_lat 1 ns = 0.26524 pJ. In PUMA the vector ALU adds the partial sums of crossbars.
  double partial_sum_add_fj = 0.373 * 32.0 / 45.0 * 1e3;  // = 265.24 per addition [fJ]
};

// Area per component, ISAAC Table I (ISCA 2016, 32 nm; one IMA = 8 crossbars of 128 x 128).
// Not scaled with hardware.tech_nm.
struct ComponentAreaParams {
  double cell_um2 = 200.0 / (8 * 128 * 128);  // 0.0002 mm^2 for 8 arrays of 128x128 [um^2]
  double adc_um2 = 9600.0 / 8;           // 0.0096 mm^2 for 8 ADCs (8 bit, 1.28 GS/s) = 1200 [um^2]
  double dac_um2 = 170.0 / 1024;         // 0.00017 mm^2 for 8 x 128 1-bit DACs [um^2]
  double sample_hold_um2 = 40.0 / 1024;  // 0.00004 mm^2 for 8 x 128 S+H [um^2]
  double shift_add_um2 = 240.0 / 4;      // 0.00024 mm^2 for 4 shift-and-add units = 60 [um^2]
};

}  // namespace cimsim
