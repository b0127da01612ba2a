// Writing sectioned weight traces (layout in docs/trace-format.md). Every integer is written
// byte by byte, least significant first, so the file is the same on any host.
#include "sim/trace/weight_trace.h"

#include <cstring>
#include <limits>

#include "sim/core/errors.h"
#include "sim/io/gzip.h"
#include "sim/report/results_folder.h"
#include "sim/trace/trace_checks.h"

namespace cimsim {
namespace {

class ByteWriter {
 public:
  void u8(std::uint8_t value) { bytes_.push_back(value); }
  void i8(std::int8_t value) { u8(static_cast<std::uint8_t>(value)); }
  void u32(std::uint32_t value) { little_endian(value, 4); }
  void i32(std::int32_t value) { u32(static_cast<std::uint32_t>(value)); }
  void u64(std::uint64_t value) { little_endian(value, 8); }
  void i64(std::int64_t value) { u64(static_cast<std::uint64_t>(value)); }
  void f64(double value) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    u64(bits);
  }
  void count(std::size_t value, const char* what) {
    if (value > std::numeric_limits<std::uint32_t>::max()) {
      throw DataError(std::string("cannot encode a weight trace: ") + what + " count " +
                      std::to_string(value) + " exceeds the format's 32-bit counts");
    }
    u32(static_cast<std::uint32_t>(value));
  }
  void string(const std::string& text, const char* what) {
    if (text.size() > kTraceMaxStringBytes) {
      throw DataError(std::string("cannot encode a weight trace: ") + what + " is longer than " +
                      std::to_string(kTraceMaxStringBytes) + " bytes");
    }
    count(text.size(), what);
    bytes_.insert(bytes_.end(), text.begin(), text.end());
  }
  void raw(const std::vector<std::uint8_t>& data) {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
  }

  [[nodiscard]] std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  void little_endian(std::uint64_t value, int size) {
    for (int b = 0; b < size; ++b) u8(static_cast<std::uint8_t>((value >> (8 * b)) & 0xffU));
  }

  std::vector<std::uint8_t> bytes_;
};

void put_geometry(ByteWriter& out, const MappingGeometry& g) {
  out.i32(g.rows);
  out.i32(g.cols);
  out.i32(g.cell_bits);
  out.i32(g.dac_bits);
  out.i32(g.weight_bits);
  out.i32(g.input_bits);
  out.string(g.encoding, "encoding");
  out.i32(g.section_rows);
}

void put_crossbar(ByteWriter& out, const MappedCrossbar& crossbar) {
  out.i32(crossbar.section);
  out.i32(crossbar.row_tile);
  out.i32(crossbar.tile);
  out.u32(crossbar.load);
  out.count(crossbar.gather.size(), "gather");
  for (std::int32_t k : crossbar.gather) out.i32(k);
  out.count(crossbar.outputs.size(), "outputs");
  for (std::int32_t n : crossbar.outputs) out.i32(n);
  out.count(crossbar.columns.size(), "columns");
  for (const MappedColumn& column : crossbar.columns) {
    out.i32(column.output);
    out.i8(column.polarity);
    out.i8(column.slice);
    out.i64(column.bound);
    out.u8(static_cast<std::uint8_t>(column.lossless_bits));
    out.count(column.cells.size(), "cells");
    out.raw(column.cells);
  }
}

void put_layer(ByteWriter& out, const TraceLayer& trace_layer) {
  const MappedLayer& layer = trace_layer.mapping;
  out.string(layer.name, "layer name");
  out.string(layer.policy, "policy");
  out.i32(layer.inputs);
  out.i32(layer.outputs);
  put_geometry(out, layer.geometry);
  out.count(layer.parts_per_output.size(), "parts_per_output");
  for (int parts : layer.parts_per_output) out.i32(parts);
  out.u64(layer.summary.sections_kept);
  out.u64(layer.summary.sections_dropped);
  out.u64(layer.summary.gather_rows);
  out.count(trace_layer.weight_scales.size(), "weight_scales");
  for (double scale : trace_layer.weight_scales) out.f64(scale);
  out.count(trace_layer.column_resolution_bits.size(), "column_resolution_bits");
  for (int bits : trace_layer.column_resolution_bits) out.u8(static_cast<std::uint8_t>(bits));
  out.count(layer.crossbars.size(), "crossbars");
  for (const MappedCrossbar& crossbar : layer.crossbars) put_crossbar(out, crossbar);
}

}  // namespace

std::vector<std::uint8_t> encode_trace(const WeightTrace& trace) {
  ByteWriter payload;
  payload.string(trace.producer, "producer");
  payload.string(trace.experiment, "experiment");
  payload.string(trace.chip.placement, "placement");
  payload.i64(trace.chip.tiles);
  payload.i32(trace.chip.tile_crossbars);
  payload.i32(trace.chip.tile_adcs);
  payload.i32(trace.chip.adcs_per_crossbar);
  payload.count(trace.layers.size(), "layers");
  for (const TraceLayer& layer : trace.layers) put_layer(payload, layer);
  const std::vector<std::uint8_t>& body = payload.bytes();

  ByteWriter file;
  for (char c : kTraceMagic) file.u8(static_cast<std::uint8_t>(c));
  file.u32(kTraceFormatVersion);
  file.u64(body.size());
  for (std::uint8_t b : trace_detail::sha256_bytes(body.data(), body.size())) file.u8(b);
  std::vector<std::uint8_t>& bytes = file.bytes();
  bytes.insert(bytes.end(), body.begin(), body.end());
  return std::move(bytes);
}

void write_trace(const std::filesystem::path& file, const WeightTrace& trace) {
  trace_detail::check_trace(trace, file.string() + ": refusing to write an inconsistent trace: ");
  const std::vector<std::uint8_t> compressed = gzip(encode_trace(trace));
  write_text_file_atomically(file, std::string(compressed.begin(), compressed.end()));
}

}  // namespace cimsim
