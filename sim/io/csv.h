// The one CSV writer of the results (summary.csv, crossbars.csv, comparison.csv): RFC 4180 text,
// a cell quoted when it holds a comma, a quote or a line break (its quotes doubled), so that a
// name with a comma stays one cell for csv readers and scripts/cimsim_results.py. Hand-written:
// Debian ships no C++ CSV library, and writing is these few lines.
#pragma once

#include <string>
#include <vector>

namespace cimsim {

// One cell as CSV: unchanged unless it must be quoted.
[[nodiscard]] std::string csv_cell(const std::string& text);

// One record: the cells, each through csv_cell, separated by commas, ended by "\n".
[[nodiscard]] std::string csv_row(const std::vector<std::string>& cells);

}  // namespace cimsim
