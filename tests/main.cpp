// GoogleTest runs inside sc_main so that SystemC is initialised as in the real program.
#include <gtest/gtest.h>

#include <cstdlib>

#include <systemc>

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// SystemC prints its banner before sc_main unless this variable is set; keep test output clean.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
