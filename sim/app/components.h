#pragma once

#include <string>

namespace cimsim {

// Every registered implementation, grouped by component kind, one line each.
[[nodiscard]] std::string list_registered_components();

}  // namespace cimsim
