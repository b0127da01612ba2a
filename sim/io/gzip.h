// gzip decompression through zlib, for data files that ship compressed: Debian's Fashion-MNIST
// IDX files and the gzip-compressed weight shards of the project's fine-tuned pruned CNNs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cimsim {

// True when `bytes` start with the gzip magic 1f 8b.
[[nodiscard]] bool has_gzip_magic(const std::vector<std::uint8_t>& bytes);

// The decompressed content of the gzip stream `compressed` read from `file` (named in errors);
// several members one after another are concatenated, as gzip allows. DataError when the stream
// is not gzip, corrupt or truncated, or decompresses to more than `max_bytes`; the message then
// names `limit_name` ("IDX files", "model files").
[[nodiscard]] std::vector<std::uint8_t> gunzip(const std::filesystem::path& file,
                                               const std::vector<std::uint8_t>& compressed,
                                               std::uint64_t max_bytes,
                                               const std::string& limit_name);

}  // namespace cimsim
