// Sectioned weight traces: the static result of mapping a workload (crossbar-model.md sections
// 2, 3, 5 and 7) saved to disk, so that a mapping can be inspected, compared or replayed without
// re-running the mapping policy. The byte layout, its versioning and every check the reader does
// are in docs/trace-format.md.
//
// The format is hand-written: a fixed header (magic, version, payload length, SHA-256) and a
// little-endian payload of length-prefixed strings, counts and raw cell bytes. No Debian 12
// library fits better: protobuf/flatbuffers/cap'n proto would add a schema compiler to the
// build and still not check what matters here (cell levels against the geometry, bounds against
// cells), HDF5/npz are heavyweight containers for what is a handful of nested vectors, and none
// of them carries a whole-file checksum by default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sim/mapping/mapped_layer.h"

namespace cimsim {

struct TraceLayer {
  MappedLayer mapping;
  std::vector<double> weight_scales;  // s_w per output; empty when the weights were integers
  // ADC resolution [bits] of every column under the mapping run's ADC settings, in crossbar
  // order then column order (flattened); empty when the trace was written without ADC settings.
  std::vector<int> column_resolution_bits;
};

struct WeightTrace {
  std::string producer;    // e.g. "cimsim 0.1.0"
  std::string experiment;  // experiment name, free text
  std::vector<TraceLayer> layers;
};

inline constexpr std::string_view kTraceMagic = "CIMTRACE";
inline constexpr std::uint32_t kTraceFormatVersion = 1;
// magic (8) + version (4) + payload length (8) + SHA-256 of the payload (32).
inline constexpr std::size_t kTraceHeaderBytes = 52;
// Longest string (producer, experiment, layer name, policy, encoding) a trace may hold [bytes].
inline constexpr std::size_t kTraceMaxStringBytes = 65536;
// Largest ADC resolution a trace may record for a column [bits].
inline constexpr int kTraceMaxResolutionBits = 64;

// Writes the trace atomically: to "<file>.tmp", then renamed over `file`, so a failed write
// never leaves a complete-looking trace. Refuses (DataError naming the file) a trace that
// read_trace would refuse; an I/O failure is a RuntimeError.
void write_trace(const std::filesystem::path& file, const WeightTrace& trace);

// Reads and fully checks a trace. Anything wrong (missing, truncated, trailing bytes, corrupted,
// wrong magic or version, malformed or inconsistent content) is a DataError
// "<file>: <what is wrong> (<where>)"; the reader never reads out of bounds and never allocates
// more than the file's size justifies.
[[nodiscard]] WeightTrace read_trace(const std::filesystem::path& file);

// The bytes write_trace puts in a file (header and payload), without checking consistency.
[[nodiscard]] std::vector<std::uint8_t> encode_trace(const WeightTrace& trace);

// read_trace without the file: `source` names the bytes in error messages.
[[nodiscard]] WeightTrace decode_trace(const std::vector<std::uint8_t>& bytes,
                                       const std::string& source);

// A human-readable summary: per layer and in total, crossbars, sections kept and dropped,
// gather rows, allocated and gated columns, columns by slice, slices needed per (crossbar,
// output, polarity), and histograms of lossless bits and (when recorded) ADC resolution.
[[nodiscard]] std::string inspect_trace(const WeightTrace& trace);

}  // namespace cimsim
