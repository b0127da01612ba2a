// What the network workloads share: a network that classifies 28 x 28 dataset images and runs
// its matrix layers on crossbars (the Keras CNN, the ViT encoder). The runner maps its layers,
// calibrates their input scales on training images, simulates the test images in batches and
// reports float, integer-ideal and simulated top-1 with every layer's counts, energy and time.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/network/forward.h"
#include "models/network/network.h"
#include "sim/hw/schedule.h"
#include "sim/workload/sample_set.h"
#include "sim/workload/workload.h"

namespace cimsim {

class ImageClassifier {
 public:
  virtual ~ImageClassifier() = default;
  // The layers whose products run on crossbars, in the order the forward passes number them.
  [[nodiscard]] virtual std::vector<const MatrixLayer*> matrix_layers() const = 0;
  [[nodiscard]] virtual std::size_t classes() const = 0;
  // Per matrix layer: whether its float input can be negative (quant.input_signed: auto), given
  // the smallest value of the data set as the classifier takes it (0 for pixel / 255).
  [[nodiscard]] virtual std::vector<bool> inputs_can_be_negative(float smallest_input) const = 0;
  // One sample's input dimensions (a .npy data set must have exactly these).
  [[nodiscard]] virtual std::vector<std::int64_t> sample_shape() const { return {28, 28}; }
  // Per matrix layer: input vectors one image puts through it.
  [[nodiscard]] virtual std::vector<std::uint64_t> vectors_per_image() const = 0;
  // Per matrix layer: which layer's vectors it reads and how many of them each of its vectors
  // needs (sim/hw/schedule.h), for pipelining; empty: a chain, each layer reading all of the
  // previous one's.
  [[nodiscard]] virtual std::vector<LayerDependency> dependencies() const { return {}; }
  // Logits (count x classes) for `count` samples given as the data set holds them (MNIST and
  // Fashion-MNIST: pixel / 255, row-major 28 x 28 each).
  [[nodiscard]] virtual std::vector<float> forward_float(
      const std::vector<float>& images, std::size_t count,
      const InputObserver& observe = nullptr) const = 0;
  [[nodiscard]] virtual std::vector<float> forward_quantized(
      const std::vector<LayerQuantization>& quant, const std::vector<float>& images,
      std::size_t count, const MatmulFn& matmul) const = 0;
};

// Zeroes the smallest weights of the matrix layers (prune.sparsity, prune.scope).
void prune_matrix_layers(const std::vector<MatrixLayer*>& layers, const Experiment& experiment);

// Input scales and signedness of every matrix layer from the float network's activations on the
// first `calibration` samples of `train` (never test samples), as quant.* says; no weights yet.
// `smallest_input` is the data set's smallest value (0 for pixel / 255).
[[nodiscard]] std::vector<LayerQuantization> calibrate_inputs(const ImageClassifier& model,
                                                              const Experiment& experiment,
                                                              const SampleSet& train,
                                                              std::size_t calibration,
                                                              float smallest_input);

// The Keras network of workload.kind mnist_cnn (workload.model, or the pretrained CNN), pruned
// as the experiment says (sim/workload/network_workload.cpp).
[[nodiscard]] std::unique_ptr<ImageClassifier> make_keras_classifier(const Experiment& experiment);

// Quantizes and maps every matrix layer under the experiment's mapping policy.
[[nodiscard]] std::vector<TraceLayer> map_classifier(const ImageClassifier& model,
                                                     const Experiment& experiment);

// The run of a network workload on workload.dataset's test images (workload.samples of them).
[[nodiscard]] WorkloadResult run_classifier(const ImageClassifier& model,
                                            const Experiment& experiment,
                                            const RunContext& context);

}  // namespace cimsim
