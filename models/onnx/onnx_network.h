// An ONNX graph compiled for cimsim: every Conv, Gemm and MatMul whose weight is an initializer
// becomes a MatrixLayer that runs on crossbars (a grouped convolution one per group), with a
// BatchNormalization that only follows such a convolution or Gemm folded into its weights and
// bias, and a bias Add after a MatMul folded into its bias. Every other node runs in a small
// float interpreter (the digital unit). Tensors keep ONNX's layouts (NCHW); a convolution's
// im2col rows are in (ky, kx, cin) order, the order of the Keras CNN's crossbar rows.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "models/network/network.h"
#include "models/onnx/onnx_graph.h"

namespace cimsim {

// Lowers the bound on every tensor the interpreter computes (default and maximum
// kMaxOnnxTensorElements); the fuzz harness sets a small one so that no input exhausts memory.
void set_onnx_tensor_element_limit(std::uint64_t elements);

class OnnxNetwork {
 public:
  // The float product of one matrix layer: rows (t x k) -> t x n, bias included.
  using Product = std::function<std::vector<float>(std::size_t ordinal, const MatrixLayer& layer,
                                                   const std::vector<float>& rows, std::size_t t)>;

  // Compiles the graph; ConfigError names the node of an attribute value cimsim does not run
  // (a 3-D convolution, ceil_mode ...). `origin` names the model in errors.
  OnnxNetwork(OnnxGraph graph, std::string origin);

  [[nodiscard]] std::vector<MatrixLayer>& matrix_layers() { return layers_; }
  [[nodiscard]] const std::vector<MatrixLayer>& matrix_layers() const { return layers_; }
  // Per-sample shape of the graph input (the batch dimension left out) and of the output.
  [[nodiscard]] const std::vector<std::int64_t>& sample_shape() const { return sample_shape_; }
  [[nodiscard]] std::size_t outputs_per_sample() const { return outputs_per_sample_; }
  // Input vectors one sample puts through each matrix layer.
  [[nodiscard]] const std::vector<std::uint64_t>& vectors_per_sample() const { return vectors_; }
  // Per matrix layer: whether its input can be negative, given whether the graph input can.
  [[nodiscard]] std::vector<bool> inputs_can_be_negative(bool input_can_be_negative) const;
  // Floating-point operations of the digital operators for one sample (a rough count: one per
  // output element of an element-wise operator, k per output of a digital product).
  [[nodiscard]] std::uint64_t digital_ops_per_sample() const { return digital_ops_; }
  // BatchNormalization nodes folded into the convolution before them.
  [[nodiscard]] std::size_t folded_batch_norms() const { return folded_batch_norms_; }

  // The graph output for `count` samples (count x sample_shape() floats, row-major).
  [[nodiscard]] std::vector<float> run(const std::vector<float>& input, std::size_t count,
                                       const Product& product) const;

  // A step of the compiled program (public for the implementation's helpers).
  struct Step {
    const OnnxNode* node = nullptr;
    enum class Kind { kDigital, kConv, kGemm, kMatMul, kGelu, kSkip } kind = Kind::kDigital;
    std::size_t first_ordinal = 0;  // matrix layers kConv (one per group), kGemm, kMatMul
    std::size_t groups = 1;
    std::string output;  // the value it writes (a folded successor's output)
  };

 private:
  [[nodiscard]] std::vector<float> run_batch(const std::vector<float>& input, std::size_t count,
                                             const Product& product,
                                             std::uint64_t* digital_ops) const;
  void compile();
  [[nodiscard]] bool is_erf_gelu(std::size_t i, const std::map<std::string, int>& consumers) const;

  OnnxGraph graph_;
  std::string origin_;
  std::vector<Step> steps_;
  std::vector<MatrixLayer> layers_;
  std::vector<std::int64_t> sample_shape_;
  bool fixed_batch_one_ = false;
  std::size_t outputs_per_sample_ = 0;
  std::vector<std::uint64_t> vectors_;
  std::uint64_t digital_ops_ = 0;
  std::size_t folded_batch_norms_ = 0;
};

}  // namespace cimsim
