// A labelled data set given as two .npy files (workload.dataset: npy): the first MNIST test
// images written as raw pixels in N x 28 x 28 x 1 (channels last) with workload.input_std 255
// must be, for the exported CNN (input N x 1 x 28 x 28), exactly the MNIST run's inputs, so the
// float top-1 is the same; files that do not fit the model are refused at the key's file:line
// with what was expected (exit 2), and nothing is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/datasets/data_dir.h"
#include "models/datasets/mnist.h"
#include "sim/io/npy.h"
#include "tests/golden/run_binary.h"
#include "tests/io/test_files.h"

namespace cimsim {
namespace {

constexpr std::size_t kSamples = 48;  // enough for a float top-1 to compare; each run costs seconds

// The experiment: the exported CNN on the two files, with `extra` lines appended to workload.
std::string experiment(const std::string& extra) {
  return "version: 1\nworkload:\n  kind: onnx\n  model: " +
         testing::source_path("models/onnx/mnist_cnn.onnx").string() +
         "\n  dataset: npy\n  inputs: inputs.npy\n  labels: labels.npy\n  samples: " +
         std::to_string(kSamples) + "\n  calibration_samples: 48\n" + extra +
         "mapping:\n  policy: sws\n";
}

class OnnxNpyDataset : public ::testing::Test {
 protected:
  void SetUp() override {
    const ImageSet test = load_mnist(default_data_dir() / "mnist", Split::kTest);
    std::vector<std::int64_t> pixels(test.pixels.begin(), test.pixels.begin() + kSamples * 784);
    write_npy_int64(dir_.path() / "inputs.npy", {kSamples, 28, 28, 1}, pixels);
    labels_.assign(test.labels.begin(), test.labels.begin() + kSamples);
    write_npy_int64(dir_.path() / "labels.npy", {kSamples}, labels_);
  }

  testing::CommandResult run(const std::string& yaml, const std::string& out) {
    const auto file = dir_.write("experiment.yaml", yaml);
    return testing::run_cimsim("run " + file.string() + " --out " + (dir_.path() / out).string());
  }

  testing::TempDir dir_;
  std::vector<std::int64_t> labels_;
};

TEST_F(OnnxNpyDataset, RawPixelsChannelsLastAreTheMnistRunsInputs) {
  const auto npy = run(experiment("  input_layout: channels_last\n  input_std: 255\n"), "npy");
  ASSERT_EQ(npy.exit_code, 0) << npy.output;
  const auto mnist = run("version: 1\nworkload:\n  kind: onnx\n  model: " +
                             testing::source_path("models/onnx/mnist_cnn.onnx").string() +
                             "\n  dataset: mnist\n  samples: " + std::to_string(kSamples) +
                             "\n  calibration_samples: 48\nmapping:\n  policy: sws\n",
                         "mnist");
  ASSERT_EQ(mnist.exit_code, 0) << mnist.output;
  const auto report = [&](const char* name) {
    return nlohmann::json::parse(testing::read_file(dir_.path() / name / "report.json"));
  };
  const nlohmann::json a = report("npy");
  const nlohmann::json b = report("mnist");
  EXPECT_EQ(a["accuracy"]["samples"], kSamples);
  EXPECT_EQ(a["accuracy"]["float_top1"], b["accuracy"]["float_top1"]);
  // Calibration differs (the .npy set calibrates on its own samples, MNIST on training images),
  // so the simulated top-1 may too; it must still be a real classifier's.
  EXPECT_GT(a["accuracy"]["top1"].get<double>(), 0.9);
}

TEST_F(OnnxNpyDataset, FilesThatDoNotFitAreRefusedAtTheKey) {
  const std::vector<std::int64_t> few(kSamples - 1, 1);
  write_npy_int64(dir_.path() / "few_labels.npy", {kSamples - 1}, few);
  write_npy_float64(dir_.path() / "float_labels.npy", {kSamples},
                    std::vector<double>(kSamples, 1.0));
  std::vector<std::int64_t> eleven = labels_;
  eleven[7] = 11;
  write_npy_int64(dir_.path() / "label_11.npy", {kSamples}, eleven);
  struct Case {
    std::string extra;
    std::string line_and_text;
  };
  // experiment(): workload.inputs is on line 6, workload.labels on line 7.
  const std::vector<Case> cases = {
      {"",
       ":6:3: workload.inputs: the model takes samples of 1 x 28 x 28; the file's samples are "
       "28 x 28 x 1 (workload.input_layout: channels_first)"},
      {"  input_layout: channels_last\n  labels: few_labels.npy\n",
       "workload.labels: 47 labels for 48 samples in workload.inputs"},
      {"  input_layout: channels_last\n  labels: float_labels.npy\n",
       "workload.labels: expected N integer class labels"},
      {"  input_layout: channels_last\n  labels: label_11.npy\n",
       "workload.labels: label 11 of sample 7 is not one of the model's 10 classes"},
  };
  for (const Case& c : cases) {
    std::string yaml = experiment(c.extra);
    if (c.extra.find("labels:") != std::string::npos) {  // the override replaces line 7
      yaml.replace(yaml.find("  labels: labels.npy\n"), 21, "");
    }
    const auto result = run(yaml, "out");
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find(c.line_and_text), std::string::npos) << result.output;
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "out" / "report.json"));
  }
  const auto missing =
      run(experiment("").replace(experiment("").find("  labels: labels.npy\n"), 21, ""), "out");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("workload.dataset npy needs workload.inputs"), std::string::npos)
      << missing.output;
}

}  // namespace
}  // namespace cimsim
