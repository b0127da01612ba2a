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

// The chip a trace's crossbars were placed on (crossbar-model.md section 11), so that a run on
// another chip is refused and `cimsim trace inspect` can show the placement.
struct TraceChip {
  std::string placement = "fixed";     // hardware.placement.kind
  std::int64_t tiles = 0;              // hardware.tiles; 0 = as many as the mapping needs
  std::int32_t tile_crossbars = 1;     // hardware.tile.crossbars: crossbar slots per tile
  std::int32_t tile_adcs = 0;          // hardware.tile.adcs: the tile's ADC pool; 0 = no pool
  std::int32_t adcs_per_crossbar = 1;  // hardware.adc.per_crossbar, used without a pool
};

// The chip's program: the mapped, placed layers (the crossbars' `tile` and `load` fields).
struct WeightTrace {
  std::string producer;    // e.g. "cimsim 0.1.0"
  std::string experiment;  // experiment name, free text
  TraceChip chip;
  std::vector<TraceLayer> layers;
};

inline constexpr std::string_view kTraceMagic = "CIMTRACE";
inline constexpr std::uint32_t kTraceFormatVersion = 2;
// magic (8) + version (4) + payload length (8) + SHA-256 of the payload (32).
inline constexpr std::size_t kTraceHeaderBytes = 52;
// Longest string (producer, experiment, layer name, policy, encoding) a trace may hold [bytes].
inline constexpr std::size_t kTraceMaxStringBytes = 65536;
// Largest ADC resolution a trace may record for a column [bits].
inline constexpr int kTraceMaxResolutionBits = 64;

// Writes the trace gzip-compressed and atomically (beside `file`, then renamed over it), so a
// failed write never leaves a complete-looking trace. Refuses (DataError naming the file) a trace
// that read_trace would refuse; an I/O failure is a RuntimeError.
void write_trace(const std::filesystem::path& file, const WeightTrace& trace);

// Largest trace a compressed file may decompress to [bytes]: deflate's best ratio is 1032:1,
// so a file can justify at most 1032 times its size; beyond this cap it is refused anyway.
inline constexpr std::uint64_t kTraceMaxBytes = std::uint64_t{16} << 30;

// Reads and fully checks a trace (gzip-compressed, as written, or not). Anything wrong (missing,
// truncated, trailing bytes, corrupted, wrong magic or version, malformed or inconsistent content)
// is a DataError
// "<file>: <what is wrong> (<where>)"; the reader never reads out of bounds and never allocates
// more than the file's size justifies.
[[nodiscard]] WeightTrace read_trace(const std::filesystem::path& file);

// The trace's bytes (header and payload) before write_trace compresses them, without checking
// consistency.
[[nodiscard]] std::vector<std::uint8_t> encode_trace(const WeightTrace& trace);

// read_trace without the file (compressed or not): `source` names the bytes in error messages.
[[nodiscard]] WeightTrace decode_trace(const std::vector<std::uint8_t>& bytes,
                                       const std::string& source);

// A human-readable summary: per layer and in total, crossbars, sections kept and dropped,
// gather rows, allocated and gated columns, columns by slice, slices needed per (crossbar,
// output, polarity), and histograms of lossless bits and (when recorded) ADC resolution.
[[nodiscard]] std::string inspect_trace(const WeightTrace& trace);

}  // namespace cimsim
