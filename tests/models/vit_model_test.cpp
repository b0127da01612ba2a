// The ViT encoder exported by scripts/train_vit.py: the loader and its errors, the digital
// operations on hand-computed cases, and the float forward against the logits torch computed
// for the same images at export time (reference_images.npy / reference_logits.npy) and against
// torch's top-1 on the full Fashion-MNIST test set.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "models/datasets/data_dir.h"
#include "models/datasets/mnist.h"
#include "models/transformer/vit_forward.h"
#include "models/transformer/vit_model.h"
#include "sim/io/npy.h"
#include "tests/io/test_files.h"

namespace cimsim {
namespace {

using testing::expect_data_error;
using testing::TempDir;

std::filesystem::path model_dir(const std::string& variant) {
  return std::filesystem::path(CIMSIM_SOURCE_DIR) / "models" / "vit_fashion" / variant;
}

// A copy of the dense model in a temporary folder, to damage.
std::filesystem::path copy_model(const TempDir& dir) {
  const std::filesystem::path copy = dir.path() / "vit";
  std::filesystem::copy(model_dir("sparse0"), copy);
  return copy;
}

void edit_description(const std::filesystem::path& folder,
                      const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json root = nlohmann::json::parse(testing::read_bytes(folder / "model.json"));
  edit(root);
  std::ofstream(folder / "model.json") << root.dump();
}

TEST(VitModel, LoadsTheExportedArchitecture) {
  const VisionTransformer vit = load_vit(model_dir("sparse0"));
  EXPECT_EQ(vit.tokens(), 16U);
  EXPECT_EQ(vit.dim, 64);
  EXPECT_EQ(vit.heads, 4);
  EXPECT_EQ(vit.ffn, 256);
  EXPECT_EQ(vit.blocks.size(), 2U);
  EXPECT_EQ(vit.dataset, "fashion_mnist");
  const auto layers = vit.matrix_layers();
  ASSERT_EQ(layers.size(), 14U);  // patch embedding, 6 per block, head
  EXPECT_EQ(layers.front()->name, "patch_embed");
  EXPECT_EQ(layers.front()->k, 49U);
  EXPECT_EQ(layers[5]->name, "block0_ffn1");
  EXPECT_EQ(layers[5]->n, 256U);
  EXPECT_EQ(layers[6]->k, 256U);
  EXPECT_EQ(layers.back()->name, "head");
  EXPECT_EQ(layers.back()->n, 10U);
  std::size_t parameters = vit.positions.size() + 2 * vit.final_ln.gamma.size();
  for (const MatrixLayer* m : layers) parameters += m->weights.size() + m->bias.size();
  for (const EncoderBlock& b : vit.blocks) parameters += 4 * b.ln1.gamma.size();
  EXPECT_EQ(parameters, 104970U);
  EXPECT_EQ(vit_vectors_per_image(vit),
            (std::vector<std::uint64_t>{16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 1}));
}

TEST(VitModel, PrunedVariantsHoldTheirSparsity) {
  for (const auto& [variant, percent] : std::vector<std::pair<std::string, int>>{
           {"sparse50", 50}, {"sparse80", 80}, {"sparse90", 90}}) {
    const VisionTransformer vit = load_vit(model_dir(variant));
    for (const MatrixLayer* m : vit.matrix_layers()) {
      std::size_t zeros = 0;
      for (float w : m->weights) zeros += w == 0.0F ? 1 : 0;
      // round(size x percent / 100) zeros per matrix, as the export pruned them.
      EXPECT_EQ(zeros, static_cast<std::size_t>(
                           std::lround(static_cast<double>(m->weights.size()) * percent / 100.0)))
          << variant << " " << m->name;
    }
  }
}

TEST(VitModel, MissingFilesAreDataErrors) {
  TempDir dir;
  expect_data_error([&] { (void)load_vit(dir.path()); }, {"model.json", "cannot open"});
  const auto folder = copy_model(dir);
  std::filesystem::rename(folder / "blocks.1.v.weight.npy", dir.path() / "saved.npy");
  expect_data_error([&] { (void)load_vit(folder); },
                    {"blocks.1.v.weight.npy", "missing tensor file", "train_vit.py"});
  std::filesystem::rename(dir.path() / "saved.npy", folder / "blocks.1.v.weight.npy");
  (void)load_vit(folder);  // whole again
  edit_description(folder, [](nlohmann::json& root) { root["tensors"].erase("head.bias"); });
  expect_data_error([&] { (void)load_vit(folder); }, {"model.json", "no entry 'head.bias'"});
}

TEST(VitModel, WrongShapesAndTypesAreDataErrors) {
  TempDir dir;
  const auto folder = copy_model(dir);
  write_npy_float64(folder / "blocks.0.q.weight.npy", {64, 63}, std::vector<double>(64 * 63));
  expect_data_error([&] { (void)load_vit(folder); },
                    {"blocks.0.q.weight.npy", "shape (64, 63)", "expected (64, 64)"});
  write_npy_int64(folder / "blocks.0.q.weight.npy", {64, 64}, std::vector<std::int64_t>(64 * 64));
  expect_data_error([&] { (void)load_vit(folder); }, {"blocks.0.q.weight.npy", "float32"});
}

TEST(VitModel, ArchitecturesItCannotRunAreDataErrors) {
  TempDir dir;
  const auto folder = copy_model(dir);
  edit_description(folder, [](nlohmann::json& root) { root["heads"] = 3; });
  expect_data_error([&] { (void)load_vit(folder); }, {"'heads'", "do not divide dim 64"});
  edit_description(folder, [](nlohmann::json& root) {
    root["heads"] = 4;
    root["patch"] = 5;
  });
  expect_data_error([&] { (void)load_vit(folder); }, {"'patch'", "does not tile"});
  edit_description(folder, [](nlohmann::json& root) {
    root["patch"] = 7;
    root["pooling"] = "cls";
  });
  expect_data_error([&] { (void)load_vit(folder); }, {"'pooling'", "mean"});
  edit_description(folder, [](nlohmann::json& root) {
    root["pooling"] = "mean";
    root["format"] = "keras";
  });
  expect_data_error([&] { (void)load_vit(folder); }, {"'format'", "cimsim-vit"});
  std::ofstream(folder / "model.json") << "{\"format\": ";
  expect_data_error([&] { (void)load_vit(folder); }, {"model.json", "not valid JSON"});
}

TEST(VitOps, LayerNormGeluAndAttentionByHand) {
  std::vector<float> row{1.0F, 2.0F, 3.0F, 4.0F};
  layer_norm_rows(row, {{1.0F, 1.0F, 2.0F, 1.0F}, {0.0F, 0.0F, 0.0F, 0.5F}}, 1e-5F);
  const double inv = 1.0 / std::sqrt(1.25 + 1e-5);  // mean 2.5, biased variance 1.25
  EXPECT_NEAR(row[0], -1.5 * inv, 1e-6);
  EXPECT_NEAR(row[2], 2.0 * 0.5 * inv, 1e-6);
  EXPECT_NEAR(row[3], 1.5 * inv + 0.5, 1e-6);

  std::vector<float> values{0.0F, 1.0F, -1.0F, 3.0F};
  gelu(values);
  EXPECT_EQ(values[0], 0.0F);
  EXPECT_NEAR(values[1], 0.8413447, 1e-6);  // Phi(1)
  EXPECT_NEAR(values[2], -0.1586553, 1e-6);
  EXPECT_NEAR(values[3], 2.9959502, 1e-6);

  // One sequence of 2 tokens, 2 heads of width 1. Head 0: equal keys, so uniform weights and the
  // mean of V. Head 1: q = 1, keys 0 and ln 3 give weights 1/4 and 3/4.
  const std::vector<float> q{0.0F, 1.0F, 5.0F, 1.0F};
  const std::vector<float> k{2.0F, 0.0F, 2.0F, static_cast<float>(std::log(3.0))};
  const std::vector<float> v{1.0F, 4.0F, 3.0F, 8.0F};
  const std::vector<float> out = self_attention(q, k, v, 1, 2, 2, 2);
  EXPECT_NEAR(out[0], 2.0, 1e-6);
  EXPECT_NEAR(out[2], 2.0, 1e-6);
  EXPECT_NEAR(out[1], 0.25 * 4.0 + 0.75 * 8.0, 1e-5);
  EXPECT_NEAR(out[3], 0.25 * 4.0 + 0.75 * 8.0, 1e-5);
}

// torch's logits for the first test images, written by the export; float32 sums in another
// order differ in the last bits only.
TEST(VitForward, FloatLogitsMatchTorch) {
  for (const std::string variant : {"sparse0", "sparse90"}) {
    const VisionTransformer vit = load_vit(model_dir(variant));
    const NpyArray images = read_npy(model_dir(variant) / "reference_images.npy");
    const NpyArray expected = read_npy(model_dir(variant) / "reference_logits.npy");
    ASSERT_EQ(images.shape.size(), 3U);
    const std::size_t count = images.shape[0];
    ASSERT_EQ(expected.shape, (std::vector<std::size_t>{count, 10}));
    const std::vector<float> logits = vit_forward_float(
        vit, std::vector<float>(images.floats.begin(), images.floats.end()), count);
    ASSERT_EQ(logits.size(), expected.floats.size());
    for (std::size_t i = 0; i < logits.size(); ++i) {
      EXPECT_NEAR(logits[i], expected.floats[i], 1e-4 * (1.0 + std::abs(expected.floats[i])))
          << variant << " logit " << i;
    }
  }
}

// cimsim's float forward scores exactly what torch scored at export (model.json), on all 10 000
// test images, for every variant.
TEST(VitForward, Top1EqualsTorchsOnTheFullTestSet) {
  const ImageSet test = load_fashion_mnist(fashion_mnist_dir(), Split::kTest);
  ASSERT_EQ(test.count(), 10000U);
  std::vector<float> images(test.pixels.size());
  for (std::size_t i = 0; i < images.size(); ++i) images[i] = test.pixels[i] / 255.0F;
  for (const std::string variant : {"sparse0", "sparse50", "sparse80", "sparse90"}) {
    const VisionTransformer vit = load_vit(model_dir(variant));
    const std::vector<float> logits = vit_forward_float(vit, images, test.count());
    std::size_t correct = 0;
    for (std::size_t i = 0; i < test.count(); ++i) {
      correct += argmax(&logits[i * 10], 10) == test.labels[i] ? 1 : 0;
    }
    EXPECT_EQ(static_cast<double>(correct) / 10000.0, vit.float_top1) << variant;
  }
}

}  // namespace
}  // namespace cimsim
