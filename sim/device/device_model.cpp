#include "sim/device/device_model.h"

#include <cmath>

namespace cimsim {

DeviceModel::DeviceModel(const DeviceSettings& settings, int cell_bits)
    : settings_(settings),
      variation_(ConductanceVariationRegistry::instance().create(settings.variation)),
      variation_rng_(settings.seed, RandomStream::kProgrammingVariation),
      fault_rng_(settings.seed, RandomStream::kStuckAtFault) {
  g_max_ = std::ldexp(1.0, cell_bits) - 1.0;
  g_off_ = std::isinf(settings.on_off_ratio) ? 0.0 : g_max_ / settings.on_off_ratio;
  level_step_ = (g_max_ - g_off_) / g_max_;
}

CellFault DeviceModel::fault(std::uint64_t crossbar, std::uint64_t row,
                             std::uint64_t column) const {
  if (settings_.stuck_at_on <= 0.0 && settings_.stuck_at_off <= 0.0) return CellFault::kNone;
  const double u = fault_rng_.uniform(crossbar, row, column);
  if (u < settings_.stuck_at_on) return CellFault::kStuckOn;
  if (u < settings_.stuck_at_on + settings_.stuck_at_off) return CellFault::kStuckOff;
  return CellFault::kNone;
}

double DeviceModel::conductance(int level, std::uint64_t crossbar, std::uint64_t row,
                                std::uint64_t column) const {
  switch (fault(crossbar, row, column)) {
    case CellFault::kStuckOn:
      return g_max_;
    case CellFault::kStuckOff:
      return g_off_;
    case CellFault::kNone:
      break;
  }
  const double goal = target(level);
  if (!settings_.programming_variation() || goal == 0.0) return goal;
  return variation_->programmed(goal, settings_.variation_sigma,
                                variation_rng_.normal(crossbar, row, column));
}

}  // namespace cimsim
