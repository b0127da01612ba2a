// Your own network: an ONNX model (workload.model: FILE.onnx) on MNIST or Fashion-MNIST test
// images, or on a labelled set of two .npy files (workload.dataset: npy, sim/workload/sample_set).
// Every Conv, Gemm and MatMul with an initializer weight runs on crossbars, mapped, quantized,
// calibrated and simulated as the native networks' layers are (sim/workload/ image_classifier);
// every other operator runs in float in the digital interpreter of models/onnx/onnx_network. A
// sample enters as (value - workload.input_mean) / workload.input_std in the model's input shape
// (value: pixel / 255 for the image sets, which must fill it with one 28 x 28 image per sample; a
// .npy set's samples must have the model's shape exactly).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>

#include <spdlog/spdlog.h>

#include "models/network/forward.h"
#include "models/onnx/onnx_graph.h"
#include "models/onnx/onnx_network.h"
#include "sim/config/experiment.h"
#include "sim/core/errors.h"
#include "sim/workload/image_classifier.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

constexpr std::size_t kImagePixels = std::size_t{28} * 28;  // MNIST and Fashion-MNIST images

class OnnxClassifier final : public ImageClassifier {
 public:
  explicit OnnxClassifier(const Experiment& e)
      : net_(read_onnx_model(e.model->string()), e.model->string()),
        mean_(static_cast<float>(e.input_mean)),
        std_(static_cast<float>(e.input_std)) {
    std::size_t per_sample = 1;
    for (const std::int64_t d : net_.sample_shape()) per_sample *= static_cast<std::size_t>(d);
    if (e.dataset != "npy" && per_sample != kImagePixels) {
      std::string shape;
      for (const std::int64_t d : net_.sample_shape())
        shape += (shape.empty() ? "" : " x ") + std::to_string(d);
      throw ConfigError(e.config.error_at(
          "workload.model",
          "the model's input takes " + shape + " values per sample; " + e.dataset +
              " gives one 28 x 28 image (e.g. [batch, 1, 28, 28] or [batch, 784])"));
    }
    std::vector<MatrixLayer*> layers;
    for (MatrixLayer& m : net_.matrix_layers()) layers.push_back(&m);
    if (layers.empty()) {
      throw ConfigError(
          e.config.error_at("workload.model",
                            "the model has no Conv, Gemm or MatMul with an initializer weight, "
                            "so nothing runs on crossbars"));
    }
    prune_matrix_layers(layers, e);
    spdlog::info("{}: {} crossbar layers, {} digital operations per image", e.model->string(),
                 layers.size(), net_.digital_ops_per_sample());
  }

  ~OnnxClassifier() override {
    if (simulated_ns_ == 0) return;
    const auto seconds = [](std::uint64_t ns) { return static_cast<double>(ns) * 1e-9; };
    // The float reference runs on its own thread beside the simulated forward
    // (image_classifier.cpp), so its time overlaps; the simulated path's split is the one that
    // bounds a run.
    spdlog::info(
        "onnx time split, simulated forwards: {:.2f} s in crossbar layers (quantize, simulate, "
        "dequantize), {:.2f} s in the digital interpreter; float reference: {:.2f} s in matrix "
        "products, {:.2f} s in the digital interpreter",
        seconds(product_ns_),
        seconds(simulated_ns_ - std::min(simulated_ns_.load(), product_ns_.load())),
        seconds(float_product_ns_),
        seconds(float_ns_ - std::min(float_ns_.load(), float_product_ns_.load())));
  }
  OnnxClassifier(const OnnxClassifier&) = delete;
  OnnxClassifier& operator=(const OnnxClassifier&) = delete;

