// The ViT-style encoder of scripts/train_vit.py (workload.model: one of models/vit_fashion/*) on
// Fashion-MNIST test images. Its patch embedding, Q, K, V, O, FFN1, FFN2 and head run on
// crossbars, every token of every image one input vector (signed: normalised pixels, LayerNorm,
// attention and GELU outputs can all be negative); attention matmuls, softmax, LayerNorm, GELU,
// residual adds and pooling are float digital logic whose energy and time are not modelled
// (docs/model.md). Same three accuracies and per-layer report as the CNN.
#include <memory>

#include <spdlog/spdlog.h>

#include "models/transformer/vit_forward.h"
#include "models/transformer/vit_model.h"
#include "sim/config/experiment.h"
#include "sim/core/errors.h"
#include "sim/workload/image_classifier.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

class VitClassifier final : public ImageClassifier {
 public:
  explicit VitClassifier(const Experiment& e) : vit_(load_vit(e.model->string())) {
    if (vit_.dataset != e.dataset) {
      throw ConfigError(e.config.error_at(
          "workload.dataset", "the model in " + e.model->string() + " was trained on '" +
                                  vit_.dataset + "'; set workload.dataset: " + vit_.dataset));
    }
    if (vit_.image_h != 28 || vit_.image_w != 28) {
      throw DataError(e.model->string() + ": the model takes images of " +
                      std::to_string(vit_.image_h) + " x " + std::to_string(vit_.image_w) +
                      " pixels; the datasets have 28 x 28");
    }
    prune_matrix_layers(vit_.matrix_layers(), e);
  }

  [[nodiscard]] const VisionTransformer& vit() const { return vit_; }
  [[nodiscard]] std::vector<const MatrixLayer*> matrix_layers() const override {
    return vit_.matrix_layers();
  }
  [[nodiscard]] std::size_t classes() const override {
    return static_cast<std::size_t>(vit_.classes);
  }
  [[nodiscard]] std::vector<bool> inputs_can_be_negative(float /*smallest_input*/) const override {
    return std::vector<bool>(vit_.matrix_layers().size(), true);
  }
  [[nodiscard]] std::vector<std::uint64_t> vectors_per_image() const override {
    return vit_vectors_per_image(vit_);
  }
  [[nodiscard]] std::vector<float> forward_float(const std::vector<float>& images,
                                                 std::size_t count,
                                                 const InputObserver& observe) const override {
    return vit_forward_float(vit_, images, count, observe);
  }
  [[nodiscard]] std::vector<float> forward_quantized(const std::vector<LayerQuantization>& quant,
                                                     const std::vector<float>& images,
                                                     std::size_t count,
                                                     const MatmulFn& matmul) const override {
    return vit_forward_quantized(vit_, quant, images, count, matmul);
  }

 private:
  VisionTransformer vit_;
};

class VitWorkload final : public Workload {
 public:
  void validate(const Experiment& e) const override {
    if (!e.model) {
      throw ConfigError(e.config.error_at("workload.model",
                                          "the vit workload needs a model folder written by "
                                          "scripts/train_vit.py, e.g. models/vit_fashion/sparse0"));
    }
    if (e.prune.sparsity >= 1.0) {
      throw ConfigError(e.config.error_at("prune.sparsity", "expected a fraction below 1"));
    }
  }

  [[nodiscard]] std::vector<TraceLayer> map_layers(const Experiment& e) const override {
    return map_classifier(VitClassifier(e), e);
  }

  [[nodiscard]] WorkloadResult run(const Experiment& e, const RunContext& context) const override {
    const VitClassifier model(e);
    WorkloadResult result = run_classifier(model, e, context);
    if (e.samples) return result;  // the export's top-1 is over the full test set only
    spdlog::info(
        "vit: float top-1 {:.2f} % in cimsim, {:.2f} % recorded by the export (torch, "
        "full test set)",
        100.0 * result.accuracy->float_top1, 100.0 * model.vit().float_top1);
    return result;
  }
};

const Registrar<Workload> kRegistrar(
    "vit",
    "a ViT-style transformer encoder exported by scripts/train_vit.py (workload.model) on "
    "Fashion-MNIST test images: float, integer-ideal and simulated top-1",
    [] { return std::make_unique<VitWorkload>(); });

}  // namespace
}  // namespace cimsim
