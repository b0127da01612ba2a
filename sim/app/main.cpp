// The cimsim command line: parses arguments and hands over to the library. Every error the
// library throws is caught there, once, and mapped to an exit code.
#include <cstdlib>

#include <systemc>

#include "sim/app/cli.h"

int sc_main(int argc, char** argv) { return cimsim::run_cli(argc, argv); }

// Our own main, ahead of SystemC's: its banner goes to stdout, which is for results, and is
// printed before sc_main runs unless this variable is set.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
