// The conductance of every cell of a crossbar under the configured non-idealities
// (docs/nonidealities.md). Conductances are in units of the ideal one-level step, so that an
// ideal cell conducts exactly its stored integer level:
//   level l of a c-bit cell targets g(l) = G_off + l (G_max - G_off) / (2^c - 1), with
//   G_max = 2^c - 1 and G_off = G_max / R for an on/off ratio R (0 when R is infinite);
//   a stuck-at-ON cell conducts G_max, a stuck-at-OFF cell G_off, whatever it was meant to hold;
//   any other cell is programmed to its target with the configured variation.
// Every draw is keyed by (seed, crossbar id, row, column), so a cell is the same cell in every
// batch and on every thread.
#pragma once

#include <cstdint>
#include <memory>

#include "sim/device/conductance_variation.h"
#include "sim/device/counter_rng.h"
#include "sim/device/device_settings.h"

namespace cimsim {

enum class CellFault { kNone, kStuckOn, kStuckOff };

class DeviceModel {
 public:
  DeviceModel(const DeviceSettings& settings, int cell_bits);

  // The target conductance of a level on the level-to-conductance line.
  [[nodiscard]] double target(int level) const { return g_off_ + level * level_step_; }
  [[nodiscard]] double g_max() const { return g_max_; }
  [[nodiscard]] double g_off() const { return g_off_; }

  // The cell's fault, drawn once per run: stuck-at-ON with probability stuck_at_on, else
  // stuck-at-OFF with probability stuck_at_off.
  [[nodiscard]] CellFault fault(std::uint64_t crossbar, std::uint64_t row,
                                std::uint64_t column) const;
  // The conductance the cell has for the whole run.
  [[nodiscard]] double conductance(int level, std::uint64_t crossbar, std::uint64_t row,
                                   std::uint64_t column) const;

 private:
  DeviceSettings settings_;
  double g_max_ = 1.0;
  double g_off_ = 0.0;
  double level_step_ = 1.0;
  std::unique_ptr<ConductanceVariation> variation_;
  CounterRng variation_rng_;
  CounterRng fault_rng_;
};

}  // namespace cimsim
