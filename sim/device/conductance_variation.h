// Programming variation of a cell's conductance (hardware.device.variation.kind): how a target
// conductance g becomes the programmed one, given the relative spread sigma and a standard normal
// draw z that belongs to that cell for the whole run. Registered by name like every component.
#pragma once

#include "sim/core/registry.h"

namespace cimsim {

class ConductanceVariation {
 public:
  static constexpr const char* kKind = "conductance variation";
  virtual ~ConductanceVariation() = default;
  // The programmed conductance of a cell whose target is `target` (never negative).
  [[nodiscard]] virtual double programmed(double target, double sigma, double z) const = 0;
};

using ConductanceVariationRegistry = Registry<ConductanceVariation>;

}  // namespace cimsim
