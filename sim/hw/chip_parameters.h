// The chip's configuration keys: declared (type, unit, default, range, description) and read in
// sim/hw/chip_parameters.cpp, next to the modules that use them.
#pragma once

#include "sim/config/resolved_config.h"
#include "sim/hw/chip_settings.h"

namespace cimsim {

// The chip settings of a validated configuration (input_bytes is left to the caller).
[[nodiscard]] ChipSettings chip_settings(const ResolvedConfig& config);

}  // namespace cimsim
