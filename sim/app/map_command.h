#pragma once

#include <filesystem>
#include <iosfwd>

#include "sim/config/experiment.h"

namespace cimsim {

// `cimsim map`: maps and places the experiment's layers and writes the chip's program, a weight
// trace (docs/trace-format.md), then prints its summary. A comparison writes one trace per
// variant, `<out>/<variant>.cimtrace`; otherwise `out` is the trace file. An empty `out` means
// traces/<experiment name>.cimtrace (or the folder traces/<experiment name>/). Returns 0.
int map_command(const Experiment& experiment, std::filesystem::path out, std::ostream& console);

}  // namespace cimsim
