// The ViT exported from its PyTorch definition (models/onnx/vit_fashion.onnx, written by
// scripts/export_onnx_vit.py from models/vit_fashion/sparse0) is the native `vit` workload's
// encoder: the same crossbar weights in the same row order, every crossbar layer's float inputs
// and the logits bit for bit, the same integer products of every layer at any fixed quantization,
// and from the command line the same report (every layer's counts, energy and time) and the same
// float, integer-ideal and simulated top-1 at lossless ADCs.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/datasets/data_dir.h"
#include "models/datasets/mnist.h"
#include "models/network/forward.h"
#include "models/onnx/onnx_graph.h"
#include "models/onnx/onnx_network.h"
#include "models/transformer/vit_forward.h"
#include "models/transformer/vit_model.h"
#include "sim/macro/integer_gemm.h"
#include "sim/mapping/quantize.h"
#include "tests/golden/run_binary.h"
#include "tests/io/test_files.h"

namespace cimsim {
namespace {

const std::filesystem::path kSource(CIMSIM_SOURCE_DIR);

TEST(OnnxVit, IsTheNativeVitLayerForLayer) {
  const VisionTransformer native = load_vit(kSource / "models" / "vit_fashion" / "sparse0");
  const std::filesystem::path path = kSource / "models" / "onnx" / "vit_fashion.onnx";
  const OnnxNetwork onnx(read_onnx_model(path), path.string());
  const std::vector<const MatrixLayer*> layers = native.matrix_layers();
  ASSERT_EQ(onnx.matrix_layers().size(), layers.size());
  std::vector<LayerQuantization> quant;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const MatrixLayer& a = *layers[i];
    const MatrixLayer& b = onnx.matrix_layers()[i];
    EXPECT_EQ(a.k, b.k) << "layer " << i;
    EXPECT_EQ(a.n, b.n) << "layer " << i;
    EXPECT_TRUE(a.weights == b.weights) << "layer " << i << " weights differ (row order?)";
    EXPECT_TRUE(a.bias == b.bias) << "layer " << i;
    const QuantizedWeights w = quantize_weights(
        std::vector<double>(a.weights.begin(), a.weights.end()), a.k, a.n, QuantSettings{});
    LayerQuantization q;
    q.weights = w.values;
    q.weight_scales = w.scales;
    q.input_scale = 0.03;  // any fixed scale will do: signed 8-bit inputs of up to about 3.8
    q.input_signed = true;
    quant.push_back(q);
  }
  EXPECT_EQ(onnx.vectors_per_sample(), vit_vectors_per_image(native));

  const ImageSet test = load_fashion_mnist(fashion_mnist_dir(), Split::kTest);
  constexpr std::size_t kImages = 24;
  std::vector<float> images(kImages * 784);
  for (std::size_t i = 0; i < images.size(); ++i)
    images[i] = static_cast<float>(test.pixels[i]) / 255.0F;

  // Float path: every crossbar layer's input rows, then the logits.
  std::vector<std::vector<float>> inputs_native(layers.size());
  std::vector<std::vector<float>> inputs_onnx(layers.size());
  const std::vector<float> float_native = vit_forward_float(
      native, images, kImages,
      [&](std::size_t ordinal, const std::vector<float>& rows) { inputs_native[ordinal] = rows; });
  const std::vector<float> float_onnx =
      onnx.run(images, kImages,
               [&](std::size_t ordinal, const MatrixLayer& m, const std::vector<float>& rows,
                   std::size_t t) {
                 inputs_onnx[ordinal] = rows;
                 return float_matrix_product(m, rows, t);
               });
  for (std::size_t i = 0; i < layers.size(); ++i) {
    EXPECT_TRUE(inputs_native[i] == inputs_onnx[i])
        << "layer " << i << " (" << layers[i]->name << ") float inputs differ";
  }
  EXPECT_TRUE(float_native == float_onnx) << "float logits differ";

  // Quantized path: the integer products of every layer.
  std::vector<WideMatrix> products_native(layers.size());
  std::vector<WideMatrix> products_onnx(layers.size());
  const auto record = [&quant](std::vector<WideMatrix>& into) {
    return [&quant, &into](std::size_t ordinal, const IntMatrix& x) {
      WideMatrix y = integer_gemm(x, quant[ordinal].weights);
      into[ordinal] = y;
      return y;
    };
  };
  const std::vector<float> q_native =
      vit_forward_quantized(native, quant, images, kImages, record(products_native));
  const MatmulFn onnx_matmul = record(products_onnx);
  const std::vector<float> q_onnx =
      onnx.run(images, kImages,
               [&](std::size_t ordinal, const MatrixLayer& m, const std::vector<float>& rows,
                   std::size_t t) {
                 return quantized_matrix_product(m, quant[ordinal], rows, t, ordinal, onnx_matmul);
               });
  for (std::size_t i = 0; i < layers.size(); ++i) {
    EXPECT_EQ(products_native[i].rows, products_onnx[i].rows) << i;
    EXPECT_TRUE(products_native[i].data == products_onnx[i].data)
        << "layer " << i << " integer outputs differ";
  }
  EXPECT_TRUE(q_native == q_onnx) << "quantized logits differ";
}

// From the command line, at lossless ADCs: the same report.json (totals, every layer's counts,
// energy and time) and the same float, integer-ideal and simulated top-1 as the native run.
TEST(OnnxVit, RunGivesTheNativeReportAndTop1) {
  testing::TempDir dir;
  const std::string common =
      " --set workload.samples=200 --set mapping.policy=baseline"
      " --set hardware.adc.policy=lossless";
  const std::string config =
      testing::source_path("configs/experiments/onnx/vit_fashion.yaml").string();
  const auto onnx_run =
      testing::run_cimsim("run " + config + common + " --out " + (dir.path() / "onnx").string());
  ASSERT_EQ(onnx_run.exit_code, 0) << onnx_run.output;
  const auto native_run = testing::run_cimsim(
      "run " + config + common + " --set workload.kind=vit --set workload.model=" +
      (kSource / "models" / "vit_fashion" / "sparse0").string() + " --out " +
      (dir.path() / "native").string());
  ASSERT_EQ(native_run.exit_code, 0) << native_run.output;
  const auto report = [&](const char* name) {
    return nlohmann::json::parse(testing::read_file(dir.path() / name / "report.json"));
  };
  nlohmann::json a = report("onnx");
  nlohmann::json b = report("native");
  EXPECT_EQ(a["accuracy"], b["accuracy"]);
  EXPECT_EQ(a["totals"], b["totals"]);
  ASSERT_EQ(a["layers"].size(), b["layers"].size());
  for (std::size_t i = 0; i < a["layers"].size(); ++i) {
    a["layers"][i].erase("name");  // ONNX node names vs the native layer names
    b["layers"][i].erase("name");
    EXPECT_EQ(a["layers"][i], b["layers"][i]) << "layer " << i;
  }
  EXPECT_EQ(a["accuracy"]["top1"], a["accuracy"]["ideal_top1"]);
}

}  // namespace
}  // namespace cimsim
