#include "sim/io/gzip.h"

#include <zlib.h>

#include <limits>

#include "sim/core/errors.h"

namespace cimsim {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem) {
  throw DataError(file.string() + ": " + problem);
}

}  // namespace

bool has_gzip_magic(const std::vector<std::uint8_t>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::vector<std::uint8_t> gunzip(const std::filesystem::path& file,
                                 const std::vector<std::uint8_t>& compressed,
                                 std::uint64_t max_bytes, const std::string& limit_name) {
  if (!has_gzip_magic(compressed)) fail(file, "not a gzip stream (no 1f 8b magic)");
  if (compressed.size() > std::numeric_limits<uInt>::max()) {
    fail(file, "too large for one zlib input buffer");
  }
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip wrapper, not a bare zlib stream.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) fail(file, "zlib failed to initialise");
  // zlib's input pointer is not const, but inflate never writes through it.
  stream.next_in = const_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> chunk(1 << 20);
  std::string error;
  while (error.empty()) {
    stream.next_out = chunk.data();
    stream.avail_out = static_cast<uInt>(chunk.size());
    const int status = inflate(&stream, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - stream.avail_out;
    if (out.size() + produced > max_bytes) {
      error = "decompresses to more than the " + std::to_string(max_bytes) + "-byte limit for " +
              limit_name;
      break;
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(produced));
    if (status == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      inflateReset(&stream);  // gzip allows several members one after another
    } else if (status == Z_BUF_ERROR || (status == Z_OK && stream.avail_in == 0 && produced == 0)) {
      error = "truncated gzip stream";
    } else if (status != Z_OK) {
      error = std::string("corrupt gzip stream: ") + (stream.msg ? stream.msg : "zlib error");
    }
  }
  inflateEnd(&stream);
  if (!error.empty()) fail(file, error);
  return out;
}

std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() > std::numeric_limits<uInt>::max()) {
    throw RuntimeError("gzip: " + std::to_string(bytes.size()) +
                       " bytes are too many for one zlib input buffer");
  }
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip wrapper (its header without name or time, which zlib leaves zero).
  // Z_BEST_SPEED: a run writes its trace before it simulates, and the default level took about
  // 0.8 s of CPU for the MNIST CNN's (a tenth of a full-test-set run); level 1 saves most of
  // that for a file a fifth larger (sws: 3.7 -> 4.5 MB). Only the compressed bytes change.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw RuntimeError("gzip: zlib failed to initialise");
  }
  std::vector<std::uint8_t> out(deflateBound(&stream, static_cast<uLong>(bytes.size())));
  // zlib's input pointer is not const, but deflate never writes through it.
  stream.next_in = const_cast<Bytef*>(bytes.data());
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw RuntimeError("gzip: zlib failed to compress");
  return out;
}

}  // namespace cimsim
