// The pretrained MNIST CNN end to end through the real binary: accuracy from the same run as
// energy, its layers as crossbar work, and the float reference's 99.07 % on the full test set.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/config/experiment.h"
#include "sim/macro/integer_gemm.h"
#include "sim/mapping/quantize.h"
#include "sim/workload/image_classifier.h"
#include "tests/golden/run_binary.h"

namespace cimsim {
namespace {

using testing::read_file;
using testing::run_cimsim;
using testing::source_path;

class CnnGolden : public testing::TempDirTest {
 protected:
  nlohmann::json run(const std::string& sets) {
    const auto out = dir_ / "run";
    const auto result =
        run_cimsim("run " + source_path("configs/experiments/mnist_cnn_smoke.yaml").string() +
                   " --out " + out.string() + " " + sets);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    auto report = nlohmann::json::parse(read_file(out / "report.json"));
    std::filesystem::remove_all(out);
    return report;
  }
};

TEST_F(CnnGolden, LayersAreTheCnnsCrossbarWork) {
  const auto report = run("--set workload.samples=20 --set mapping.policy=baseline");
  ASSERT_EQ(report["layers"].size(), 4U);
  const int shapes[4][2] = {{9, 32}, {288, 64}, {9216, 128}, {128, 10}};
  const int positions[4] = {676, 576, 1, 1};
  for (int i = 0; i < 4; ++i) {
    const auto& layer = report["layers"][i];
    EXPECT_EQ(layer["inputs_k"], shapes[i][0]);
    EXPECT_EQ(layer["outputs_n"], shapes[i][1]);
    EXPECT_EQ(layer["vectors"], 20 * positions[i]);
  }
  // 9216 x 128 on 128 x 128 crossbars, 14 columns per output: 72 row tiles x 15 column groups
  // of floor(128 / 14) = 9 outputs.
  EXPECT_EQ(report["layers"][2]["crossbars"], 72 * 15);
  EXPECT_EQ(report["accuracy"]["samples"], 20);
}

// The integer-ideal top-1 of the smoke experiment on its first `samples` test images, computed
// here without the simulator or the mapping: the weights quantized straight from the network,
// the input scales calibrated as the run does, every product an integer matrix product.
double integer_ideal_top1(std::size_t samples) {
  const Experiment e = load_experiment(source_path("configs/experiments/mnist_cnn_smoke.yaml"),
                                       {"workload.samples=" + std::to_string(samples)});
  const std::unique_ptr<ImageClassifier> model = make_keras_classifier(e);
  const SampleSet train = load_samples(e, Split::kTrain);
  const SampleSet test = load_samples(e, Split::kTest);
  std::vector<LayerQuantization> quant =
      calibrate_inputs(*model, e, train, static_cast<std::size_t>(e.calibration_samples),
                       0.0F);  // MNIST: pixel / 255, never negative
  const std::vector<const MatrixLayer*> layers = model->matrix_layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const MatrixLayer& m = *layers[i];
    QuantizedWeights w = quantize_weights(std::vector<double>(m.weights.begin(), m.weights.end()),
                                          m.k, m.n, e.quant);
    quant[i].weights = std::move(w.values);
    quant[i].weight_scales = std::move(w.scales);
  }
  const std::vector<float> images = test.floats(0, samples);
  const std::vector<float> logits = model->forward_quantized(
      quant, images, samples, [&quant](std::size_t layer, const IntMatrix& x) {
        return integer_gemm(x, quant[layer].weights);
      });
  const std::size_t classes = model->classes();
  std::size_t correct = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    correct +=
        argmax(&logits[i * classes], classes) == static_cast<std::size_t>(test.labels[i]) ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(samples);
}

TEST_F(CnnGolden, LosslessAdcsMatchTheIntegerIdealAndLowBitsCostAccuracy) {
  const auto exact = run("--set workload.samples=100");
  // The run reports the simulated top-1 as its integer-ideal one when every layer is exact, so
  // the ideal is computed here, independently of the run.
  const double ideal = integer_ideal_top1(100);
  EXPECT_EQ(exact["accuracy"]["top1"].get<double>(), ideal);
  EXPECT_EQ(exact["accuracy"]["ideal_top1"].get<double>(), ideal);
  EXPECT_GE(exact["accuracy"]["top1"].get<double>(), 0.97);
  EXPECT_EQ(exact["totals"]["adc"]["clipped_conversions"], 0);
  const auto clipped = run("--set workload.samples=100 --set hardware.adc.bits=2");
  EXPECT_GT(clipped["totals"]["adc"]["clipped_conversions"].get<double>(), 0.0);
  EXPECT_EQ(clipped["accuracy"]["ideal_top1"], exact["accuracy"]["ideal_top1"]);
  EXPECT_LT(clipped["accuracy"]["top1"].get<double>(), exact["accuracy"]["top1"].get<double>());
}

TEST_F(CnnGolden, SortedSectionsConvertLessOnASparseNetwork) {
  const auto base =
      run("--set workload.samples=50 --set prune.sparsity=0.9 --set mapping.policy=baseline "
          "--set hardware.adc.policy=fixed --set hardware.adc.power_gating=false");
  const auto sws =
      run("--set workload.samples=50 --set prune.sparsity=0.9 --set mapping.policy=sws");
  EXPECT_LT(sws["totals"]["energy_pj"]["adc"].get<double>(),
            0.5 * base["totals"]["energy_pj"]["adc"].get<double>());
  EXPECT_EQ(sws["accuracy"]["top1"], base["accuracy"]["top1"]);  // both lossless at 8 bits
}

// Same experiment and seed, once on one thread and once on every core: the TBB loops over
// crossbars and images must not change a byte of the results.
TEST_F(CnnGolden, SameConfigAndSeedGiveIdenticalBytesOnAnyThreadCount) {
  const std::string config = source_path("configs/experiments/mnist_cnn_smoke.yaml").string();
  const std::string sets =
      " --set workload.samples=24 --set workload.batch=5 --set workload.calibration_samples=50 "
      "--set prune.sparsity=0.7 "
      "--set mapping.policy=sws --set hardware.adc.bits=4";
  const auto one = dir_ / "one";
  const auto all = dir_ / "all";
  const auto serial = run_cimsim("--threads 1 run " + config + " --out " + one.string() + sets);
  ASSERT_EQ(serial.exit_code, 0) << serial.output;
  const auto parallel = run_cimsim("run " + config + " --out " + all.string() + sets);
  ASSERT_EQ(parallel.exit_code, 0) << parallel.output;
  for (const char* file : {"report.json", "summary.csv", "crossbars.csv"}) {
    const std::string a = read_file(one / file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_EQ(a, read_file(all / file)) << file;
  }
}

TEST_F(CnnGolden, ThreadCountMustBePositive) {
  const auto result = run_cimsim("--threads 0 run x.yaml");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--threads"), std::string::npos) << result.output;
}

TEST_F(CnnGolden, FloatReferenceScores9907OnTheFullTestSet) {
  const auto report = run("--set workload.samples=all --set mapping.policy=baseline");
  EXPECT_EQ(report["accuracy"]["samples"], 10000);
  EXPECT_DOUBLE_EQ(report["accuracy"]["float_top1"].get<double>(), 0.9907);
}

}  // namespace
}  // namespace cimsim
