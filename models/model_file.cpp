#include "models/model_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>

#include "sim/core/errors.h"
#include "sim/io/sha256.h"

namespace cimsim {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem) {
  throw DataError(file.string() + ": " + problem);
}

}  // namespace

std::vector<std::uint8_t> read_model_file(const std::filesystem::path& file, const char* what,
                                          const Sha256Manifest* expected) {
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    fail(file, std::string("cannot open the ") + what + ": " +
                   (errno != 0 ? std::strerror(errno) : "unknown error") + "; " + kModelFileRemedy);
  }
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) fail(file, "cannot get the file size: " + ec.message());
  if (size > kMaxModelFileBytes) fail(file, "larger than the 1 GiB limit for model files");
  std::vector<std::uint8_t> bytes(size);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (!in) fail(file, "read error (the file changed while being read?)");
  if (expected != nullptr) {
    const auto it = expected->find(file.filename().string());
    if (it == expected->end()) fail(file, "not among the files whose sha256 is known");
    check_sha256(file, sha256_hex(bytes), it->second, kModelFileRemedy);
  }
  return bytes;
}

nlohmann::json read_model_json(const std::filesystem::path& file, const Sha256Manifest* expected) {
  const std::vector<std::uint8_t> text = read_model_file(file, "model file", expected);
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // Not only parse_error: a number too large for a double (1e400) is an out_of_range (406).
    fail(file, std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace cimsim
