// The matrix workload: y = X W for integer (already quantized) or float .npy arrays, on one
// simulated layer. Float arrays are quantized as in crossbar-model.md section 1.
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "sim/config/experiment.h"
#include "sim/core/errors.h"
#include "sim/io/npy.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/mapping/prune.h"
#include "sim/mapping/quantize.h"
#include "sim/workload/layer_source.h"
#include "sim/workload/run_timing.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

IntMatrix to_matrix(const NpyArray& array, const std::string& what, const std::string& file) {
  IntMatrix m(array.shape[0], array.shape[1]);
  for (std::size_t i = 0; i < m.data.size(); ++i) {
    const std::int64_t v = array.ints[i];
    if (v < INT32_MIN || v > INT32_MAX) {
      throw DataError(fmt::format("{}: {} value {} does not fit 32 bits", file, what, v));
    }
    m.data[i] = static_cast<std::int32_t>(v);
  }
  return m;
}

NpyArray read_matrix(const std::filesystem::path& file, const std::string& what) {
  NpyArray array = read_npy(file);
  if (array.shape.size() != 2 || array.shape[0] == 0 || array.shape[1] == 0) {
    throw DataError(file.string() + ": " + what +
                    " must be a non-empty 2-D array, got shape with " +
                    std::to_string(array.shape.size()) + " dimensions");
  }
  return array;
}

// The integer weights (quantized and pruned when given as floats) and their scales.
QuantizedWeights load_weights(const Experiment& e) {
  const std::string file = e.weights->string();
  const NpyArray weights = read_matrix(*e.weights, "weights");
  const double sparsity = e.prune.sparsity;
  if (weights.is_integer) {
    if (sparsity > 0.0) {
      throw ConfigError(e.config.error_at("prune.sparsity",
                                          "integer weights are used as they are; prune float "
                                          "weights, or set 0"));
    }
    return QuantizedWeights{to_matrix(weights, "weights", file), {}};
  }
  std::vector<float> values(weights.floats.begin(), weights.floats.end());
  prune_by_magnitude({&values}, sparsity, "layer");
  return quantize_weights(std::vector<double>(values.begin(), values.end()), weights.shape[0],
                          weights.shape[1], e.quant);
}

class GemmWorkload final : public Workload {
 public:
  void validate(const Experiment& e) const override {
    if (e.split != "test") {
      throw ConfigError(e.config.error_at("workload.split",
                                          "only the image classifiers (mnist_cnn, vit, onnx) "
                                          "have a training split; use test"));
    }
    if (!e.inputs) {
      throw ConfigError(e.config.file.string() +
                        ": workload.inputs: required for workload.kind gemm (a .npy file)");
    }
    if (!e.weights && !e.trace) {
      throw ConfigError(e.config.file.string() +
                        ": workload.weights: required for workload.kind gemm (a .npy file) "
                        "unless workload.trace gives the mapped weights");
    }
  }

  [[nodiscard]] std::vector<TraceLayer> map_layers(const Experiment& e) const override {
    if (!e.weights) {
      throw ConfigError(e.config.file.string() + ": workload.weights: `cimsim map` needs weights");
    }
    QuantizedWeights w = load_weights(e);
    TraceLayer layer;
    layer.mapping = map_layer_of(e, w.values, "gemm");
    layer.weight_scales = std::move(w.scales);
    record_resolutions(layer, e);
    return {std::move(layer)};
  }

  [[nodiscard]] WorkloadResult run(const Experiment& e, const RunContext& context) const override {
    const std::string inputs_file = e.inputs->string();
    const NpyArray inputs = read_matrix(*e.inputs, "inputs");
    IntMatrix x;
    bool input_signed = false;
    if (inputs.is_integer) {
      x = to_matrix(inputs, "inputs", inputs_file);
      input_signed = resolve_input_signed(e.quant, x);
      check_input_range(x, e.quant.input_bits, input_signed, inputs_file);
    } else {
      // A matrix workload has no separate calibration set: its own inputs set the scale.
      const QuantizedInputs q =
          quantize_inputs(inputs.floats, inputs.shape[0], inputs.shape[1], e.quant, inputs.floats);
      x = q.values;
      input_signed = q.is_signed;
    }
    std::vector<TraceLayer> layers = trace_or_map(
        e, {{x.cols, 0}}, [&] { return map_layers(e); }, context.staging_dir);
    WorkloadResult result;
    result.layers.push_back({std::move(layers[0].mapping), {}});
    const MappedLayer& layer = result.layers[0].mapping;
    if (x.cols != static_cast<std::size_t>(layer.inputs)) {
      throw DataError(inputs_file + ": inputs have " + std::to_string(x.cols) +
                      " columns but the weights have " + std::to_string(layer.inputs) +
                      " rows; expected inputs T x K and weights K x N");
    }
    MacroSettings settings = e.macro;
    settings.input_signed = input_signed;
    const std::string vcd =
        e.outputs.vcd ? (context.staging_dir / e.outputs.vcd_file).string() : "";
    Accelerator top("top", {&layer}, settings, e.outputs.vcd_select, vcd);
    result.layers[0].result = top.run_layer(0, x);
    result.outputs = result.layers[0].result.outputs;
    result.inferences = x.rows;
    // The matrix product is one job of T vectors (sections 9 and 11: V = P x T cycles in a row).
    time_run(top, chained_schedule({x.rows}, 1), e, context, result);
    return result;
  }
};

const Registrar<Workload> kRegistrar("gemm",
                                     "one matrix product y = X W from .npy files (K x N weights, "
                                     "T x K inputs)",
                                     [] { return std::make_unique<GemmWorkload>(); });

}  // namespace
}  // namespace cimsim
