#pragma once

namespace cimsim {

// Runs the command line; returns the process exit code (0 ok, 1 runtime failure, 2 usage or
// configuration error).
int run_cli(int argc, char** argv);

}  // namespace cimsim
