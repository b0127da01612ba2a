#include "sim/workload/sample_set.h"

#include <string>

#include "models/datasets/data_dir.h"
#include "sim/core/errors.h"
#include "sim/io/npy.h"

namespace cimsim {
namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string out;
  for (const std::int64_t d : shape) out += (out.empty() ? "" : " x ") + std::to_string(d);
  return out.empty() ? "a scalar" : out;
}

SampleSet from_images(const ImageSet& set) {
  SampleSet out;
  out.sample_shape = {set.rows, set.cols};
  out.values.resize(set.pixels.size());
  for (std::size_t i = 0; i < set.pixels.size(); ++i) {
    out.values[i] = static_cast<float>(set.pixels[i]) / 255.0F;
  }
  out.labels.assign(set.labels.begin(), set.labels.end());
  return out;
}

// The two .npy files: inputs N x ... (any numeric dtype, taken as float32), labels N integers.
SampleSet from_npy(const Experiment& e) {
  const ResolvedConfig& c = e.config;
  if (!e.inputs || !e.labels) {
    throw ConfigError(c.error_at(!e.inputs ? "workload.inputs" : "workload.labels",
                                 "workload.dataset npy needs workload.inputs (N x ... "
                                 "samples) and workload.labels (N integer classes), "
                                 "both .npy files"));
  }
  const NpyArray inputs = read_npy(e.inputs->string());
  const NpyArray labels = read_npy(e.labels->string());
  if (inputs.shape.size() < 2) {
    throw ConfigError(c.error_at("workload.inputs",
                                 "expected N samples of at least one value "
                                 "(N x ...), the file holds " +
                                     shape_text({inputs.shape.begin(), inputs.shape.end()})));
  }
  if (!labels.is_integer || labels.shape.size() != 1) {
    throw ConfigError(c.error_at("workload.labels",
                                 "expected N integer class labels (a 1-D integer array), the file "
                                 "holds " +
                                     shape_text({labels.shape.begin(), labels.shape.end()}) +
                                     " of dtype " + labels.dtype));
  }
  if (labels.shape[0] != inputs.shape[0]) {
    throw ConfigError(c.error_at(
        "workload.labels", std::to_string(labels.shape[0]) + " labels for " +
                               std::to_string(inputs.shape[0]) + " samples in workload.inputs"));
  }
  for (std::size_t i = 0; i < labels.ints.size(); ++i) {
    if (labels.ints[i] < 0) {
      throw ConfigError(c.error_at("workload.labels", "label " + std::to_string(labels.ints[i]) +
                                                          " of sample " + std::to_string(i) +
                                                          " is negative; expected a class index"));
    }
  }
  SampleSet out;
  std::vector<std::int64_t> shape(inputs.shape.begin() + 1, inputs.shape.end());
  const std::size_t n = inputs.shape[0];
  std::size_t per = 1;
  for (const std::int64_t d : shape) per *= static_cast<std::size_t>(d);
  out.values.resize(inputs.size());
  const auto value = [&inputs](std::size_t i) {
    return static_cast<float>(inputs.is_integer ? static_cast<double>(inputs.ints[i])
                                                : inputs.floats[i]);
  };
  if (e.input_layout == "channels_last") {
    // N x H x W x C (or N x ... x C) to the channels-first layout of ONNX models: N x C x ...
    if (shape.size() < 2) {
      throw ConfigError(c.error_at("workload.input_layout",
                                   "channels_last needs samples of at least 2 dimensions "
                                   "(... x C); workload.inputs holds samples of " +
                                       shape_text(shape)));
    }
    const std::size_t channels = static_cast<std::size_t>(shape.back());
    const std::size_t spatial = per / channels;
    for (std::size_t s = 0; s < n; ++s) {
      for (std::size_t p = 0; p < spatial; ++p) {
        for (std::size_t ch = 0; ch < channels; ++ch) {
          out.values[s * per + ch * spatial + p] = value(s * per + p * channels + ch);
        }
      }
    }
    shape.insert(shape.begin(), shape.back());
    shape.pop_back();
  } else {
    for (std::size_t i = 0; i < out.values.size(); ++i) out.values[i] = value(i);
  }
  out.sample_shape = shape;
  out.labels = labels.ints;
  return out;
}

}  // namespace

std::size_t SampleSet::per_sample() const {
  std::size_t per = 1;
  for (const std::int64_t d : sample_shape) per *= static_cast<std::size_t>(d);
  return per;
}

std::vector<float> SampleSet::floats(std::size_t first, std::size_t count) const {
  const std::size_t per = per_sample();
  return {values.begin() + static_cast<std::ptrdiff_t>(first * per),
          values.begin() + static_cast<std::ptrdiff_t>((first + count) * per)};
}

SampleSet load_samples(const Experiment& e, Split split) {
  const std::string dataset = e.dataset;
  if (dataset == "npy") return from_npy(e);
  if (dataset == "fashion_mnist")
    return from_images(load_fashion_mnist(fashion_mnist_dir(), split));
  return from_images(load_mnist(default_data_dir() / "mnist", split));
}

}  // namespace cimsim
