// Reading sectioned weight traces. The header is checked first (magic, version, length,
// checksum), so later failures mean content that is malformed although intact; every read is
// bounds-checked and every count is checked against the bytes left before anything is allocated.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "sim/core/errors.h"
#include "sim/io/gzip.h"
#include "sim/trace/trace_checks.h"
#include "sim/trace/weight_trace.h"

namespace cimsim {
namespace {

using trace_detail::Location;

// Fewest bytes one element can take in the payload, for checking counts against what is left.
constexpr std::size_t kMinColumnBytes = 4 + 1 + 1 + 8 + 1 + 4;        // ids, bound, b*, cell count
constexpr std::size_t kMinCrossbarBytes = 4 + 4 + 4 + 4 + 4 + 4 + 4;  // 4 ids, three counts
constexpr std::size_t kMinLayerBytes = 4 + 4 + 4 + 4                  // name, policy, K, N
                                       + 6 * 4 + 4 + 4                // geometry
                                       + 4 + 3 * 8 + 4 + 4 + 4;       // counts and summary

std::uint64_t load_le(const std::uint8_t* p, int size) {
  std::uint64_t value = 0;
  for (int b = size - 1; b >= 0; --b) value = (value << 8) | p[b];
  return value;
}

class PayloadReader {
 public:
  PayloadReader(const std::uint8_t* data, std::size_t size, std::string prefix)
      : data_(data), size_(size), prefix_(std::move(prefix)) {}

  Location& where() { return where_; }
  [[nodiscard]] std::size_t remaining() const { return size_ - pos_; }

  std::uint8_t u8(const char* what) { return static_cast<std::uint8_t>(next(1, what)); }
  std::int8_t i8(const char* what) { return static_cast<std::int8_t>(next(1, what)); }
  std::int32_t i32(const char* what) { return static_cast<std::int32_t>(next(4, what)); }
  std::uint32_t u32(const char* what) { return static_cast<std::uint32_t>(next(4, what)); }
  std::uint64_t u64(const char* what) { return next(8, what); }
  std::int64_t i64(const char* what) { return static_cast<std::int64_t>(next(8, what)); }
  double f64(const char* what) {
    const std::uint64_t bits = next(8, what);
    double value = 0.0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }

  // A u32 count of elements of at least `element_bytes` each, refused unless they can fit in
  // the bytes left: a corrupted count can never make the reader allocate beyond the file size.
  std::size_t count(std::size_t element_bytes, const std::string& what) {
    const auto n = static_cast<std::size_t>(next(4, what.c_str()));
    if (n > remaining() / element_bytes) {
      fail(what + " " + std::to_string(n) + " needs at least " + std::to_string(n * element_bytes) +
           " bytes but only " + std::to_string(remaining()) + " remain");
    }
    return n;
  }

