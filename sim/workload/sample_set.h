// The labelled samples a network workload classifies (workload.dataset): MNIST or
// Fashion-MNIST images as pixel / 255, or any labelled set given as two .npy files
// (workload.inputs N x ..., workload.labels N integers), its samples in the model's layout
// (workload.input_layout). Calibration takes the training split of MNIST and Fashion-MNIST; a
// .npy set has one split, so it calibrates on its own first samples (docs/onnx.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/datasets/mnist.h"
#include "sim/config/experiment.h"

namespace cimsim {

struct SampleSet {
  std::vector<std::int64_t> sample_shape;  // one sample's dimensions, in the model's layout
  std::vector<float> values;               // count x elements per sample, row-major
  std::vector<std::int64_t> labels;        // one class per sample

  [[nodiscard]] std::size_t count() const { return labels.size(); }
  [[nodiscard]] std::size_t per_sample() const;
  // Samples [first, first + count) as one block of floats.
  [[nodiscard]] std::vector<float> floats(std::size_t first, std::size_t count) const;
};

// workload.dataset's split. For `npy` both splits are the one set of the two files; bad files
// are DataErrors naming the file, a shape or label type that does not fit is a ConfigError at
// the key's file:line.
[[nodiscard]] SampleSet load_samples(const Experiment& e, Split split);

}  // namespace cimsim
