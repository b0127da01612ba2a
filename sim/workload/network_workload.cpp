// Networks on real data: the pretrained Keras CNN of mnist-react-tfjs (or another Keras
// Sequential model given by workload.model) on MNIST or Fashion-MNIST test images. One run gives
// three accuracies on the same images (float32, integer-ideal, simulated through the configured
// ADCs) and the energy, time and mapping of every crossbar layer (sim/workload/image_classifier).
#include <algorithm>
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
  if (e.model.has_value()) {
    model = load_keras_model_unverified(e.model->string());
  } else {
    model = load_mnist_cnn(default_data_dir() / "mnist-cnn");
  }
  return network_from_keras(model, "cnn", TensorShape{28, 28, 1});
}

// Which vectors of which layer each convolution output needs, through pooling and flattening:
// vectors are output positions in raster order, so a position needs its window's latest
// position (bottom right) of the producing layer, and everything before it in raster order
// exists by then. A dense layer after flattening needs all of its producer's vectors.
std::vector<LayerDependency> raster_dependencies(const Network& net) {
  std::vector<LayerDependency> out;
  TensorShape shape = net.input;
  int producer = -1;
  // For each position of the current tensor: producer vectors needed to have it, and the first
  // producer vector it comes from.
  std::vector<std::uint64_t> need(shape.size() / static_cast<std::size_t>(shape.c), 0);
  std::vector<std::uint64_t> from(need.size(), 0);
  const auto window_need = [&](int y0, int x0, int h, int w) {
    std::uint64_t most = 0;
    for (int y = y0; y < y0 + h; ++y) {
      for (int x = x0; x < x0 + w; ++x) {
        most = std::max(most, need[static_cast<std::size_t>(y) * shape.w + x]);
      }
    }
    return most;
  };
  const auto window_from = [&](int y0, int x0, int h, int w) {
    std::uint64_t least = ~std::uint64_t{0};
    for (int y = y0; y < y0 + h; ++y) {
      for (int x = x0; x < x0 + w; ++x) {
        least = std::min(least, from[static_cast<std::size_t>(y) * shape.w + x]);
      }
    }
    return least;
  };
  for (const NetLayer& layer : net.layers) {
    TensorShape next = shape;
    std::vector<std::uint64_t> next_need;
    std::vector<std::uint64_t> next_from;
    if (layer.kind == NetLayer::Kind::kConv2D || layer.kind == NetLayer::Kind::kMaxPool) {
      const bool conv = layer.kind == NetLayer::Kind::kConv2D;
      const int kh = conv ? layer.kernel_h : layer.pool_h;
      const int kw = conv ? layer.kernel_w : layer.pool_w;
      const int stride_y = conv ? layer.stride : layer.pool_h;
      const int stride_x = conv ? layer.stride : layer.pool_w;
      next.h = (shape.h - kh) / stride_y + 1;
      next.w = (shape.w - kw) / stride_x + 1;
      for (int y = 0; y < next.h; ++y) {
        for (int x = 0; x < next.w; ++x) {
          next_need.push_back(window_need(y * stride_y, x * stride_x, kh, kw));
          next_from.push_back(window_from(y * stride_y, x * stride_x, kh, kw));
        }
      }
    } else if (layer.kind == NetLayer::Kind::kFlatten) {
      next = {1, 1, static_cast<int>(shape.size())};
      next_need = {window_need(0, 0, shape.h, shape.w)};
      next_from = {window_from(0, 0, shape.h, shape.w)};
    } else {  // dense: on a flattened (1 x 1) tensor
      next = {1, 1, shape.c};
      next_need = {window_need(0, 0, shape.h, shape.w)};
      next_from = {window_from(0, 0, shape.h, shape.w)};
    }
    if (layer.kind == NetLayer::Kind::kConv2D || layer.kind == NetLayer::Kind::kDense) {
      LayerDependency dependency{producer, {}, {}};
      if (producer >= 0) {
        std::uint64_t most = 0;  // kept non-decreasing, as the scheduler requires
        for (std::uint64_t n : next_need) dependency.needs.push_back(most = std::max(most, n));
        // Later vectors may not release what an earlier one still reads: a running minimum
        // from the end keeps `first` non-decreasing too.
        dependency.first = next_from;
        for (std::size_t v = dependency.first.size(); v-- > 1;) {
          dependency.first[v - 1] = std::min(dependency.first[v - 1], dependency.first[v]);
        }
      }
      out.push_back(std::move(dependency));
      producer = static_cast<int>(out.size()) - 1;
      next.c = static_cast<int>(layer.matrix.n);
      for (std::size_t v = 0; v < next_need.size(); ++v) {
        next_need[v] = v + 1;
        next_from[v] = v;
      }
    }
    shape = next;
    need = std::move(next_need);
    from = std::move(next_from);
  }
  return out;
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
  [[nodiscard]] std::vector<LayerDependency> dependencies() const override {
    return raster_dependencies(net_);
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
    if (e.dataset == "npy") {
      throw ConfigError(e.config.error_at("workload.dataset",
                                          "the Keras CNN runs on mnist or fashion_mnist; .npy data "
                                          "sets are for workload.kind onnx"));
    }
    if (e.prune.sparsity >= 1.0) {
      throw ConfigError(e.config.error_at("prune.sparsity", "expected a fraction below 1"));
    }
  }

  [[nodiscard]] std::vector<TraceLayer> map_layers(const Experiment& e) const override {
    return map_classifier(*make_keras_classifier(e), e);
  }

  [[nodiscard]] WorkloadResult run(const Experiment& e, const RunContext& context) const override {
    return run_classifier(*make_keras_classifier(e), e, context);
  }
};

}  // namespace

std::unique_ptr<ImageClassifier> make_keras_classifier(const Experiment& e) {
  return std::make_unique<KerasClassifier>(e);
}

namespace {

const Registrar<Workload> kRegistrar(
    "mnist_cnn",
    "a Keras Sequential CNN (default: pretrained mnist-react-tfjs) on MNIST or Fashion-MNIST test "
    "images: float, integer-ideal and simulated top-1",
    [] { return std::make_unique<CnnWorkload>(); });

}  // namespace
}  // namespace cimsim
