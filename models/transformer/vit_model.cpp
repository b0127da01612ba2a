#include "models/transformer/vit_model.h"

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/core/errors.h"
#include "sim/io/npy.h"

namespace cimsim {
namespace {

using nlohmann::json;

// Bounds on the architecture a model.json may ask for, so that a damaged file cannot make the
// loader allocate without limit; the exported model is far inside them.
constexpr std::int64_t kMaxImageSide = 1024;  // [pixels]
constexpr std::int64_t kMaxWidth = 8192;      // dim, ffn, classes, heads
constexpr std::int64_t kMaxBlocks = 64;

constexpr const char* kRemedy = "re-run scripts/train_vit.py, which writes the model folders";

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem) {
  throw DataError(file.string() + ": " + problem);
}

class Description {
 public:
  Description(std::filesystem::path file, json root)
      : file_(std::move(file)), root_(std::move(root)) {
    if (!root_.is_object()) fail(file_, "expected a JSON object at the top level");
  }

  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

  const json& at(const char* key) const {
    const auto it = root_.find(key);
    if (it == root_.end() || it->is_null()) fail(file_, std::string("missing key '") + key + "'");
    return *it;
  }
  int integer(const char* key, std::int64_t max) const {
    const json& value = at(key);
    if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
        value.get<std::int64_t>() > max) {
      fail(file_, std::string("'") + key + "': expected an integer in 1.." + std::to_string(max) +
                      ", found " + value.dump());
    }
    return value.get<int>();
  }
  double real(const char* key) const {
    const json& value = at(key);
    if (!value.is_number()) fail(file_, std::string("'") + key + "': expected a number");
    return value.get<double>();
  }
  std::string string(const char* key) const {
    const json& value = at(key);
    if (!value.is_string()) fail(file_, std::string("'") + key + "': expected a string");
    return value.get<std::string>();
  }

  // The float values of tensor `name`, checked against the shape the architecture needs.
  std::vector<float> tensor(const std::string& name, const std::vector<std::size_t>& shape) const {
    const json& tensors = at("tensors");
    if (!tensors.is_object()) fail(file_, "'tensors': expected an object of name -> {file}");
    const auto entry = tensors.find(name);
    if (entry == tensors.end()) fail(file_, "'tensors' has no entry '" + name + "'; " + kRemedy);
    if (!entry->is_object() || !entry->contains("file") || !(*entry)["file"].is_string()) {
      fail(file_, "'tensors." + name + "': expected {\"file\": \"<name>.npy\"}");
    }
    const std::string file_name = (*entry)["file"].get<std::string>();
    if (file_name.empty() || file_name.find('/') != std::string::npos ||
        file_name.find('\\') != std::string::npos || file_name == "." || file_name == "..") {
      fail(file_, "'tensors." + name + ".file': expected a file name in the model folder, found '" +
                      file_name + "'");
    }
    const std::filesystem::path path = file_.parent_path() / file_name;
    if (!std::filesystem::is_regular_file(path)) {
      fail(path, "missing tensor file of '" + name + "'; " + kRemedy);
    }
    const NpyArray array = read_npy(path);
    if (array.is_integer) fail(path, "tensor '" + name + "' must be float32, found " + array.dtype);
    if (array.shape != shape) {
      fail(path, "tensor '" + name + "' has shape " + shape_text(array.shape) + ", expected " +
                     shape_text(shape));
    }
    return std::vector<float>(array.floats.begin(), array.floats.end());
  }

 private:
  static std::string shape_text(const std::vector<std::size_t>& shape) {
    std::ostringstream out;
    out << '(';
    for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
    out << ')';
    return out.str();
  }

  std::filesystem::path file_;
  json root_;
};

json parse_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, std::string("cannot open the model description; ") + kRemedy);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::exception& e) {
    fail(file, std::string("not valid JSON: ") + e.what());
  }
}

// The matrix layer whose tensors are <tensor>.weight (K x N) and <tensor>.bias (N); `name` is
// the layer's name in reports and module paths (no dots: SystemC reserves them).
MatrixLayer matrix(const Description& d, const std::string& tensor, const std::string& name,
                   std::size_t k, std::size_t n) {
  MatrixLayer m;
  m.name = name;
  m.k = k;
  m.n = n;
  m.weights = d.tensor(tensor + ".weight", {k, n});
  m.bias = d.tensor(tensor + ".bias", {n});
  return m;
}

LayerNormParams layer_norm(const Description& d, const std::string& name, std::size_t dim) {
  return {d.tensor(name + ".weight", {dim}), d.tensor(name + ".bias", {dim})};
}

}  // namespace

