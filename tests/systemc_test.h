// Fixture that gives every test a fresh SystemC simulation context: without it, a second test
// that builds modules fails with E529 (modules may not be created after elaboration).
#pragma once

#include <gtest/gtest.h>

#include <systemc>

#include "sim/hw/kernel_context.h"

namespace cimsim::testing {

class SystemCTest : public ::testing::Test {
 protected:
  void SetUp() override { fresh_context(); }
  // Leaves a fresh, valid context behind: SystemC's own clean-up after sc_main uses it.
  void TearDown() override { fresh_context(); }

  // Replaces the simulation context; every module of the old one must be destroyed first.
  static void fresh_context() { fresh_simulation_context(); }
};

}  // namespace cimsim::testing
