#include "models/keras/keras_model.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "models/tfjs/graph_weights.h"
#include "sim/core/errors.h"

namespace cimsim {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem) {
  throw DataError(file.string() + ": " + problem);
}

// Typed access to model.json: every error names the file and the JSON path it expected.
class JsonReader {
 public:
  explicit JsonReader(const std::filesystem::path& file) : file_(file) {}

  [[noreturn]] void error(const std::string& where, const std::string& problem) const {
    fail(file_, where + ": " + problem);
  }
  const json& at(const json& object, const char* key, const std::string& where) const {
    const json* value = find(object, key, where);
    if (value == nullptr) error(where, std::string("missing key '") + key + "'");
    return *value;
  }
  const json* find(const json& object, const char* key, const std::string& where) const {
    if (!object.is_object()) error(where, "expected a JSON object");
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
  }
  const json& array(const json& value, const std::string& where) const {
    if (!value.is_array()) error(where, "expected a JSON array");
    return value;
  }
  std::string string(const json& value, const std::string& where) const {
    if (!value.is_string()) error(where, "expected a string");
    return value.get<std::string>();
  }
  int positive_int(const json& value, const std::string& where) const {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
        value.get<std::int64_t>() > std::numeric_limits<int>::max()) {
      error(where, "expected a positive integer, found " + value.dump());
    }
    return value.get<int>();
  }
  std::array<int, 2> pair(const json& value, const std::string& where) const {
    if (!value.is_array() || value.size() != 2) error(where, "expected a pair [a, b]");
    return {positive_int(value[0], where + "[0]"), positive_int(value[1], where + "[1]")};
  }

 private:
  const std::filesystem::path& file_;
};

std::string path_of(const std::string& where, const char* key) { return where + "." + key; }

void check_optional_string(const JsonReader& reader, const json& config, const char* key,
                           const std::string& wanted, const std::string& where) {
  if (const json* value = reader.find(config, key, where)) {
    if (reader.string(*value, path_of(where, key)) != wanted) {
      reader.error(path_of(where, key), "only '" + wanted + "' is supported");
    }
  }
}

KerasLayer parse_layer(const JsonReader& reader, const json& entry, const std::string& where) {
  KerasLayer layer;
  layer.class_name = reader.string(reader.at(entry, "class_name", where), where + ".class_name");
  const std::string cw = where + ".config";
  const json& config = reader.at(entry, "config", where);
  layer.name = reader.string(reader.at(config, "name", cw), cw + ".name");
  if (const json* shape = reader.find(config, "batch_input_shape", cw)) {
    const json& dims = reader.array(*shape, cw + ".batch_input_shape");
    for (std::size_t i = 1; i < dims.size(); ++i) {
      layer.input_shape.push_back(reader.positive_int(dims[i], cw + ".batch_input_shape"));
    }
  }
  auto optional_pair = [&](const char* key, std::array<int, 2> fallback) {
    const json* value = reader.find(config, key, cw);
    return value == nullptr ? fallback : reader.pair(*value, path_of(cw, key));
  };
  auto text = [&](const char* key, const char* fallback) {
    const json* value = reader.find(config, key, cw);
    return value == nullptr ? std::string(fallback) : reader.string(*value, path_of(cw, key));
  };
  auto use_bias = [&]() {
    const json* value = reader.find(config, "use_bias", cw);
    if (value != nullptr && !value->is_boolean()) reader.error(cw + ".use_bias", "expected a bool");
    return value == nullptr || value->get<bool>();
  };
  if (layer.class_name == "Conv2D") {
    layer.filters = reader.positive_int(reader.at(config, "filters", cw), cw + ".filters");
    layer.kernel_size = reader.pair(reader.at(config, "kernel_size", cw), cw + ".kernel_size");
    layer.strides = optional_pair("strides", {1, 1});
    if (optional_pair("dilation_rate", {1, 1}) != std::array<int, 2>{1, 1}) {
      reader.error(cw + ".dilation_rate", "only [1, 1] is supported");
    }
    layer.padding = text("padding", "valid");
    layer.activation = text("activation", "linear");
    layer.use_bias = use_bias();
    check_optional_string(reader, config, "data_format", "channels_last", cw);
  } else if (layer.class_name == "Dense") {
    layer.units = reader.positive_int(reader.at(config, "units", cw), cw + ".units");
    layer.activation = text("activation", "linear");
    layer.use_bias = use_bias();
  } else if (layer.class_name == "MaxPooling2D") {
    layer.pool_size = optional_pair("pool_size", {2, 2});
    layer.strides = optional_pair("strides", layer.pool_size);
    layer.padding = text("padding", "valid");
    check_optional_string(reader, config, "data_format", "channels_last", cw);
  } else if (layer.class_name != "Flatten" && layer.class_name != "Dropout") {
    reader.error(where + ".class_name", "unsupported layer class '" + layer.class_name +
                                            "' (supported: Conv2D, MaxPooling2D, Flatten, "
                                            "Dense, Dropout)");
  }
  if (!layer.padding.empty() && layer.padding != "valid" && layer.padding != "same") {
    reader.error(cw + ".padding", "expected 'valid' or 'same', found '" + layer.padding + "'");
  }
  return layer;
}