  [[nodiscard]] std::vector<const MatrixLayer*> matrix_layers() const override {
    std::vector<const MatrixLayer*> out;
    for (const MatrixLayer& m : net_.matrix_layers()) out.push_back(&m);
    return out;
  }
  [[nodiscard]] std::size_t classes() const override { return net_.outputs_per_sample(); }
  [[nodiscard]] std::vector<bool> inputs_can_be_negative(float smallest_input) const override {
    return net_.inputs_can_be_negative((smallest_input - mean_) / std_ < 0.0F);
  }
  [[nodiscard]] std::vector<std::int64_t> sample_shape() const override {
    return net_.sample_shape();
  }
  [[nodiscard]] std::vector<std::uint64_t> vectors_per_image() const override {
    return net_.vectors_per_sample();
  }
  [[nodiscard]] std::vector<float> forward_float(const std::vector<float>& images,
                                                 std::size_t count,
                                                 const InputObserver& observe) const override {
    const auto start = Clock::now();
    std::vector<float> out = net_.run(normalized(images), count,
                                      [&](std::size_t ordinal, const MatrixLayer& m,
                                          const std::vector<float>& rows, std::size_t t) {
                                        if (observe) observe(ordinal, rows);
                                        const auto product_start = Clock::now();
                                        std::vector<float> y = float_matrix_product(m, rows, t);
                                        if (!observe)
                                          float_product_ns_ += elapsed_ns(product_start);
                                        return y;
                                      });
    if (!observe) float_ns_ += elapsed_ns(start);
    return out;
  }
  [[nodiscard]] std::vector<float> forward_quantized(const std::vector<LayerQuantization>& quant,
                                                     const std::vector<float>& images,
                                                     std::size_t count,
                                                     const MatmulFn& matmul) const override {
    const auto start = Clock::now();
    std::vector<float> out = net_.run(normalized(images), count,
                                      [&](std::size_t ordinal, const MatrixLayer& m,
                                          const std::vector<float>& rows, std::size_t t) {
                                        const auto product_start = Clock::now();
                                        std::vector<float> y = quantized_matrix_product(
                                            m, quant[ordinal], rows, t, ordinal, matmul);
                                        product_ns_ += elapsed_ns(product_start);
                                        return y;
                                      });
    simulated_ns_ += elapsed_ns(start);
    return out;
  }

 private:
  // pixel / 255 as given, when mean 0 and std 1 (no rounding change at all).
  [[nodiscard]] std::vector<float> normalized(const std::vector<float>& images) const {
    if (mean_ == 0.0F && std_ == 1.0F) return images;
    std::vector<float> out(images.size());
    for (std::size_t i = 0; i < images.size(); ++i) out[i] = (images[i] - mean_) / std_;
    return out;
  }

  using Clock = std::chrono::steady_clock;
  static std::uint64_t elapsed_ns(Clock::time_point since) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - since).count());
  }

  OnnxNetwork net_;
  float mean_;
  float std_;
  // Wall time of the forwards on test images [ns] (calibration, which observes, is left out).
  mutable std::atomic<std::uint64_t> simulated_ns_{0};
  mutable std::atomic<std::uint64_t> product_ns_{0};
  mutable std::atomic<std::uint64_t> float_ns_{0};
  mutable std::atomic<std::uint64_t> float_product_ns_{0};
};

class OnnxWorkload final : public Workload {
 public:
  void validate(const Experiment& e) const override {
    if (!e.model) {
      throw ConfigError(e.config.error_at("workload.model",
                                          "the onnx workload needs a model file, e.g. "
                                          "models/onnx/mnist_cnn.onnx"));
    }
    if (e.prune.sparsity >= 1.0) {
      throw ConfigError(e.config.error_at("prune.sparsity", "expected a fraction below 1"));
    }
    if (e.dataset == "npy") {
      if (!e.inputs || !e.labels) {
        throw ConfigError(
            e.config.error_at(!e.inputs ? "workload.inputs" : "workload.labels",
                              "workload.dataset npy needs workload.inputs (N x ... samples) and "
                              "workload.labels (N integer classes), both .npy files"));
      }
    }
    if (!(e.input_std > 0.0)) {
      throw ConfigError(e.config.error_at("workload.input_std", "expected a value above 0"));
    }
  }

  [[nodiscard]] std::vector<TraceLayer> map_layers(const Experiment& e) const override {
    return map_classifier(OnnxClassifier(e), e);
  }

  [[nodiscard]] WorkloadResult run(const Experiment& e, const RunContext& context) const override {
    return run_classifier(OnnxClassifier(e), e, context);
  }
};

const Registrar<Workload> kRegistrar(
    "onnx",
    "your own network as an ONNX file (workload.model): Conv, Gemm and MatMul with initializer "
    "weights on crossbars, every other operator in float, on MNIST or Fashion-MNIST test images",
    [] { return std::make_unique<OnnxWorkload>(); });

}  // namespace
}  // namespace cimsim
