// gzip through zlib, for data files that ship compressed (Debian's Fashion-MNIST IDX files, the
// gzip-compressed weight shards of the project's fine-tuned pruned CNNs) and for weight traces,
// which are written compressed (docs/trace-format.md).
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

// `bytes` as one gzip member (zlib, default level, no file name or time stamp in the header,
// so the same bytes always give the same stream with one zlib). RuntimeError when zlib fails.
[[nodiscard]] std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& bytes);

}  // namespace cimsim
