// Fixture that gives every test a fresh SystemC simulation context: without it, a second test
// that builds modules fails with E529 (modules may not be created after elaboration).
#pragma once

#include <gtest/gtest.h>

#include <systemc>

namespace cimsim::testing {

class SystemCTest : public ::testing::Test {
 protected:
  void SetUp() override { fresh_context(); }
  // Leaves a fresh, valid context behind: SystemC's own clean-up after sc_main uses it.
  void TearDown() override { fresh_context(); }

  // Replaces the simulation context; every module of the old one must be destroyed first. The old
  // context is not deleted: SystemC's own static events unregister themselves from "the" context
  // at exit, and a deleted one makes that loop forever on freed memory.
  static void fresh_context() {
    sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
    sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
  }
};

}  // namespace cimsim::testing
