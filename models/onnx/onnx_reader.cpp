#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include "models/model_file.h"
#include "models/onnx/onnx_graph.h"
#include "sim/core/errors.h"

namespace cimsim {
namespace {

// Operator -> the attributes the interpreter (models/onnx/onnx_network.cpp) honours. Anything
// else in a node is refused rather than ignored.
const std::map<std::string, std::set<std::string>>& operator_table() {
  static const std::map<std::string, std::set<std::string>> kTable = {
      {"Conv", {"pads", "strides", "dilations", "group", "kernel_shape", "auto_pad"}},
      {"Gemm", {"alpha", "beta", "transA", "transB"}},
      {"MatMul", {}},
      {"Add", {}},
      {"Sub", {}},
      {"Mul", {}},
      {"Div", {}},
      {"Pow", {}},
      {"Relu", {}},
      {"Clip", {"min", "max"}},
      {"Sigmoid", {}},
      {"Tanh", {}},
      {"Erf", {}},
      {"Sqrt", {}},
      {"Exp", {}},
      {"Neg", {}},
      {"Softmax", {"axis"}},
      {"LayerNormalization", {"axis", "epsilon", "stash_type"}},
      {"BatchNormalization", {"epsilon", "momentum", "training_mode", "spatial"}},
      {"MaxPool",
       {"kernel_shape", "strides", "pads", "ceil_mode", "dilations", "auto_pad", "storage_order"}},
      {"AveragePool",
       {"kernel_shape", "strides", "pads", "ceil_mode", "count_include_pad", "auto_pad"}},
      {"GlobalAveragePool", {}},
      {"Flatten", {"axis"}},
      {"Reshape", {"allowzero"}},
      {"Transpose", {"perm"}},
      {"Concat", {"axis"}},
      {"Gather", {"axis"}},
      {"Slice", {}},
      {"Squeeze", {"axes"}},
      {"Unsqueeze", {"axes"}},
      {"Shape", {"start", "end"}},
      {"Constant", {"value", "value_float", "value_floats", "value_int", "value_ints"}},
      {"ReduceMean", {"axes", "keepdims"}},
      {"Identity", {}},
      {"Dropout", {"ratio", "seed"}},
      {"Cast", {"to"}},
  };
  return kTable;
}

[[noreturn]] void data_error(const std::string& origin, const std::string& problem) {
  throw DataError(origin + ": " + problem);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string join(const std::set<std::string>& items) {
  return items.empty() ? "none" : join(std::vector<std::string>(items.begin(), items.end()));
}

std::uint64_t checked_elements(const google::protobuf::RepeatedField<std::int64_t>& dims,
                               const std::string& origin, const std::string& what) {
  std::uint64_t elements = 1;
  for (const std::int64_t d : dims) {
    if (d < 0) data_error(origin, what + " has a negative dimension");
    if (d != 0 && elements > kMaxOnnxTensorElements / static_cast<std::uint64_t>(d)) {
      data_error(origin, what + " has more than 2^28 elements (the limit for one tensor)");
    }
    elements *= static_cast<std::uint64_t>(d);
  }
  if (elements > kMaxOnnxTensorElements) {
    data_error(origin, what + " has more than 2^28 elements (the limit for one tensor)");
  }
  return elements;
}

template <typename T>
std::vector<T> raw_values(const std::string& raw, std::uint64_t elements, const std::string& origin,
                          const std::string& what) {
  if (raw.size() != elements * sizeof(T)) {
    data_error(origin, what + ": raw data of " + std::to_string(raw.size()) + " bytes, expected " +
                           std::to_string(elements * sizeof(T)));
  }
  std::vector<T> out(elements);
  if (elements != 0) std::memcpy(out.data(), raw.data(), raw.size());  // ONNX is little-endian
  return out;
}

template <typename Field>
void check_count(const Field& field, std::uint64_t elements, const std::string& origin,
                 const std::string& what) {
  if (static_cast<std::uint64_t>(field.size()) != elements) {
    data_error(origin, what + ": " + std::to_string(field.size()) + " values, expected " +
                           std::to_string(elements));
  }
}

OnnxTensor convert_tensor(const onnx::TensorProto& t, const std::string& origin,
                          const std::string& what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    throw ConfigError(origin + ": " + what +
                      " keeps its data in an external file, which cimsim does not read; export "
                      "the model as one file");
  }
  OnnxTensor out;
  const std::uint64_t elements = checked_elements(t.dims(), origin, what);
  out.shape.assign(t.dims().begin(), t.dims().end());
  const bool raw = t.has_raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (raw) {
        out.floats = raw_values<float>(t.raw_data(), elements, origin, what);
      } else {
        check_count(t.float_data(), elements, origin, what);
        out.floats.assign(t.float_data().begin(), t.float_data().end());
      }
      break;
    case onnx::TensorProto::DOUBLE: {
      std::vector<double> values;
      if (raw) {
        values = raw_values<double>(t.raw_data(), elements, origin, what);
      } else {
        check_count(t.double_data(), elements, origin, what);
        values.assign(t.double_data().begin(), t.double_data().end());
      }
      out.floats.assign(values.begin(), values.end());
      break;
    }
    case onnx::TensorProto::INT64:
      out.integer = true;
      if (raw) {
        out.ints = raw_values<std::int64_t>(t.raw_data(), elements, origin, what);
      } else {
        check_count(t.int64_data(), elements, origin, what);
        out.ints.assign(t.int64_data().begin(), t.int64_data().end());
      }
      break;
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::BOOL: {
      out.integer = true;
      if (raw && t.data_type() == onnx::TensorProto::INT32) {
        const auto values = raw_values<std::int32_t>(t.raw_data(), elements, origin, what);
        out.ints.assign(values.begin(), values.end());
      } else if (raw) {
        const auto values = raw_values<std::uint8_t>(t.raw_data(), elements, origin, what);
        out.ints.assign(values.begin(), values.end());
      } else {
        check_count(t.int32_data(), elements, origin, what);
        out.ints.assign(t.int32_data().begin(), t.int32_data().end());
      }
      break;
    }
    default:
      throw ConfigError(origin + ": " + what + " has element type " +
                        std::to_string(t.data_type()) +
                        " (TensorProto.DataType); supported: FLOAT, DOUBLE, INT64, INT32, BOOL");
  }
  return out;
}

OnnxAttribute convert_attribute(const onnx::AttributeProto& a, const std::string& origin,
                                const std::string& what) {
  OnnxAttribute out;
  switch (a.type()) {
    case onnx::AttributeProto::INT:
      out.kind = OnnxAttribute::Kind::kInt;
      out.i = a.i();
      break;
    case onnx::AttributeProto::FLOAT:
      out.kind = OnnxAttribute::Kind::kFloat;
      out.f = a.f();
      break;
    case onnx::AttributeProto::STRING:
      out.kind = OnnxAttribute::Kind::kString;
      out.s = a.s();
      break;
    case onnx::AttributeProto::INTS:
      out.kind = OnnxAttribute::Kind::kInts;
      out.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case onnx::AttributeProto::FLOATS:
      out.kind = OnnxAttribute::Kind::kFloats;
      out.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case onnx::AttributeProto::TENSOR:
      out.kind = OnnxAttribute::Kind::kTensor;
      out.t = convert_tensor(a.t(), origin, what);
      break;
    default:
      throw ConfigError(origin + ": " + what + " has an attribute type cimsim does not support");
  }
  return out;
}

}  // namespace

