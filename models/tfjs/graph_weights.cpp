#include "models/tfjs/graph_weights.h"

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "sim/core/errors.h"
#include "sim/io/gzip.h"
#include "sim/io/sha256.h"

namespace cimsim {
namespace {

using nlohmann::json;

// Tensors beyond this many elements are refused before allocating (USE-lite has 6 975 914, the
// MNIST CNN 1.2 M).
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 28;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem) {
  throw DataError(file.string() + ": " + problem);
}

const json& member(const std::filesystem::path& file, const json& object, const char* key,
                   const std::string& where) {
  if (!object.is_object()) fail(file, where + ": expected a JSON object");
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) fail(file, where + ": missing key '" + key + "'");
  return *it;
}

const json& array_member(const std::filesystem::path& file, const json& object, const char* key,
                         const std::string& where) {
  const json& value = member(file, object, key, where);
  if (!value.is_array()) fail(file, where + "." + key + ": expected a JSON array");
  return value;
}

std::string string_member(const std::filesystem::path& file, const json& object, const char* key,
                          const std::string& where) {
  const json& value = member(file, object, key, where);
  if (!value.is_string()) fail(file, where + "." + key + ": expected a string");
  return value.get<std::string>();
}

// One manifest entry: name, dtype and shape (the data comes later, from the shards).
GraphTensor parse_entry(const std::filesystem::path& file, const json& entry,
                        const std::string& where, std::uint64_t& count) {
  GraphTensor tensor;
  tensor.name = string_member(file, entry, "name", where);
  const std::string dtype = string_member(file, entry, "dtype", where);
  if (dtype == "float32") {
    tensor.dtype = GraphTensor::DType::kFloat32;
  } else if (dtype == "int32") {
    tensor.dtype = GraphTensor::DType::kInt32;
  } else {
    fail(file, where + ".dtype: unsupported dtype '" + dtype + "' of " + tensor.name +
                   " (expected float32 or int32)");
  }
  if (entry.contains("quantization")) {
    fail(file, where + ".quantization: quantized tensors are not supported (" + tensor.name + ")");
  }
  count = 1;
  for (const json& dim : array_member(file, entry, "shape", where)) {
    if (!dim.is_number_integer() || dim.get<std::int64_t>() < 0) {
      fail(file, where + ".shape: expected non-negative integer dimensions");
    }
    tensor.shape.push_back(dim.get<std::size_t>());
    if (tensor.shape.back() != 0 && count > kMaxElements / tensor.shape.back()) {
      fail(file, where + ".shape: more than 2^28 elements");
    }
    count *= tensor.shape.back();
  }
  return tensor;
}

