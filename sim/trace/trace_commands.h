// `cimsim trace ...` subcommands. The CLI parses the arguments and calls these; errors are
// thrown (DataError for a bad trace) and mapped to exit codes by main().
#pragma once

#include <filesystem>
#include <ostream>

namespace cimsim {

// `cimsim trace inspect FILE`: reads and checks the trace, prints its size and format version
// and then inspect_trace(). Returns the exit code (0); a bad trace throws DataError.
int trace_inspect_command(const std::filesystem::path& file, std::ostream& out);

}  // namespace cimsim