std::vector<KerasLayer> parse_topology(const JsonReader& reader, const json& root) {
  const json& topology = reader.at(root, "modelTopology", "(root)");
  // Keras 2.0 exports wrap the model in model_config; later converters put it at the top.
  const json* model = reader.find(topology, "model_config", "modelTopology");
  const std::string where = model != nullptr ? "modelTopology.model_config" : "modelTopology";
  if (model == nullptr) model = &topology;
  const std::string class_name =
      reader.string(reader.at(*model, "class_name", where), where + ".class_name");
  if (class_name != "Sequential") {
    reader.error(where + ".class_name",
                 "only Sequential models are supported, found '" + class_name + "'");
  }
  // Keras up to 2.1 stores the layer list as the config, later versions as config.layers.
  const json* list = &reader.at(*model, "config", where);
  std::string list_where = where + ".config";
  if (list->is_object()) {
    list = &reader.at(*list, "layers", list_where);
    list_where += ".layers";
  }
  std::vector<KerasLayer> layers;
  for (std::size_t i = 0; i < reader.array(*list, list_where).size(); ++i) {
    KerasLayer layer = parse_layer(reader, (*list)[i], list_where + "[" + std::to_string(i) + "]");
    if (layer.class_name != "Dropout") layers.push_back(std::move(layer));
  }
  return layers;
}

// Each layer's tensors must be exactly what its config implies, so that users of the model can
// index them without further checks.
void check_tensors(const std::filesystem::path& file, const std::vector<KerasLayer>& layers) {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const KerasLayer& layer = layers[i];
    const bool weighted = layer.class_name == "Conv2D" || layer.class_name == "Dense";
    const std::size_t wanted = weighted ? (layer.use_bias ? 2 : 1) : 0;
    auto problem = [&](const std::string& what) {
      fail(file, "layer " + layer.name + " (" + layer.class_name + "): " + what);
    };
    if (layer.tensors.size() != wanted) {
      problem("has " + std::to_string(layer.tensors.size()) + " weight tensors, expected " +
              std::to_string(wanted));
    }
    if (!weighted) continue;
    const std::vector<std::size_t>& kernel = layer.tensor("kernel").shape;
    const auto out =
        static_cast<std::size_t>(layer.class_name == "Conv2D" ? layer.filters : layer.units);
    const bool kernel_ok =
        layer.class_name == "Conv2D"
            ? kernel.size() == 4 && kernel[0] == static_cast<std::size_t>(layer.kernel_size[0]) &&
                  kernel[1] == static_cast<std::size_t>(layer.kernel_size[1]) && kernel[3] == out
            : kernel.size() == 2 && kernel[1] == out;
    if (!kernel_ok) problem("the kernel's shape does not match the layer's config");
    if (layer.use_bias && layer.tensor("bias").shape != std::vector<std::size_t>{out}) {
      problem("the bias's shape is not [" + std::to_string(out) + "]");
    }
  }
}

KerasModel load(const std::filesystem::path& dir, const Sha256Manifest* expected) {
  const std::filesystem::path file = dir / "model.json";
  const json root = read_model_json(file, expected);
  const JsonReader reader(file);
  KerasModel model;
  model.layers = parse_topology(reader, root);

  for (GraphTensor& read : read_weights_manifest(file, root, expected)) {
    if (read.dtype != GraphTensor::DType::kFloat32) {
      fail(file, "weightsManifest: unsupported dtype 'int32' of " + read.name + " (only float32)");
    }
    // TF.js names a layer's weights <layer name>/<weight name>.
    const std::string owner = read.name.substr(0, read.name.rfind('/'));
    KerasLayer* layer = nullptr;
    for (KerasLayer& candidate : model.layers) {
      if (candidate.name == owner) layer = &candidate;
    }
    if (layer == nullptr) fail(file, "tensor " + read.name + " belongs to no layer");
    layer->tensors.push_back(
        KerasTensor{std::move(read.name), std::move(read.shape), std::move(read.floats)});
  }
  check_tensors(file, model.layers);
  return model;
}

}  // namespace

const KerasTensor& KerasLayer::tensor(std::string_view suffix) const {
  const std::string wanted = name + "/" + std::string(suffix);
  for (const KerasTensor& t : tensors) {
    if (t.name == wanted) return t;
  }
  throw DataError("layer " + name + " has no tensor " + wanted);
}

std::size_t KerasModel::parameter_count() const {
  std::size_t count = 0;
  for (const KerasLayer& layer : layers) {
    for (const KerasTensor& tensor : layer.tensors) count += tensor.size();
  }
  return count;
}

KerasModel load_keras_model(const std::filesystem::path& dir, const Sha256Manifest& expected) {
  return load(dir, &expected);
}

KerasModel load_keras_model_unverified(const std::filesystem::path& dir) {
  return load(dir, nullptr);
}

const Sha256Manifest& mnist_cnn_sha256() {
  static const Sha256Manifest kHashes{
      {"model.json", "29af60b6e5f0314a09133be892e4014468f24421af643897e82828ce035869cb"},
      {"group1-shard1of1", "1f5671c77859305db832da6fef0c0ba3bfaf1ea453d3f08ff13432847d67a30b"},
      {"group2-shard1of1", "fb2548e09de48014520de73f1f760eefc334ba288bdcb869dd2e44316dfa8458"},
      {"group3-shard1of2", "ea76ae78518184cf21847fe3270bc7f55cfab85d984f905977600bbdb3050182"},
      {"group3-shard2of2", "8d698e99bec5e3a45ae38e837a20882800c0cc3f48a8718b852f8d0497393364"},
      {"group4-shard1of1", "b0c6f77cdd3e8965b488af0fdaeb1764458da438a78b2b9c57e11457b3f44d55"},
  };
  return kHashes;
}

KerasModel load_mnist_cnn(const std::filesystem::path& dir) {
  return load_keras_model(dir, mnist_cnn_sha256());
}

}  // namespace cimsim
