#pragma once

#include "sim/config/resolved_config.h"

namespace cimsim {

// The rules that involve more than one key (docs/config.md lists them). Throws ConfigError at
// the position of the key that breaks the rule.
void check_cross_field_rules(const ResolvedConfig& config);

}  // namespace cimsim
