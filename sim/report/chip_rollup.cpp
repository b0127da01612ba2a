#include "sim/report/chip_rollup.h"

#include "sim/adc/adc_components.h"
#include "sim/energy/area_model.h"
#include "sim/energy/energy_pricing.h"
#include "sim/report/run_report.h"

namespace cimsim {

nlohmann::json ChipRollup::to_json() const {
  return {{"tiles", tiles},
          {"tile_area_um2", tile_area_um2},
          {"io_area_um2", io_area_um2},
          {"area_mm2", area_mm2},
          {"tile_peak_power_mw",
           {{"adc", tile_adc_mw},
            {"dac", tile_dac_mw},
            {"crossbar", tile_crossbar_mw},
            {"sample_hold", tile_sample_hold_mw},
            {"shift_add", tile_shift_add_mw},
            {"static", tile_static_mw},
            {"total", tile_peak_power_mw}}},
          {"io_power_mw", io_power_mw},
          {"peak_power_w", peak_power_w}};
}

ChipRollup chip_rollup(const Experiment& e, std::uint64_t tiles_used) {
  const ChipSettings& chip = e.macro.chip;
  const MacroSettings& macro = e.macro;
  const auto crossbars = static_cast<std::uint64_t>(chip.tile_crossbars);
  const std::uint64_t adcs = chip.tile_adcs > 0
                                 ? static_cast<std::uint64_t>(chip.tile_adcs)
                                 : crossbars * static_cast<std::uint64_t>(macro.adc.per_crossbar);
  const auto adc_model = make_adc_energy_model(e.adc_energy);
  const SampleRateFn rate = make_sample_rate_fn(
      e.adc_energy, macro.adc.kind, macro.adc.timing.t_bit_ns, macro.adc.timing.t_flash_ns);
  ChipRollup r;
  r.tiles = chip.tiles > 0 ? static_cast<std::uint64_t>(chip.tiles) : tiles_used;
  r.tile_area_um2 =
      estimate_area(area_inputs_for(e, crossbars, adcs, rate(macro.adc.bits), 1), *adc_model)
          .total_um2();
  r.io_area_um2 = chip.io_area_um2;
  r.area_mm2 = (static_cast<double>(r.tiles) * r.tile_area_um2 + r.io_area_um2) * 1e-6;

  // pJ per ns is mW; fJ per ns is uW.
  constexpr double kPjPerFj = 1e-3;
  const int bits = macro.adc.bits;
  const double t_conv_ns =
      AdcKindRegistry::instance().create(macro.adc.kind)->conversion_ns(bits, macro.adc.timing);
  ModelWarnings warnings;
  const double conversion_pj = adc_model->conversion_energy_pj(bits, rate(bits), warnings);
  const auto rows = static_cast<double>(e.geometry.rows);
  const auto cols = static_cast<double>(e.geometry.cols);
  const auto xbars = static_cast<double>(crossbars);
  const ComponentEnergyParams& energy = e.component_energy;
  r.tile_adc_mw = static_cast<double>(adcs) * conversion_pj / t_conv_ns;
  r.tile_dac_mw = xbars * rows * energy.dac_drive_fj * kPjPerFj / macro.t_read_ns;
  r.tile_crossbar_mw = xbars * rows * cols * energy.cell_read_fj * kPjPerFj / macro.t_read_ns;
  r.tile_sample_hold_mw = xbars * cols * energy.sample_hold_fj * kPjPerFj / macro.t_read_ns;
  const std::uint64_t shift_adds =
      chip.tile_shift_adds > 0 ? static_cast<std::uint64_t>(chip.tile_shift_adds) : adcs;
  // One shift-and-add per conversion: a unit keeps pace with an ADC.
  r.tile_shift_add_mw =
      static_cast<double>(shift_adds) * energy.shift_add_fj * kPjPerFj / t_conv_ns;
  // The buffers' power is their static power: the presets give it at full activity (ISAAC).
  r.tile_static_mw = static_cast<double>(adcs) * chip.adc_static_mw + chip.buffer_static_mw +
                     chip.output_buffer_static_mw + chip.router_static_mw + chip.digital_static_mw;
  r.tile_peak_power_mw = r.tile_adc_mw + r.tile_dac_mw + r.tile_crossbar_mw +
                         r.tile_sample_hold_mw + r.tile_shift_add_mw + r.tile_static_mw;
  r.io_power_mw = chip.io_static_mw;
  r.peak_power_w = (static_cast<double>(r.tiles) * r.tile_peak_power_mw + r.io_power_mw) * 1e-3;
  return r;
}

}  // namespace cimsim
