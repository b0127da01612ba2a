#include "sim/io/sha256.h"

#include <openssl/evp.h>

#include "sim/core/errors.h"

namespace cimsim {

std::string sha256_hex(const void* data, std::size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data, size, digest, &length, EVP_sha256(), nullptr) != 1) {
    throw RuntimeError("OpenSSL could not compute a sha256 digest");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * std::size_t{length});
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

std::string sha256_hex(const std::vector<std::uint8_t>& bytes) {
  return sha256_hex(bytes.data(), bytes.size());
}

void check_sha256(const std::filesystem::path& file, std::string_view actual,
                  std::string_view expected, std::string_view remedy) {
  if (actual == expected) return;
  throw DataError(file.string() + ": sha256 mismatch: expected " + std::string(expected) +
                  ", got " + std::string(actual) + "; " + std::string(remedy));
}

}  // namespace cimsim
