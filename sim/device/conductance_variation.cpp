// The variation kinds: none, gaussian (g (1 + sigma z), a conductance cannot go below 0) and
// lognormal (g exp(sigma z): ln g has standard deviation sigma, the median stays at the target).
#include "sim/device/conductance_variation.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace cimsim {
namespace {

class NoVariation final : public ConductanceVariation {
 public:
  [[nodiscard]] double programmed(double target, double /*sigma*/, double /*z*/) const override {
    return target;
  }
};

class GaussianVariation final : public ConductanceVariation {
 public:
  [[nodiscard]] double programmed(double target, double sigma, double z) const override {
    return std::max(0.0, target * (1.0 + sigma * z));
  }
};

class LognormalVariation final : public ConductanceVariation {
 public:
  [[nodiscard]] double programmed(double target, double sigma, double z) const override {
    return target * std::exp(sigma * z);
  }
};

const Registrar<ConductanceVariation> kNone("none", "cells hold their target conductance",
                                            [] { return std::make_unique<NoVariation>(); });
const Registrar<ConductanceVariation> kGaussian(
    "gaussian", "g (1 + sigma z) per cell, z ~ N(0, 1) fixed for the run, clamped at 0",
    [] { return std::make_unique<GaussianVariation>(); });
const Registrar<ConductanceVariation> kLognormal(
    "lognormal", "g exp(sigma z) per cell, z ~ N(0, 1) fixed for the run (median g)",
    [] { return std::make_unique<LognormalVariation>(); });

}  // namespace
}  // namespace cimsim
