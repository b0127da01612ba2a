// Networks on real data: the pretrained Keras CNN of mnist-react-tfjs (or another Keras
// Sequential model given by workload.model) on MNIST or Fashion-MNIST test images. One run gives
// three accuracies on the same images (float32, integer-ideal, simulated through the configured
// ADCs) and the energy, time and mapping of every crossbar layer (sim/workload/image_classifier).
#include <memory>

#include "models/datasets/data_dir.h"
#include "models/keras/keras_model.h"
#include "models/network/forward.h"
#include "models/network/keras_network.h"
#include "sim/config/experiment.h"
#include "sim/core/errors.h"
#include "sim/workload/image_classifier.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

Network load_network(const Experiment& e) {
  KerasModel model;
  if (e.config.is_set("workload.model")) {
    model = load_keras_model_unverified(e.config.get_string("workload.model"));
  } else {
    model = load_mnist_cnn(default_data_dir() / "mnist-cnn");
  }
  return network_from_keras(model, "cnn", TensorShape{28, 28, 1});
}

// The Keras network as an image classifier, pruned as the experiment says.
class KerasClassifier final : public ImageClassifier {
 public:
  explicit KerasClassifier(const Experiment& e) : net_(load_network(e)) {
    std::vector<MatrixLayer*> layers;
    for (std::size_t index : net_.matrix_layers()) layers.push_back(&net_.layers[index].matrix);
    prune_matrix_layers(layers, e);
  }

  [[nodiscard]] std::vector<const MatrixLayer*> matrix_layers() const override {
    std::vector<const MatrixLayer*> out;
    for (std::size_t index : net_.matrix_layers()) out.push_back(&net_.layers[index].matrix);
    return out;
  }
  [[nodiscard]] std::size_t classes() const override { return net_.layers.back().matrix.n; }

  // The image is not negative, and a layer after a ReLU (through pooling and flattening) is not.
  [[nodiscard]] std::vector<bool> inputs_can_be_negative(float /*smallest_input*/) const override {
    std::vector<bool> out;
    bool negative_possible = false;
    for (const NetLayer& layer : net_.layers) {
      if (layer.kind != NetLayer::Kind::kConv2D && layer.kind != NetLayer::Kind::kDense) continue;
      out.push_back(negative_possible);
      negative_possible = layer.matrix.activation != Activation::kRelu;
    }
    return out;
  }
  [[nodiscard]] std::vector<std::uint64_t> vectors_per_image() const override {
    return cimsim::vectors_per_image(net_);
  }
  [[nodiscard]] std::vector<float> forward_float(const std::vector<float>& images,
                                                 std::size_t count,
                                                 const InputObserver& observe) const override {
    return cimsim::forward_float(net_, images, count, observe);
  }
  [[nodiscard]] std::vector<float> forward_quantized(const std::vector<LayerQuantization>& quant,
                                                     const std::vector<float>& images,
                                                     std::size_t count,
                                                     const MatmulFn& matmul) const override {
    return cimsim::forward_quantized(net_, quant, images, count, matmul);
  }

 private:
  Network net_;
};

class CnnWorkload final : public Workload {
 public:
  void validate(const Experiment& e) const override {
    if (e.config.get_string("workload.dataset") == "npy") {
      throw ConfigError(e.config.error_at("workload.dataset",
                                          "the Keras CNN runs on mnist or fashion_mnist; .npy data "
                                          "sets are for workload.kind onnx"));
    }
    if (e.config.get_real("prune.sparsity") >= 1.0) {
      throw ConfigError(e.config.error_at("prune.sparsity", "expected a fraction below 1"));
    }
  }

  [[nodiscard]] std::vector<TraceLayer> map_layers(const Experiment& e) const override {
    return map_classifier(KerasClassifier(e), e);
  }

  [[nodiscard]] WorkloadResult run(const Experiment& e, const RunContext& context) const override {
    return run_classifier(KerasClassifier(e), e, context);
  }
};

const Registrar<Workload> kRegistrar(
    "mnist_cnn",
    "a Keras Sequential CNN (default: pretrained mnist-react-tfjs) on MNIST or Fashion-MNIST test "
    "images: float, integer-ideal and simulated top-1",
    [] { return std::make_unique<CnnWorkload>(); });

}  // namespace
}  // namespace cimsim