std::vector<const MatrixLayer*> VisionTransformer::matrix_layers() const {
  std::vector<const MatrixLayer*> out{&patch_embed};
  for (const EncoderBlock& b : blocks) {
    for (const MatrixLayer* m : {&b.q, &b.k, &b.v, &b.o, &b.ffn1, &b.ffn2}) out.push_back(m);
  }
  out.push_back(&head);
  return out;
}

std::vector<MatrixLayer*> VisionTransformer::matrix_layers() {
  std::vector<MatrixLayer*> out{&patch_embed};
  for (EncoderBlock& b : blocks) {
    for (MatrixLayer* m : {&b.q, &b.k, &b.v, &b.o, &b.ffn1, &b.ffn2}) out.push_back(m);
  }
  out.push_back(&head);
  return out;
}

VisionTransformer load_vit(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / "model.json";
  const Description d(file, parse_file(file));
  if (d.string("format") != "cimsim-vit") {
    fail(file, "'format': expected \"cimsim-vit\", found \"" + d.string("format") + "\"");
  }
  if (d.integer("version", kMaxWidth) != 1) fail(file, "'version': only version 1 is known");

  VisionTransformer vit;
  const json& image = d.at("image");
  if (!image.is_array() || image.size() != 2 || !image[0].is_number_integer() ||
      !image[1].is_number_integer() || image[0].get<std::int64_t>() < 1 ||
      image[1].get<std::int64_t>() < 1 || image[0].get<std::int64_t>() > kMaxImageSide ||
      image[1].get<std::int64_t>() > kMaxImageSide) {
    fail(file, "'image': expected [height, width] in pixels, each in 1.." +
                   std::to_string(kMaxImageSide));
  }
  vit.image_h = image[0].get<int>();
  vit.image_w = image[1].get<int>();
  vit.patch = d.integer("patch", kMaxImageSide);
  if (vit.image_h % vit.patch != 0 || vit.image_w % vit.patch != 0) {
    fail(file, "'patch': " + std::to_string(vit.patch) + " does not tile the " +
                   std::to_string(vit.image_h) + " x " + std::to_string(vit.image_w) + " image");
  }
  vit.dim = d.integer("dim", kMaxWidth);
  vit.heads = d.integer("heads", kMaxWidth);
  if (vit.dim % vit.heads != 0) {
    fail(file, "'heads': " + std::to_string(vit.heads) + " heads do not divide dim " +
                   std::to_string(vit.dim));
  }
  vit.ffn = d.integer("ffn", kMaxWidth);
  vit.classes = d.integer("classes", kMaxWidth);
  const int blocks = d.integer("blocks", kMaxBlocks);
  vit.layer_norm_eps = static_cast<float>(d.real("layer_norm_eps"));
  if (!(vit.layer_norm_eps > 0.0F)) fail(file, "'layer_norm_eps': expected a positive number");
  if (d.string("pooling") != "mean") {
    fail(file, "'pooling': only \"mean\" (over the tokens) is supported, found \"" +
                   d.string("pooling") + "\"");
  }
  vit.input_mean = static_cast<float>(d.real("input_mean"));
  vit.input_std = static_cast<float>(d.real("input_std"));
  if (!(vit.input_std > 0.0F)) fail(file, "'input_std': expected a positive number");
  vit.dataset = d.string("dataset");
  vit.float_top1 = d.real("float_top1");

  const auto dim = static_cast<std::size_t>(vit.dim);
  const auto ffn = static_cast<std::size_t>(vit.ffn);
  vit.patch_embed =
      matrix(d, "patch_embed", "patch_embed", static_cast<std::size_t>(vit.patch) * vit.patch, dim);
  vit.positions = d.tensor("positions", {vit.tokens(), dim});
  for (int i = 0; i < blocks; ++i) {
    const std::string prefix = "blocks." + std::to_string(i) + ".";
    const std::string layer = "block" + std::to_string(i) + "_";
    EncoderBlock b;
    b.ln1 = layer_norm(d, prefix + "ln1", dim);
    b.q = matrix(d, prefix + "q", layer + "q", dim, dim);
    b.k = matrix(d, prefix + "k", layer + "k", dim, dim);
    b.v = matrix(d, prefix + "v", layer + "v", dim, dim);
    b.o = matrix(d, prefix + "o", layer + "o", dim, dim);
    b.ln2 = layer_norm(d, prefix + "ln2", dim);
    b.ffn1 = matrix(d, prefix + "ffn1", layer + "ffn1", dim, ffn);
    b.ffn2 = matrix(d, prefix + "ffn2", layer + "ffn2", ffn, dim);
    vit.blocks.push_back(std::move(b));
  }
  vit.final_ln = layer_norm(d, "final_ln", dim);
  vit.head = matrix(d, "head", "head", dim, static_cast<std::size_t>(vit.classes));
  return vit;
}

}  // namespace cimsim
