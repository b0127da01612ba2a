// An ONNX model as cimsim reads it: the graph's nodes in file order (ONNX requires topological
// order; the reader checks it), their attributes, the initializers as float or int64 tensors, and
// the one graph input and output. Read with Debian's ONNX library (libonnx-dev, C++ protobuf);
// no protobuf type leaves models/onnx/onnx_reader.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cimsim {

// A dense tensor of float32 or int64 values (ONNX's other element types are refused, except
// int32, bool and double initializers, which are widened or narrowed on reading).
struct OnnxTensor {
  std::vector<std::int64_t> shape;
  bool integer = false;  // values in `ints`, else in `floats`
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  [[nodiscard]] std::size_t size() const { return integer ? ints.size() : floats.size(); }
};

struct OnnxAttribute {
  enum class Kind { kInt, kFloat, kString, kInts, kFloats, kTensor, kOther };
  Kind kind = Kind::kOther;
  std::int64_t i = 0;
  float f = 0.0F;
  std::string s;
  std::vector<std::int64_t> ints;
  std::vector<float> floats;
  OnnxTensor t;
};

struct OnnxNode {
  std::string name;  // the node's name, or "<op_type>#<index>" when the file gives none
  std::string op;
  std::vector<std::string> inputs;  // "" for an omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, OnnxAttribute> attributes;
  [[nodiscard]] bool has(const std::string& key) const { return attributes.count(key) != 0; }
  [[nodiscard]] std::int64_t get_int(const std::string& key, std::int64_t def) const;
  [[nodiscard]] float get_float(const std::string& key, float def) const;
  [[nodiscard]] std::vector<std::int64_t> get_ints(const std::string& key,
                                                   const std::vector<std::int64_t>& def) const;
  [[nodiscard]] std::string get_string(const std::string& key, const std::string& def) const;
};

struct OnnxGraph {
  std::string producer;
  std::int64_t opset = 0;  // of the default domain
  std::string input;       // the graph input that is not an initializer
  std::vector<std::optional<std::int64_t>> input_shape;  // unknown (symbolic) dims empty
  std::string output;                                    // the first graph output
  std::vector<OnnxNode> nodes;
  std::map<std::string, OnnxTensor> initializers;  // also every Constant node's value
};

// Bounds what a hostile file can make the reader allocate: elements of one tensor (2^28 floats
// = 1 GiB) and the file itself (models/model_file.h: 1 GiB).
inline constexpr std::uint64_t kMaxOnnxTensorElements = std::uint64_t{1} << 28;

// Reads and checks a .onnx file: DataError (exit 1) for a file that is not a well-formed ONNX
// model; ConfigError (exit 2) for a model that uses what cimsim does not support (an operator, an
// attribute, an element type, a domain, several inputs), naming the node and what is supported.
[[nodiscard]] OnnxGraph read_onnx_model(const std::filesystem::path& file);
// The same on bytes already in memory (`origin` names them in errors; the fuzz harness).
[[nodiscard]] OnnxGraph parse_onnx_model(const std::uint8_t* data, std::size_t size,
                                         const std::string& origin);

// The operators the interpreter runs, in the order the error messages list them.
[[nodiscard]] const std::vector<std::string>& supported_onnx_operators();

}  // namespace cimsim
