#include "sim/workload/image_classifier.h"
#include "sim/workload/run_timing.h"

#include <algorithm>
#include <cmath>
#include <future>

#include <spdlog/spdlog.h>

#include "sim/config/experiment.h"
#include "sim/core/errors.h"
#include "sim/macro/integer_gemm.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/mapping/prune.h"
#include "sim/mapping/quantize.h"
#include "sim/workload/layer_source.h"
#include "sim/workload/progress.h"
#include "sim/workload/sample_set.h"

namespace cimsim {

// Input scales from the float network's activations on training images (never test images;
// a .npy set has only the one split, docs/onnx.md).
std::vector<LayerQuantization> calibrate_inputs(const ImageClassifier& model, const Experiment& e,
                                                const SampleSet& train, std::size_t calibration,
                                                float smallest_input) {
  const std::vector<const MatrixLayer*> layers = model.matrix_layers();
  const std::string& method = e.quant.input_calibration;
  // "max" needs only a running maximum; a percentile needs every |x|, kept as float (the
  // activations are float, so nothing is lost). Images go through in chunks so that no
  // layer's input rows for all calibration images exist at once (1.4 GB for the CNN's im2col
  // rows at 500 images).
  std::vector<double> largest(layers.size(), 0.0);
  std::vector<std::vector<float>> magnitudes(layers.size());
  std::vector<std::size_t> seen(layers.size(), 0);
  constexpr std::size_t kChunk = 50;  // images per calibration forward
  for (std::size_t first = 0; first < calibration; first += kChunk) {
    const std::size_t count = std::min(kChunk, calibration - first);
    const std::vector<float> images = train.floats(first, count);
    (void)model.forward_float(
        images, count, [&](std::size_t ordinal, const std::vector<float>& values) {
          seen[ordinal] += values.size();
          if (method == "max") {
            for (float v : values) {
              largest[ordinal] = std::max(largest[ordinal], std::fabs(static_cast<double>(v)));
            }
          } else {
            for (float v : values) magnitudes[ordinal].push_back(std::fabs(v));
          }
        });
  }
  const std::vector<bool> negative = model.inputs_can_be_negative(smallest_input);
  std::vector<LayerQuantization> quant;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    LayerQuantization q;
    q.input_signed =
        e.quant.input_signed == "true" || (e.quant.input_signed == "auto" && negative[i]);
    q.input_bits = e.quant.input_bits;
    const double magnitude =
        method == "max" ? largest[i] : calibration_magnitude(magnitudes[i], method);
    const double largest_code = input_code_range(q.input_bits, q.input_signed).hi;
    q.input_scale = magnitude > 0.0 ? magnitude / largest_code : 1.0;
    spdlog::debug("layer {}: input scale {:.6g} ({} calibration values), {}", layers[i]->name,
                  q.input_scale, seen[i], q.input_signed ? "signed" : "unsigned");
    quant.push_back(std::move(q));
  }
  return quant;
}

namespace {

// A .npy set's samples must be the model's input exactly, and its labels the model's classes.
void check_samples_fit(const ImageClassifier& model, const SampleSet& set, const Experiment& e) {
  const auto text = [](const std::vector<std::int64_t>& shape) {
    std::string out;
    for (const std::int64_t d : shape) out += (out.empty() ? "" : " x ") + std::to_string(d);
    return out;
  };
  const std::vector<std::int64_t> want = model.sample_shape();
  if (e.dataset == "npy" && set.sample_shape != want) {
    throw ConfigError(e.config.error_at(
        "workload.inputs", "the model takes samples of " + text(want) +
                               "; the file's samples are " + text(set.sample_shape) +
                               (e.input_layout == "channels_last"
                                    ? " after moving the channels first (workload.input_layout)"
                                    : " (workload.input_layout: channels_first)")));
  }
  for (std::size_t i = 0; i < set.count(); ++i) {
    if (static_cast<std::size_t>(set.labels[i]) >= model.classes()) {
      throw ConfigError(e.config.error_at("workload.labels",
                                          "label " + std::to_string(set.labels[i]) + " of sample " +
                                              std::to_string(i) + " is not one of the model's " +
                                              std::to_string(model.classes()) + " classes (0 to " +
                                              std::to_string(model.classes() - 1) + ")"));
    }
  }
}

}  // namespace

