#include "models/datasets/idx.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <system_error>

#include "sim/core/errors.h"
#include "sim/io/gzip.h"

namespace cimsim {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;
constexpr std::uint32_t kLabelsMagic = 0x00000801;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem) {
  throw DataError(file.string() + ": " + problem);
}

std::vector<std::uint8_t> read_raw(const std::filesystem::path& file) {
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, std::string("cannot open: ") + (errno ? std::strerror(errno) : "unknown"));
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) fail(file, "cannot get the file size: " + ec.message());
  if (size > kIdxMaxBytes) {
    fail(file, std::to_string(size) + " bytes is larger than the " + std::to_string(kIdxMaxBytes) +
                   "-byte limit for IDX files");
  }
  std::vector<std::uint8_t> bytes(size);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (!in) fail(file, "read error (the file changed while being read?)");
  return bytes;
}

}  // namespace

std::vector<std::uint8_t> read_maybe_gzipped(const std::filesystem::path& file) {
  std::vector<std::uint8_t> bytes = read_raw(file);
  if (has_gzip_magic(bytes)) return gunzip(file, bytes, kIdxMaxBytes, "IDX files");
  return bytes;
}

IdxArray parse_idx(const std::filesystem::path& file, const std::vector<std::uint8_t>& content) {
  auto be32 = [&](std::size_t offset) {
    return std::uint32_t{content[offset]} << 24 | std::uint32_t{content[offset + 1]} << 16 |
           std::uint32_t{content[offset + 2]} << 8 | std::uint32_t{content[offset + 3]};
  };
  if (content.size() < 4) {
    fail(file, "too short for an IDX file (" + std::to_string(content.size()) + " bytes)");
  }
  const std::uint32_t magic = be32(0);
  if (magic != kImagesMagic && magic != kLabelsMagic) {
    char text[11];
    std::snprintf(text, sizeof text, "0x%08x", magic);
    fail(file, std::string("bad IDX magic ") + text +
                   " (expected 0x00000803 for images or 0x00000801 for labels)");
  }
  const std::size_t rank = magic & 0xffU;
  const std::size_t header = 4 + 4 * rank;
  if (content.size() < header) {
    fail(file, "truncated IDX header: " + std::to_string(rank) + " dimensions need " +
                   std::to_string(header) + " bytes, the file has " +
                   std::to_string(content.size()));
  }
  IdxArray array;
  std::uint64_t count = 1;
  std::string dims_text;
  for (std::size_t d = 0; d < rank; ++d) {
    array.dims.push_back(be32(4 + 4 * d));
    // Each factor is below 2^32 and the running product is capped just above kIdxMaxBytes,
    // so this cannot overflow.
    count = std::min<std::uint64_t>(count * array.dims.back(), kIdxMaxBytes + 1);
    dims_text += (d > 0 ? "x" : "") + std::to_string(array.dims.back());
  }
  if (count > kIdxMaxBytes) {
    fail(file, "dimensions " + dims_text + " describe more than the " +
                   std::to_string(kIdxMaxBytes) + "-byte limit for IDX files");
  }
  if (content.size() - header != count) {
    fail(file, std::string(content.size() - header < count ? "truncated IDX data"
                                                           : "trailing bytes after the IDX data") +
                   ": dimensions " + dims_text + " need " + std::to_string(count) +
                   " data bytes, the file has " + std::to_string(content.size() - header));
  }
  array.data.assign(content.begin() + static_cast<std::ptrdiff_t>(header), content.end());
  return array;
}

IdxArray read_idx(const std::filesystem::path& file) {
  return parse_idx(file, read_maybe_gzipped(file));
}

}  // namespace cimsim