std::int64_t OnnxNode::get_int(const std::string& key, std::int64_t def) const {
  const auto it = attributes.find(key);
  return it == attributes.end() ? def : it->second.i;
}
float OnnxNode::get_float(const std::string& key, float def) const {
  const auto it = attributes.find(key);
  return it == attributes.end() ? def : it->second.f;
}
std::vector<std::int64_t> OnnxNode::get_ints(const std::string& key,
                                             const std::vector<std::int64_t>& def) const {
  const auto it = attributes.find(key);
  return it == attributes.end() ? def : it->second.ints;
}
std::string OnnxNode::get_string(const std::string& key, const std::string& def) const {
  const auto it = attributes.find(key);
  return it == attributes.end() ? def : it->second.s;
}

const std::vector<std::string>& supported_onnx_operators() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> out;
    for (const auto& [op, attributes] : operator_table()) out.push_back(op);
    return out;
  }();
  return kNames;
}

OnnxGraph parse_onnx_model(const std::uint8_t* data, std::size_t size, const std::string& origin) {
  if (size > kMaxModelFileBytes) data_error(origin, "larger than the 1 GiB limit for model files");
  onnx::ModelProto model;
  if (size > static_cast<std::size_t>(INT32_MAX) ||
      !model.ParseFromArray(data, static_cast<int>(size))) {
    data_error(origin, "not a valid ONNX model (protobuf parse failed: truncated or not ONNX?)");
  }
  if (!model.has_graph()) data_error(origin, "the ONNX model has no graph");
  OnnxGraph g;
  g.producer = model.producer_name();
  for (const auto& opset : model.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") g.opset = opset.version();
  }
  if (g.opset == 0) data_error(origin, "the model imports no opset of the default ONNX domain");
  const onnx::GraphProto& graph = model.graph();
  std::set<std::string> defined;
  for (const auto& init : graph.initializer()) {
    const std::string what = "initializer '" + init.name() + "'";
    g.initializers[init.name()] = convert_tensor(init, origin, what);
    defined.insert(init.name());
  }
  for (const auto& input : graph.input()) {
    if (defined.count(input.name()) != 0) continue;  // an initializer listed as input (IR < 4)
    if (!g.input.empty()) {
      throw ConfigError(origin + ": the graph has several inputs ('" + g.input + "', '" +
                        input.name() + "'); cimsim feeds one image tensor");
    }
    g.input = input.name();
    if (!input.type().has_tensor_type() ||
        input.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT) {
      throw ConfigError(origin + ": graph input '" + input.name() +
                        "' is not a float32 tensor (the only input type cimsim feeds)");
    }
    for (const auto& dim : input.type().tensor_type().shape().dim()) {
      if (dim.has_dim_value() && dim.dim_value() > 0) {
        g.input_shape.emplace_back(dim.dim_value());
      } else {
        g.input_shape.emplace_back(std::nullopt);
      }
    }
  }
  if (g.input.empty()) data_error(origin, "the graph has no input besides its initializers");
  defined.insert(g.input);
  if (graph.output_size() == 0) data_error(origin, "the graph has no output");
  g.output = graph.output(0).name();

  const auto& table = operator_table();
  for (int index = 0; index < graph.node_size(); ++index) {
    const onnx::NodeProto& n = graph.node(index);
    OnnxNode node;
    node.op = n.op_type();
    node.name = n.name().empty() ? n.op_type() + "#" + std::to_string(index) : n.name();
    const std::string what = "node '" + node.name + "' (" + node.op + ")";
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      throw ConfigError(
          fmt::format("{}: {} is in domain '{}'; cimsim runs the default ONNX domain only", origin,
                      what, n.domain()));
    }
    const auto op = table.find(node.op);
    if (op == table.end()) {
      throw ConfigError(fmt::format("{}: {}: operator not supported; supported operators: {}",
                                    origin, what, join(supported_onnx_operators())));
    }
    for (const auto& a : n.attribute()) {
      if (op->second.count(a.name()) == 0) {
        throw ConfigError(
            fmt::format("{}: {}: attribute '{}' not supported; supported attributes of {}: {}",
                        origin, what, a.name(), node.op, join(op->second)));
      }
      node.attributes[a.name()] =
          convert_attribute(a, origin, what + " attribute '" + a.name() + "'");
    }
    for (const auto& in : n.input()) {
      if (!in.empty() && defined.count(in) == 0) {
        data_error(origin, fmt::format("{} reads '{}' before any node writes it (nodes must be in "
                                       "topological order)",
                                       what, in));
      }
      node.inputs.push_back(in);
    }
    for (const auto& out : n.output()) {
      node.outputs.push_back(out);
      if (!out.empty()) defined.insert(out);
    }
    if (node.outputs.empty() || node.outputs[0].empty())
      data_error(origin, what + " has no output");
    if (node.op == "Constant") {
      OnnxTensor value;
      if (node.has("value")) {
        value = node.attributes["value"].t;
      } else if (node.has("value_float")) {
        value.floats = {node.get_float("value_float", 0.0F)};
      } else if (node.has("value_floats")) {
        value.floats = node.attributes["value_floats"].floats;
        value.shape = {static_cast<std::int64_t>(value.floats.size())};
      } else if (node.has("value_int")) {
        value.integer = true;
        value.ints = {node.get_int("value_int", 0)};
      } else if (node.has("value_ints")) {
        value.integer = true;
        value.ints = node.get_ints("value_ints", {});
        value.shape = {static_cast<std::int64_t>(value.ints.size())};
      } else {
        throw ConfigError(fmt::format("{}: {} has no value attribute cimsim reads", origin, what));
      }
      g.initializers[node.outputs[0]] = std::move(value);
      continue;  // a constant is an initializer from here on
    }
    if ((node.op == "Identity" || node.op == "Dropout") && node.outputs.size() == 1 &&
        !node.inputs.empty() && g.initializers.count(node.inputs[0]) != 0) {
      // An alias of an initializer (exporters write these for shared parameters) is one, so
      // that folds that need initializers (BatchNormalization into a convolution) see it.
      OnnxTensor value = g.initializers.at(node.inputs[0]);
      g.initializers[node.outputs[0]] = std::move(value);
      continue;
    }
    g.nodes.push_back(std::move(node));
  }
  if (defined.count(g.output) == 0)
    data_error(origin, "no node writes the graph output '" + g.output + "'");
  return g;
}

OnnxGraph read_onnx_model(const std::filesystem::path& file) {
  const std::vector<std::uint8_t> bytes = read_model_file(file, "ONNX model");
  return parse_onnx_model(bytes.data(), bytes.size(), file.string());
}

}  // namespace cimsim