void prune_matrix_layers(const std::vector<MatrixLayer*>& layers, const Experiment& e) {
  std::vector<std::vector<float>*> kernels;
  kernels.reserve(layers.size());
  for (MatrixLayer* layer : layers) kernels.push_back(&layer->weights);
  prune_by_magnitude(kernels, e.prune.sparsity, e.prune.scope);
}

std::vector<TraceLayer> map_classifier(const ImageClassifier& model, const Experiment& e) {
  std::vector<TraceLayer> layers;
  for (const MatrixLayer* m : model.matrix_layers()) {
    QuantizedWeights w = quantize_weights(std::vector<double>(m->weights.begin(), m->weights.end()),
                                          m->k, m->n, e.quant);
    TraceLayer layer;
    layer.mapping = map_layer_of(e, w.values, m->name);
    layer.weight_scales = std::move(w.scales);
    record_resolutions(layer, e);
    layers.push_back(std::move(layer));
  }
  return layers;
}

WorkloadResult run_classifier(const ImageClassifier& model, const Experiment& e,
                              const RunContext& context) {
  const bool one_set = e.dataset == "npy";
  // workload.split train_tail: the last `samples` training images, which `cimsim optimize`
  // chooses on so that the test set stays unseen; they must not overlap the images that
  // calibrated the input scales. A .npy dataset has only the one split.
  const bool train_tail = e.split == "train_tail";
  if (train_tail && one_set) {
    throw KeyedConfigError("workload.split",
                           "workload.dataset npy has one split only; train_tail needs a training "
                           "split (mnist, fashion_mnist)");
  }
  const SampleSet train = one_set ? SampleSet() : load_samples(e, Split::kTrain);
  const SampleSet test_split = train_tail ? SampleSet() : load_samples(e, Split::kTest);
  const SampleSet& test = train_tail ? train : test_split;
  const SampleSet& calibration_set = one_set ? test : train;
  check_samples_fit(model, test, e);
  float smallest_input = 0.0F;
  for (const SampleSet* set : {&test, &train}) {
    for (const float v : set->values) smallest_input = std::min(smallest_input, v);
  }
  const std::size_t samples = std::min<std::size_t>(
      test.count(), e.samples ? static_cast<std::size_t>(*e.samples) : test.count());
  const std::size_t calibration = std::min<std::size_t>(
      calibration_set.count(), static_cast<std::size_t>(e.calibration_samples));
  if (train_tail && samples + calibration > train.count()) {
    throw KeyedConfigError("workload.samples",
                           "the last " + std::to_string(samples) + " training images overlap the " +
                               std::to_string(calibration) +
                               " that calibrate the input scales (workload.calibration_samples); "
                               "the training split has " +
                               std::to_string(train.count()));
  }
  const std::size_t offset = train_tail ? test.count() - samples : 0;

  std::vector<std::pair<std::size_t, std::size_t>> shapes;
  for (const MatrixLayer* m : model.matrix_layers()) shapes.emplace_back(m->k, m->n);
  std::vector<TraceLayer> mapped_layers = trace_or_map(
      e, shapes, [&] { return map_classifier(model, e); }, context.staging_dir);
  std::vector<LayerQuantization> quant =
      calibrate_inputs(model, e, calibration_set, calibration, smallest_input);
  WorkloadResult result;
  for (std::size_t i = 0; i < mapped_layers.size(); ++i) {
    quant[i].weight_scales = mapped_layers[i].weight_scales;
    if (quant[i].weight_scales.size() !=
        static_cast<std::size_t>(mapped_layers[i].mapping.outputs)) {
      throw DataError("layer '" + mapped_layers[i].mapping.name +
                      "': the trace holds no weight scales; map the network with `cimsim map`");
    }
    result.layers.push_back({std::move(mapped_layers[i].mapping), {}});
  }
  std::vector<const MappedLayer*> mapped;
  for (const auto& record : result.layers) mapped.push_back(&record.mapping);
  // Signedness can differ per layer; the macro settings carry it per accelerator, so layers
  // with signed inputs need their own settings: all of a network's are unsigned or signed
  // alike in practice, and a mix is refused rather than simulated wrongly.
  MacroSettings settings = e.macro;
  settings.input_signed = quant.front().input_signed;
  for (const auto& q : quant) {
    if (q.input_signed != settings.input_signed) {
      throw ConfigError(e.config.error_at("quant.input_signed",
                                          "layers with signed and unsigned inputs in one network "
                                          "are not supported yet; set true or false"));
    }
  }
  const std::string vcd = e.outputs.vcd ? (context.staging_dir / e.outputs.vcd_file).string() : "";
  Accelerator top("top", mapped, settings, e.outputs.vcd_select, vcd);

  const std::size_t batch = static_cast<std::size_t>(e.batch);
  std::size_t float_correct = 0;
  std::size_t ideal_correct = 0;
  std::size_t simulated_correct = 0;
  const std::size_t classes = model.classes();
  // The integer-ideal product multiplies by the weights the crossbars hold (rebuilt from their
  // cells once, by the accelerator), so that the integer-ideal accuracy refers to exactly the
  // simulated weights, whether mapped now or read from a trace.
  // When every layer is an exact product, the simulated network is the integer-ideal one
  // (kernel_equivalence_test and lossless_property_test check that), so it is computed once.
  bool all_exact = true;
  for (std::size_t i = 0; i < mapped.size(); ++i) all_exact = all_exact && top.layer_is_exact(i);
  Progress progress("images", samples);
  for (std::size_t first = 0; first < samples; first += batch) {
    const std::size_t count = std::min(batch, samples - first);
    const std::vector<float> images = test.floats(offset + first, count);
    // The float reference runs on another thread meanwhile: the simulated forward spends much
    // of its time in serial work (SystemC, digit statistics), which leaves a core free.
    std::future<std::vector<float>> float_forward =
        std::async(std::launch::async,
                   [&model, &images, count] { return model.forward_float(images, count); });
    const std::vector<float> logits_simulated =
        model.forward_quantized(quant, images, count, [&](std::size_t ordinal, const IntMatrix& x) {
          LayerResult layer = top.run_layer(ordinal, x);
          WideMatrix outputs = std::move(layer.outputs);
          layer.outputs = WideMatrix();
          result.layers[ordinal].result.add_batch(layer);
          return outputs;
        });
    const std::vector<float> logits_ideal =
        all_exact ? logits_simulated
                  : model.forward_quantized(quant, images, count,
                                            [&top](std::size_t ordinal, const IntMatrix& x) {
                                              return integer_gemm(x, top.layer_weights(ordinal));
                                            });
    const std::vector<float> logits_float = float_forward.get();
    for (std::size_t i = 0; i < count; ++i) {
      const auto label = static_cast<std::size_t>(test.labels[offset + first + i]);
      float_correct += argmax(&logits_float[i * classes], classes) == label ? 1 : 0;
      ideal_correct += argmax(&logits_ideal[i * classes], classes) == label ? 1 : 0;
      simulated_correct += argmax(&logits_simulated[i * classes], classes) == label ? 1 : 0;
    }
    progress.advance(count);
  }
  ScheduleRequest request = chained_schedule(model.vectors_per_image(), samples);
  const std::vector<LayerDependency> dependencies = model.dependencies();
  if (!dependencies.empty()) request.dependencies = dependencies;
  time_run(top, request, e, context, result);
  const auto fraction = [samples](std::size_t correct) {
    return samples == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(samples);
  };
  result.accuracy = Accuracy{samples, fraction(simulated_correct), fraction(float_correct),
                             fraction(ideal_correct)};
  result.inferences = samples;
  result.inference_unit = "images";
  return result;
}

}  // namespace cimsim
