#include "sim/app/cli.h"

#include <iostream>

namespace cimsim {

int run_cli(int /*argc*/, char** /*argv*/) {
  std::cout << "cimsim " << CIMSIM_VERSION << "\n";
  return 0;
}

}  // namespace cimsim
