// Helpers shared by the energy tests.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "sim/energy/adc_energy_model.h"

namespace cimsim::energy_test {

// The published test vectors are given to 4-5 significant digits; energy-models.md asks for a
// relative error of 1e-4.
inline constexpr double kRelTol = 1e-4;

inline ::testing::AssertionResult near_rel(double actual, double expected,
                                           double rel_tol = kRelTol) {
  const double rel = std::abs(actual - expected) / std::abs(expected);
  if (rel <= rel_tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "actual " << actual << " vs expected " << expected
                                       << ": relative error " << rel << " > " << rel_tol;
}

inline AdcEnergyParams params_for(const std::string& model, double tech_nm = 32.0) {
  AdcEnergyParams params;
  params.model = model;
  params.tech_nm = tech_nm;
  return params;
}

}  // namespace cimsim::energy_test