  std::string string(const char* what) {
    const std::size_t n = count(1, std::string(what) + " length");
    if (n > kTraceMaxStringBytes) {
      fail(std::string(what) + " length " + std::to_string(n) + " exceeds the limit of " +
           std::to_string(kTraceMaxStringBytes) + " bytes");
    }
    std::string text(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return text;
  }

  // `n` raw bytes; the caller has checked them with count().
  std::vector<std::uint8_t> raw(std::size_t n) {
    std::vector<std::uint8_t> out(data_ + pos_, data_ + pos_ + n);
    pos_ += n;
    return out;
  }

  [[noreturn]] void fail(const std::string& what) const {
    trace_detail::fail(prefix_, "malformed payload: " + what,
                       where_.describe() + ", payload byte " + std::to_string(pos_));
  }

 private:
  std::uint64_t next(int size, const char* what) {
    if (remaining() < static_cast<std::size_t>(size)) {
      fail(std::string("the payload ends inside ") + what);
    }
    const std::uint64_t value = load_le(data_ + pos_, size);
    pos_ += static_cast<std::size_t>(size);
    return value;
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::string prefix_;
  Location where_;
};

MappingGeometry read_geometry(PayloadReader& in) {
  MappingGeometry g;
  g.rows = in.i32("geometry rows");
  g.cols = in.i32("geometry cols");
  g.cell_bits = in.i32("geometry cell_bits");
  g.dac_bits = in.i32("geometry dac_bits");
  g.weight_bits = in.i32("geometry weight_bits");
  g.input_bits = in.i32("geometry input_bits");
  g.encoding = in.string("geometry encoding");
  g.section_rows = in.i32("geometry section_rows");
  return g;
}

std::vector<std::int32_t> read_ids(PayloadReader& in, const char* what) {
  std::vector<std::int32_t> ids(in.count(4, std::string(what) + " count"));
  for (std::int32_t& id : ids) id = in.i32(what);
  return ids;
}

MappedColumn read_column(PayloadReader& in) {
  MappedColumn column;
  column.output = in.i32("column output");
  column.polarity = in.i8("column polarity");
  column.slice = in.i8("column slice");
  column.bound = in.i64("column bound");
  column.lossless_bits = in.u8("column lossless bits");
  column.cells = in.raw(in.count(1, "column cells count"));
  return column;
}

MappedCrossbar read_crossbar(PayloadReader& in) {
  MappedCrossbar crossbar;
  crossbar.section = in.i32("crossbar section");
  crossbar.row_tile = in.i32("crossbar row tile");
  crossbar.tile = in.i32("crossbar tile");
  crossbar.load = in.u32("crossbar load");
  crossbar.gather = read_ids(in, "crossbar gather");
  crossbar.outputs = read_ids(in, "crossbar outputs");
  crossbar.columns.resize(in.count(kMinColumnBytes, "crossbar columns count"));
  for (std::size_t k = 0; k < crossbar.columns.size(); ++k) {
    in.where().column = static_cast<std::int64_t>(k);
    crossbar.columns[k] = read_column(in);
  }
  in.where().column = -1;
  return crossbar;
}

TraceLayer read_layer(PayloadReader& in) {
  TraceLayer trace_layer;
  MappedLayer& layer = trace_layer.mapping;
  layer.name = in.string("layer name");
  in.where().layer_name = layer.name;
  layer.policy = in.string("layer policy");
  layer.inputs = in.i32("layer inputs");
  layer.outputs = in.i32("layer outputs");
  layer.geometry = read_geometry(in);
  layer.parts_per_output.resize(in.count(4, "parts_per_output count"));
  for (int& parts : layer.parts_per_output) parts = in.i32("parts_per_output");
  layer.summary.sections_kept = in.u64("summary sections_kept");
  layer.summary.sections_dropped = in.u64("summary sections_dropped");
  layer.summary.gather_rows = in.u64("summary gather_rows");
  trace_layer.weight_scales.resize(in.count(8, "weight_scales count"));
  for (double& scale : trace_layer.weight_scales) scale = in.f64("weight_scales");
  trace_layer.column_resolution_bits.resize(in.count(1, "column_resolution_bits count"));
  for (int& bits : trace_layer.column_resolution_bits) bits = in.u8("column_resolution_bits");
  layer.crossbars.resize(in.count(kMinCrossbarBytes, "crossbars count"));
  for (std::size_t j = 0; j < layer.crossbars.size(); ++j) {
    in.where().crossbar = static_cast<std::int64_t>(j);
    layer.crossbars[j] = read_crossbar(in);
  }
  in.where().crossbar = -1;
  return trace_layer;
}

WeightTrace read_payload(PayloadReader& in) {
  WeightTrace trace;
  trace.producer = in.string("producer");
  trace.experiment = in.string("experiment");
  trace.chip.placement = in.string("chip placement");
  trace.chip.tiles = in.i64("chip tiles");
  trace.chip.tile_crossbars = in.i32("chip tile crossbars");
  trace.chip.tile_adcs = in.i32("chip tile adcs");
  trace.chip.adcs_per_crossbar = in.i32("chip adcs per crossbar");
  trace.layers.resize(in.count(kMinLayerBytes, "layers count"));
  for (std::size_t i = 0; i < trace.layers.size(); ++i) {
    in.where() = Location{};
    in.where().layer = static_cast<int>(i);
    trace.layers[i] = read_layer(in);
  }
  in.where() = Location{};
  if (in.remaining() != 0) {
    in.fail(std::to_string(in.remaining()) + " unparsed bytes after the last layer");
  }
  return trace;
}

}  // namespace

WeightTrace decode_trace(const std::vector<std::uint8_t>& file_bytes, const std::string& source) {
  const std::string prefix = source + ": ";
  // Written compressed; read either way (a trace unpacked with gunzip stays readable).
  const std::uint64_t justified = std::min<std::uint64_t>(
      kTraceMaxBytes, static_cast<std::uint64_t>(file_bytes.size()) * 1032 + 1024);
  const std::vector<std::uint8_t> unpacked =
      has_gzip_magic(file_bytes) ? gunzip(source, file_bytes, justified, "weight traces")
                                 : std::vector<std::uint8_t>();
  const std::vector<std::uint8_t>& bytes = has_gzip_magic(file_bytes) ? unpacked : file_bytes;
  const auto refuse = [&prefix](const std::string& what) {
    trace_detail::fail(prefix, what, "trace header");
  };
  const std::size_t size = bytes.size();
  const std::string header_bytes = std::to_string(kTraceHeaderBytes);
  if (size == 0) refuse("empty file, not a cimsim weight trace");
  const std::size_t magic_seen = std::min(size, kTraceMagic.size());
  if (!std::equal(kTraceMagic.begin(),
                  kTraceMagic.begin() + static_cast<std::ptrdiff_t>(magic_seen), bytes.begin())) {
    refuse("not a cimsim weight trace: it does not start with \"" + std::string(kTraceMagic) +
           "\"");
  }
  if (size < 12) {
    refuse("truncated: " + std::to_string(size) + " bytes, less than the " + header_bytes +
           "-byte header");
  }
  const auto version = static_cast<std::uint32_t>(load_le(bytes.data() + 8, 4));
  if (version != kTraceFormatVersion) {
    refuse("unsupported trace format version " + std::to_string(version) +
           "; this build reads version " + std::to_string(kTraceFormatVersion) +
           " only (re-create the trace with this cimsim)");
  }
  if (size < kTraceHeaderBytes) {
    refuse("truncated: " + std::to_string(size) + " bytes, less than the " + header_bytes +
           "-byte header");
  }
  const std::uint64_t declared = load_le(bytes.data() + 12, 8);
  const std::size_t present = size - kTraceHeaderBytes;
  if (declared > present) {
    refuse("truncated: the header declares a payload of " + std::to_string(declared) +
           " bytes but only " + std::to_string(present) + " follow the header");
  }
  if (declared < present) {
    refuse(std::to_string(present - declared) + " trailing bytes after the " +
           std::to_string(declared) + "-byte payload the header declares");
  }
  const std::uint8_t* payload = bytes.data() + kTraceHeaderBytes;
  const auto computed = trace_detail::sha256_bytes(payload, present);
  const std::uint8_t* stored = bytes.data() + 20;
  if (!std::equal(computed.begin(), computed.end(), stored)) {
    refuse("checksum mismatch, the payload is corrupted: the header holds sha256 " +
           trace_detail::to_hex(stored, computed.size()) + ", the payload hashes to " +
           trace_detail::to_hex(computed.data(), computed.size()));
  }
  PayloadReader in(payload, present, prefix);
  WeightTrace trace = read_payload(in);
  trace_detail::check_trace(trace, prefix + "inconsistent trace: ");
  return trace;
}

WeightTrace read_trace(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    const bool exists = std::filesystem::exists(file, error);
    throw DataError(name + ": cannot read the weight trace: " +
                    (exists ? "not a regular file" : "no such file"));
  }
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  if (error) throw DataError(name + ": cannot read the weight trace: " + error.message());
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(name + ": cannot open the weight trace: " + std::strerror(errno));
  // One read into a buffer of the file's size (no large stack buffer: SystemC threads have
  // small stacks).
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) {
    throw DataError(name + ": cannot read the weight trace: read " + std::to_string(in.gcount()) +
                    " of " + std::to_string(size) + " bytes");
  }
  return decode_trace(bytes, name);
}

}  // namespace cimsim
