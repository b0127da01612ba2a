#include "sim/trace/trace_commands.h"

#include <cstdint>
#include <system_error>

#include "sim/trace/weight_trace.h"

namespace cimsim {

int trace_inspect_command(const std::filesystem::path& file, std::ostream& out) {
  const WeightTrace trace = read_trace(file);
  std::error_code ignored;
  const std::uintmax_t size = std::filesystem::file_size(file, ignored);
  out << file.string() << ": " << size << " bytes, trace format version " << kTraceFormatVersion
      << ", checksum and consistency checks passed\n";
  out << inspect_trace(trace);
  return 0;
}

}  // namespace cimsim
