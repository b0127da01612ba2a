// SHA-256 of data files, so that loaders can prove they read exactly the bytes the project was
// written for (hashes in scripts/data.sha256 and docs/data.md). OpenSSL's EVP API does the work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace cimsim {

// Lower-case hex digest of a byte range.
[[nodiscard]] std::string sha256_hex(const void* data, std::size_t size);
[[nodiscard]] std::string sha256_hex(const std::vector<std::uint8_t>& bytes);

// Throws DataError "<file>: sha256 mismatch: expected <expected>, got <actual>; <remedy>".
void check_sha256(const std::filesystem::path& file, std::string_view actual,
                  std::string_view expected, std::string_view remedy);

}  // namespace cimsim
