// The cimsim command line: parses arguments and hands over to the library. Every error the
// library throws is caught here, once, and mapped to an exit code.
#include <systemc>

#include "sim/app/cli.h"

int sc_main(int argc, char** argv) { return cimsim::run_cli(argc, argv); }
