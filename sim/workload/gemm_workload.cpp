// The matrix workload: y = X W for integer (already quantized) or float .npy arrays, on one
// simulated layer. Float arrays are quantized as in crossbar-model.md section 1.
#include <cmath>
#include <memory>

#include "sim/config/experiment.h"
#include "sim/core/errors.h"
#include "sim/io/npy.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/mapping/quantize.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

IntMatrix to_matrix(const NpyArray& array, const std::string& what, const std::string& file) {
  if (array.shape.size() != 2) {
    throw DataError(file + ": " + what + " must be a 2-D array, got " +
                    std::to_string(array.shape.size()) + " dimensions");
  }
  IntMatrix m(array.shape[0], array.shape[1]);
  for (std::size_t i = 0; i < m.data.size(); ++i) {
    const std::int64_t v = array.ints[i];
    if (v < INT32_MIN || v > INT32_MAX) {
      throw DataError(file + ": " + what + " value " + std::to_string(v) + " does not fit 32 bits");
    }
    m.data[i] = static_cast<std::int32_t>(v);
  }
  return m;
}

class GemmWorkload final : public Workload {
 public:
  void validate(const Experiment& e) const override {
    for (const char* key : {"workload.weights", "workload.inputs"}) {
      if (!e.config.is_set(key)) {
        throw ConfigError(e.config.file.string() + ": " + key +
                          ": required for workload.kind gemm (a .npy file)");
      }
    }
  }

  [[nodiscard]] WorkloadResult run(const Experiment& e, const RunContext& context) const override {
    const std::string weights_file = e.weights->string();
    const std::string inputs_file = e.inputs->string();
    const NpyArray weights = read_npy(*e.weights);
    const NpyArray inputs = read_npy(*e.inputs);
    IntMatrix w;
    IntMatrix x;
    if (weights.is_integer) {
      w = to_matrix(weights, "weights", weights_file);
    } else {
      if (weights.shape.size() != 2) throw DataError(weights_file + ": weights must be 2-D");
      w = quantize_weights(weights.floats, weights.shape[0], weights.shape[1], e.quant).values;
    }
    bool input_signed = false;
    if (inputs.is_integer) {
      x = to_matrix(inputs, "inputs", inputs_file);
      input_signed = resolve_input_signed(e.quant, x);
      check_input_range(x, e.quant.input_bits, input_signed, inputs_file);
    } else {
      if (inputs.shape.size() != 2) throw DataError(inputs_file + ": inputs must be 2-D");
      // A matrix workload has no separate calibration set: its own inputs set the scale.
      const QuantizedInputs q = quantize_inputs(inputs.floats, inputs.shape[0], inputs.shape[1],
                                                e.quant, inputs.floats);
      x = q.values;
      input_signed = q.is_signed;
    }
    if (x.cols != w.rows) {
      throw DataError(inputs_file + ": inputs have " + std::to_string(x.cols) +
                      " columns but the weights (" + weights_file + ") have " +
                      std::to_string(w.rows) + " rows; expected inputs T x K and weights K x N");
    }
    MacroSettings settings = e.macro;
    settings.input_signed = input_signed;
    WorkloadResult result;
    result.layers.push_back({map_layer(e.mapping_policy, w, e.geometry, "gemm"), {}});
    const std::string vcd = e.outputs.vcd ? (context.staging_dir / e.outputs.vcd_file).string() : "";
    Accelerator top("top", {&result.layers[0].mapping}, settings, e.outputs.vcd_select, vcd);
    result.layers[0].result = top.run_layer(0, x);
    result.outputs = result.layers[0].result.outputs;
    result.inferences = x.rows;
    return result;
  }
};

const Registrar<Workload> kRegistrar("gemm",
                                     "one matrix product y = X W from .npy files (K x N weights, "
                                     "T x K inputs)",
                                     [] { return std::make_unique<GemmWorkload>(); });

}  // namespace
}  // namespace cimsim
