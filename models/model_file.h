// Reading the files of a downloaded model folder (Keras layers models and TF.js graph models
// alike): bounded in size, checked against the folder's sha256 manifest, every failure a
// DataError that names the file and says how to get a good copy.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace cimsim {

// File name -> expected sha256 (lower-case hex) of a model folder's files.
using Sha256Manifest = std::map<std::string, std::string>;

// Bounds what a hostile manifest can make a reader allocate [bytes]; the largest real model here
// (USE-lite) has 27.9 MB of shards.
inline constexpr std::uint64_t kMaxModelFileBytes = std::uint64_t{1} << 30;

// What every model-file error ends with.
inline constexpr const char* kModelFileRemedy =
    "re-run scripts/setup.sh, which fetches the model; if the folder's files are damaged, "
    "delete the folder first";

// The whole file; `what` names it in errors ("model file", "weight shard"). With `expected`, the
// file's name must be in the manifest and its bytes must match the recorded sha256.
[[nodiscard]] std::vector<std::uint8_t> read_model_file(const std::filesystem::path& file,
                                                        const char* what,
                                                        const Sha256Manifest* expected = nullptr);

// A model.json read as read_model_file does ("model file") and parsed; DataError naming the file
// when it is not valid JSON.
[[nodiscard]] nlohmann::json read_model_json(const std::filesystem::path& file,
                                             const Sha256Manifest* expected);

}  // namespace cimsim