std::uint32_t little_endian_word(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

// The tensors of one manifest group, read from its shards concatenated in order.
void read_group(const std::filesystem::path& file, const std::filesystem::path& dir,
                const json& group, const std::string& where, const Sha256Manifest* expected,
                std::vector<GraphTensor>& out) {
  const std::size_t first = out.size();
  std::vector<std::uint64_t> counts;
  std::uint64_t elements = 0;
  const json& weights = array_member(file, group, "weights", where);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    std::uint64_t count = 0;
    out.push_back(
        parse_entry(file, weights[i], where + ".weights[" + std::to_string(i) + "]", count));
    counts.push_back(count);
    elements += count;
    if (elements > kMaxElements) fail(file, where + ": the group holds more than 2^28 elements");
  }
  std::vector<std::uint8_t> bytes;
  const json& paths = array_member(file, group, "paths", where);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string pw = where + ".paths[" + std::to_string(i) + "]";
    if (!paths[i].is_string()) fail(file, pw + ": expected a string");
    const std::string name = paths[i].get<std::string>();
    // Shards sit beside model.json; a path elsewhere would let the manifest read anything.
    if (name.empty() || name.find('/') != std::string::npos ||
        name.find('\\') != std::string::npos || name[0] == '.') {
      fail(file, fmt::format("{}: shard path '{}' is not a plain file name", pw, name));
    }
    std::vector<std::uint8_t> shard = read_model_file(dir / name, "weight shard", expected);
    // The name decides, not the content: a raw float32 shard may well begin with 1f 8b.
    if (name.size() >= 3 && name.compare(name.size() - 3, 3, ".gz") == 0) {
      if (!has_gzip_magic(shard)) {
        fail(dir / name,
             "the shard's name ends in .gz but it is not gzip-compressed (no 1f 8b magic)");
      }
      shard = gunzip(dir / name, shard, kMaxModelFileBytes, "model files");
    }
    bytes.insert(bytes.end(), shard.begin(), shard.end());
  }
  // float32 and int32 are both 4 bytes per element.
  if (bytes.size() != 4 * elements) {
    fail(file, where + ": the shards hold " + std::to_string(bytes.size()) +
                   " bytes but the group's tensors need " + std::to_string(4 * elements) +
                   " (a truncated or extra shard?); " + kModelFileRemedy);
  }
  std::size_t offset = 0;
  for (std::size_t t = 0; t < counts.size(); ++t) {
    GraphTensor& tensor = out[first + t];
    if (tensor.dtype == GraphTensor::DType::kFloat32) {
      tensor.floats.resize(counts[t]);
      for (float& value : tensor.floats) {
        const std::uint32_t word = little_endian_word(&bytes[offset]);
        std::memcpy(&value, &word, sizeof value);
        offset += 4;
      }
    } else {
      tensor.ints.resize(counts[t]);
      for (std::int32_t& value : tensor.ints) {
        const std::uint32_t word = little_endian_word(&bytes[offset]);
        std::memcpy(&value, &word, sizeof value);
        offset += 4;
      }
    }
  }
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
  }
  return text + "]";
}

}  // namespace

std::size_t GraphTensor::size() const {
  return dtype == DType::kFloat32 ? floats.size() : ints.size();
}

const GraphTensor& GraphWeights::get(std::string_view name) const {
  for (const GraphTensor& tensor : tensors) {
    if (tensor.name == name) return tensor;
  }
  fail(model_file, "the weights manifest has no tensor '" + std::string(name) + "'");
}

const GraphTensor& GraphWeights::get(std::string_view name, GraphTensor::DType dtype,
                                     const std::vector<std::size_t>& shape) const {
  const GraphTensor& tensor = get(name);
  if (tensor.dtype != dtype) {
    fail(model_file, "tensor '" + std::string(name) + "' is " +
                         (tensor.dtype == GraphTensor::DType::kFloat32 ? "float32" : "int32") +
                         ", expected " +
                         (dtype == GraphTensor::DType::kFloat32 ? "float32" : "int32"));
  }
  if (tensor.shape != shape) {
    fail(model_file, "tensor '" + std::string(name) + "' has shape " + shape_text(tensor.shape) +
                         ", expected " + shape_text(shape));
  }
  return tensor;
}

std::size_t GraphWeights::element_count() const {
  std::size_t count = 0;
  for (const GraphTensor& tensor : tensors) count += tensor.size();
  return count;
}

std::vector<GraphTensor> read_weights_manifest(const std::filesystem::path& file, const json& root,
                                               const Sha256Manifest* expected) {
  std::vector<GraphTensor> tensors;
  const json& groups = array_member(file, root, "weightsManifest", "(root)");
  for (std::size_t g = 0; g < groups.size(); ++g) {
    read_group(file, file.parent_path(), groups[g], "weightsManifest[" + std::to_string(g) + "]",
               expected, tensors);
  }
  return tensors;
}

GraphWeights load_graph_weights(const std::filesystem::path& dir, const Sha256Manifest* expected) {
  GraphWeights weights;
  weights.model_file = dir / "model.json";
  const std::filesystem::path& file = weights.model_file;
  const json root = read_model_json(file, expected);
  const json& topology = member(file, root, "modelTopology", "(root)");
  weights.node_count = array_member(file, topology, "node", "modelTopology").size();
  weights.tensors = read_weights_manifest(file, root, expected);
  return weights;
}

}  // namespace cimsim
