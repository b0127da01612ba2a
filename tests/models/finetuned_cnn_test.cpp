// The fine-tuned pruned MNIST CNNs committed under models/mnist_cnn/ (written by
// scripts/prune_finetune_cnn.py with torch, which the tests do not need): each folder must be
// exactly what its finetune.json says, pruned by cimsim's own rule, and cimsim's float path must
// score what torch scored.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/datasets/data_dir.h"
#include "models/datasets/mnist.h"
#include "models/keras/keras_model.h"
#include "models/network/forward.h"
#include "models/network/keras_network.h"
#include "sim/io/sha256.h"
#include "sim/mapping/prune.h"
#include "tests/io/test_files.h"

namespace cimsim {
namespace {

std::filesystem::path model_dir(int percent) {
  return std::filesystem::path(CIMSIM_SOURCE_DIR) / "models" / "mnist_cnn" /
         ("pruned" + std::to_string(percent));
}

nlohmann::json finetune_record(int percent) {
  std::ifstream in(model_dir(percent) / "finetune.json");
  return nlohmann::json::parse(in);
}

class FinetunedCnn : public ::testing::TestWithParam<int> {};

TEST_P(FinetunedCnn, FilesAreTheRecordedOnes) {
  const nlohmann::json record = finetune_record(GetParam());
  ASSERT_EQ(record["files"].size(), 4U);
  for (const auto& [name, file] : record["files"].items()) {
    const std::string bytes = testing::read_bytes(model_dir(GetParam()) / name);
    EXPECT_EQ(bytes.size(), file["bytes"].get<std::size_t>()) << name;
    EXPECT_EQ(sha256_hex(bytes.data(), bytes.size()), file["sha256"].get<std::string>()) << name;
  }
}

// Every kernel holds exactly floor(sparsity x size) zeros, the smallest magnitudes in cimsim's
// sense: pruning the loaded model again at the same sparsity changes nothing.
TEST_P(FinetunedCnn, KernelsArePrunedByCimsimsRule) {
  const int percent = GetParam();
  const nlohmann::json record = finetune_record(percent);
  const KerasModel model = load_keras_model_unverified(model_dir(percent));
  std::size_t weighted = 0;
  for (const KerasLayer& layer : model.layers) {
    if (layer.class_name != "Conv2D" && layer.class_name != "Dense") continue;
    ++weighted;
    const std::vector<float>& kernel = layer.tensor("kernel").data;
    const auto zeros = static_cast<std::size_t>(std::count(kernel.begin(), kernel.end(), 0.0F));
    const auto wanted =
        static_cast<std::size_t>(std::floor(percent / 100.0 * static_cast<double>(kernel.size())));
    EXPECT_EQ(zeros, wanted) << layer.name;
    EXPECT_EQ(zeros, record["layers"][layer.name]["zeros"].get<std::size_t>()) << layer.name;
    std::vector<float> again = kernel;
    prune_by_magnitude({&again}, percent / 100.0, "layer");
    EXPECT_EQ(again, kernel) << layer.name;
  }
  EXPECT_EQ(weighted, 4U);
}

// cimsim's float32 forward pass agrees with torch's on the first 1000 MNIST test images (the
// full 10 000 agree too: docs/results.md, from the study's runs).
TEST_P(FinetunedCnn, FloatPathScoresWhatTorchScored) {
  const int percent = GetParam();
  const nlohmann::json record = finetune_record(percent);
  const Network net = network_from_keras(load_keras_model_unverified(model_dir(percent)), "cnn",
                                         TensorShape{28, 28, 1});
  const ImageSet test = load_mnist(default_data_dir() / "mnist", Split::kTest);
  constexpr std::size_t kImages = 1000;
  std::vector<float> images(kImages * 28 * 28);
  for (std::size_t i = 0; i < images.size(); ++i) {
    images[i] = static_cast<float>(test.pixels[i]) / 255.0F;  // the model's input: pixel / 255
  }
  const std::vector<float> logits = forward_float(net, images, kImages);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < kImages; ++i) {
    correct += argmax(&logits[i * 10], 10) == test.labels[i] ? 1 : 0;
  }
  EXPECT_EQ(correct, record["correct_first_1000"].get<std::size_t>());
  EXPECT_GT(correct, 950U);  // fine-tuning recovered the accuracy that pruning alone loses
}

INSTANTIATE_TEST_SUITE_P(Sparsities, FinetunedCnn, ::testing::Values(50, 70, 90),
                         [](const auto& param_info) {
                           return "pruned" + std::to_string(param_info.param);
                         });

}  // namespace
}  // namespace cimsim
