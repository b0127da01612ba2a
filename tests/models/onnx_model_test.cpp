// The ONNX workload (issue 18): the reader refuses what it does not run with the node's name
// (exit 2) and malformed files as data errors (exit 1); the interpreter's convolution matches a
// direct one under pads, strides, dilations and groups; a BatchNormalization folded into its
// convolution gives the unfolded result; and the committed models/onnx/mnist_cnn.onnx (exported
// from PyTorch by scripts/export_onnx_cnn.py) is the native Keras CNN: the same crossbar weights,
// float logits bit for bit, every layer's integer products, and the same report and top-1 from
// the command line.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "models/datasets/data_dir.h"
#include "models/datasets/mnist.h"
#include "models/keras/keras_model.h"
#include "models/network/forward.h"
#include "models/network/keras_network.h"
#include "models/onnx/onnx_graph.h"
#include "models/onnx/onnx_network.h"
#include "sim/config/experiment.h"
#include "sim/core/errors.h"
#include "sim/macro/integer_gemm.h"
#include "sim/mapping/quantize.h"
#include "tests/golden/run_binary.h"
#include "tests/io/test_files.h"

namespace cimsim {
namespace {

// A small ONNX model built in the test: input "x" of shape [N, dims...].
class ModelBuilder {
 public:
  explicit ModelBuilder(const std::vector<std::int64_t>& sample_dims) {
    model_.set_ir_version(8);
    auto* opset = model_.add_opset_import();
    opset->set_domain("");
    opset->set_version(13);
    auto* in = graph()->add_input();
    in->set_name("x");
    auto* type = in->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    type->mutable_shape()->add_dim()->set_dim_param("N");
    for (auto d : sample_dims) type->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::GraphProto* graph() { return model_.mutable_graph(); }
  void initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                   const std::vector<float>& values) {
    auto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
  }
  onnx::NodeProto* node(const std::string& op, const std::string& name,
                        const std::vector<std::string>& inputs, const std::string& output) {
    auto* n = graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
  }
  static void ints(onnx::NodeProto* n, const std::string& name,
                   const std::vector<std::int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }
  static void integer(onnx::NodeProto* n, const std::string& name, std::int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  std::string bytes(const std::string& output) {
    graph()->add_output()->set_name(output);
    return model_.SerializeAsString();
  }

 private:
  onnx::ModelProto model_;
};

OnnxGraph parse(const std::string& bytes) {
  return parse_onnx_model(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                          "test.onnx");
}

std::vector<float> random_values(std::mt19937& rng, std::size_t n) {
  std::uniform_real_distribution<float> u(-1.0F, 1.0F);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

std::vector<float> float_run(const OnnxNetwork& net, const std::vector<float>& x,
                             std::size_t count) {
  return net.run(x, count,
                 [](std::size_t, const MatrixLayer& m, const std::vector<float>& rows,
                    std::size_t t) { return float_matrix_product(m, rows, t); });
}

TEST(OnnxReader, UnsupportedOperatorIsRefusedWithTheNodeAndTheSupportedList) {
  ModelBuilder b({4});
  b.node("Relu", "fine", {"x"}, "r");
  b.node("LSTM", "my_lstm", {"r"}, "y");
  try {
    (void)parse(b.bytes("y"));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("node 'my_lstm' (LSTM)"), std::string::npos) << message;
    EXPECT_NE(message.find("supported operators: "), std::string::npos) << message;
    EXPECT_NE(message.find("Conv"), std::string::npos) << message;
  }
}

TEST(OnnxReader, UnsupportedAttributeIsRefused) {
  ModelBuilder b({4});
  ModelBuilder::integer(b.node("Relu", "odd_relu", {"x"}, "y"), "alpha", 2);
  try {
    (void)parse(b.bytes("y"));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'odd_relu' (Relu): attribute 'alpha'"), std::string::npos)
        << e.what();
  }
}

TEST(OnnxReader, TruncatedGarbageAndHugeTensorsAreDataErrors) {
  ModelBuilder b({16});
  std::mt19937 rng(1);
  b.initializer("w", {16, 8}, random_values(rng, 128));
  b.node("MatMul", "mm", {"x", "w"}, "y");
  const std::string good = b.bytes("y");
  EXPECT_NO_THROW((void)parse(good));
  testing::expect_data_error([&] { (void)parse(good.substr(0, good.size() / 2)); },
                             {"test.onnx", "not a valid ONNX model"});
  testing::expect_data_error([&] { (void)parse("this is not protobuf at all"); }, {"test.onnx"});
  ModelBuilder huge({4});
  auto* t = huge.graph()->add_initializer();  // 2^40 elements declared, none given
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(std::int64_t{1} << 20);
  t->add_dims(std::int64_t{1} << 20);
  huge.node("MatMul", "mm", {"x", "w"}, "y");
  testing::expect_data_error([&] { (void)parse(huge.bytes("y")); }, {"2^28 elements"});
  ModelBuilder short_data({16});
  short_data.initializer("w", {16, 8}, random_values(rng, 100));  // 128 declared
  short_data.node("MatMul", "mm", {"x", "w"}, "y");
  testing::expect_data_error([&] { (void)parse(short_data.bytes("y")); },
                             {"100 values, expected 128"});
}

// Direct convolution, NCHW, as the ONNX operator defines it.
std::vector<float> direct_conv(const std::vector<float>& x, int batch, int c, int h, int w,
                               const std::vector<float>& k, int cout, int kh, int kw,
                               const std::vector<float>& bias, int group, int pt, int pl, int pb,
                               int pr, int sh, int sw, int dh, int dw, int& oh, int& ow) {
  oh = (h + pt + pb - (kh - 1) * dh - 1) / sh + 1;
  ow = (w + pl + pr - (kw - 1) * dw - 1) / sw + 1;
  const int cin_g = c / group;
  const int cout_g = cout / group;
  std::vector<float> y(static_cast<std::size_t>(batch * cout * oh * ow));
  for (int b = 0; b < batch; ++b)
    for (int o = 0; o < cout; ++o)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double sum = bias[static_cast<std::size_t>(o)];
          const int g = o / cout_g;
          for (int ci = 0; ci < cin_g; ++ci)
            for (int ky = 0; ky < kh; ++ky)
              for (int kx = 0; kx < kw; ++kx) {
                const int iy = oy * sh - pt + ky * dh;
                const int ix = ox * sw - pl + kx * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                sum +=
                    static_cast<double>(
                        x[static_cast<std::size_t>(((b * c + g * cin_g + ci) * h + iy) * w + ix)]) *
                    k[static_cast<std::size_t>(((o * cin_g + ci) * kh + ky) * kw + kx)];
              }
          y[static_cast<std::size_t>(((b * cout + o) * oh + oy) * ow + ox)] =
              static_cast<float>(sum);
        }
  return y;
}

TEST(OnnxNetwork, ConvolutionMatchesDirectConvolution) {
  std::mt19937 rng(7);
  const int c = 4, h = 7, w = 8, cout = 6, kh = 3, kw = 2, group = 2;
  const std::vector<float> k =
      random_values(rng, static_cast<std::size_t>(cout * (c / group) * kh * kw));
  const std::vector<float> bias = random_values(rng, cout);
  ModelBuilder b({c, h, w});
  b.initializer("k", {cout, c / group, kh, kw}, k);
  b.initializer("b", {cout}, bias);
  onnx::NodeProto* conv = b.node("Conv", "conv", {"x", "k", "b"}, "y");
  ModelBuilder::ints(conv, "pads", {1, 0, 2, 1});
  ModelBuilder::ints(conv, "strides", {2, 1});
  ModelBuilder::ints(conv, "dilations", {1, 2});
  ModelBuilder::integer(conv, "group", group);
  const OnnxNetwork net(parse(b.bytes("y")), "test.onnx");
  ASSERT_EQ(net.matrix_layers().size(), 2U);  // one crossbar layer per group
  EXPECT_EQ(net.matrix_layers()[0].k, static_cast<std::size_t>(kh * kw * c / group));
  const std::vector<float> x = random_values(rng, static_cast<std::size_t>(2 * c * h * w));
  int oh = 0, ow = 0;
  const std::vector<float> want =
      direct_conv(x, 2, c, h, w, k, cout, kh, kw, bias, group, 1, 0, 2, 1, 2, 1, 1, 2, oh, ow);
  const std::vector<float> got = float_run(net, x, 2);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << i;
  EXPECT_EQ(net.vectors_per_sample(),
            (std::vector<std::uint64_t>{static_cast<std::uint64_t>(oh * ow),
                                        static_cast<std::uint64_t>(oh * ow)}));
}

// Conv -> BatchNormalization folds into the crossbar weights; the same graph with an Identity in
// between keeps the normalization digital. Both must agree, and the fold must have happened.
TEST(OnnxNetwork, BatchNormalizationFoldsIntoTheConvolution) {
  std::mt19937 rng(3);
  const int c = 2, cout = 3;
  const std::vector<float> k = random_values(rng, static_cast<std::size_t>(cout * c * 9));
  const std::vector<float> bias = random_values(rng, cout);
  const std::vector<float> gamma{1.5F, -0.5F, 2.0F}, beta{0.1F, 0.2F, -0.3F},
      mean{0.3F, -0.2F, 0.05F}, var{0.5F, 2.0F, 0.1F};
  const auto build = [&](bool identity) {
    ModelBuilder b({c, 5, 5});
    b.initializer("k", {cout, c, 3, 3}, k);
    b.initializer("b", {cout}, bias);
    for (const auto& [name, v] : {std::pair{"g", gamma}, {"be", beta}, {"m", mean}, {"v", var}}) {
      b.initializer(name, {cout}, v);
    }
    ModelBuilder::ints(b.node("Conv", "conv", {"x", "k", "b"}, "c"), "pads", {1, 1, 1, 1});
    std::string bn_in = "c";
    if (identity) {
      b.node("Identity", "keep", {"c"}, "i");
      bn_in = "i";
    }
    b.node("BatchNormalization", "bn", {bn_in, "g", "be", "m", "v"}, "y");
    return OnnxNetwork(parse(b.bytes("y")), "test.onnx");
  };
  const OnnxNetwork folded = build(false);
  const OnnxNetwork digital = build(true);
  EXPECT_EQ(folded.folded_batch_norms(), 1U);
  EXPECT_EQ(digital.folded_batch_norms(), 0U);
  EXPECT_NE(folded.matrix_layers()[0].bias, digital.matrix_layers()[0].bias);
  EXPECT_EQ(digital.matrix_layers()[0].bias, bias);
  const std::vector<float> x = random_values(rng, static_cast<std::size_t>(3 * c * 25));
  const std::vector<float> a = float_run(folded, x, 3);
  const std::vector<float> want = float_run(digital, x, 3);
  ASSERT_EQ(a.size(), want.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], want[i], 1e-5F * (1.0F + std::fabs(want[i])));
}

std::filesystem::path onnx_cnn() {
  return std::filesystem::path(CIMSIM_SOURCE_DIR) / "models" / "onnx" / "mnist_cnn.onnx";
}

// The exported CNN is the native one: crossbar weights in the same row order, the same float
// logits bit for bit and the same integer products of every layer.
TEST(OnnxMnistCnn, IsTheNativeCnnLayerForLayer) {
  const Network native = network_from_keras(load_mnist_cnn(default_data_dir() / "mnist-cnn"), "cnn",
                                            TensorShape{28, 28, 1});
  const OnnxNetwork onnx(read_onnx_model(onnx_cnn()), onnx_cnn().string());
  const std::vector<std::size_t> indices = native.matrix_layers();
  ASSERT_EQ(onnx.matrix_layers().size(), indices.size());
  std::vector<LayerQuantization> quant;
  const double input_scales[] = {1.0 / 255, 0.02, 0.02, 0.05};  // any fixed scales will do
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const MatrixLayer& a = native.layers[indices[i]].matrix;
    const MatrixLayer& b = onnx.matrix_layers()[i];
    EXPECT_EQ(a.k, b.k);
    EXPECT_EQ(a.n, b.n);
    EXPECT_TRUE(a.weights == b.weights) << "layer " << i << " weights differ";
    EXPECT_TRUE(a.bias == b.bias) << "layer " << i;
    const QuantizedWeights w = quantize_weights(
        std::vector<double>(a.weights.begin(), a.weights.end()), a.k, a.n, QuantSettings{});
    LayerQuantization q;
    q.weights = w.values;
    q.weight_scales = w.scales;
    q.input_scale = input_scales[i];
    quant.push_back(q);
  }
  const ImageSet test = load_mnist(default_data_dir() / "mnist", Split::kTest);
  constexpr std::size_t kImages = 24;
  std::vector<float> images(kImages * 784);
  for (std::size_t i = 0; i < images.size(); ++i)
    images[i] = static_cast<float>(test.pixels[i]) / 255.0F;
  const std::vector<float> float_native = forward_float(native, images, kImages);
  const std::vector<float> float_onnx = float_run(onnx, images, kImages);
  EXPECT_TRUE(float_native == float_onnx) << "float outputs differ";
  std::vector<WideMatrix> products_native(indices.size());
  std::vector<WideMatrix> products_onnx(indices.size());
  const auto record = [&quant](std::vector<WideMatrix>& into) {
    return [&quant, &into](std::size_t ordinal, const IntMatrix& x) {
      WideMatrix y = integer_gemm(x, quant[ordinal].weights);
      into[ordinal] = y;
      return y;
    };
  };
  const std::vector<float> q_native =
      forward_quantized(native, quant, images, kImages, record(products_native));
  const MatmulFn onnx_matmul = record(products_onnx);
  const std::vector<float> q_onnx =
      onnx.run(images, kImages,
               [&](std::size_t ordinal, const MatrixLayer& m, const std::vector<float>& rows,
                   std::size_t t) {
                 return quantized_matrix_product(m, quant[ordinal], rows, t, ordinal, onnx_matmul);
               });
  for (std::size_t i = 0; i < indices.size(); ++i) {
    EXPECT_EQ(products_native[i].rows, products_onnx[i].rows) << i;
    EXPECT_TRUE(products_native[i].data == products_onnx[i].data)
        << "layer " << i << " integer outputs differ";
  }
  EXPECT_TRUE(q_native == q_onnx);
}

// From the command line: the onnx workload gives the native workload's report (every layer's
// counts, energy and time) and its three top-1 values, at lossless ADCs.
TEST(OnnxMnistCnn, RunGivesTheNativeReportAndTop1) {
  testing::TempDir dir;
  const std::string common =
      " --set workload.samples=200 --set mapping.policy=baseline"
      " --set hardware.adc.policy=lossless";
  const std::string config =
      testing::source_path("configs/experiments/onnx/mnist_cnn.yaml").string();
  const auto onnx_run =
      testing::run_cimsim("run " + config + common + " --out " + (dir.path() / "onnx").string());
  ASSERT_EQ(onnx_run.exit_code, 0) << onnx_run.output;
  const auto native_run = testing::run_cimsim(
      "run " + config + common + " --set workload.kind=mnist_cnn --set workload.model=null --out " +
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
    a["layers"][i].erase("name");
    b["layers"][i].erase("name");
    EXPECT_EQ(a["layers"][i], b["layers"][i]) << "layer " << i;
  }
  EXPECT_EQ(a["accuracy"]["top1"], a["accuracy"]["ideal_top1"]);
}

TEST(OnnxCli, UnsupportedOperatorExitsTwoAndTruncatedModelExitsOne) {
  testing::TempDir dir;
  ModelBuilder b({1, 28, 28});
  b.node("Relu", "fine", {"x"}, "r");
  b.node("NonMaxSuppression", "odd_op", {"r"}, "y");
  dir.write("bad.onnx", b.bytes("y"));
  const std::string good = testing::read_bytes(onnx_cnn());
  dir.write("cut.onnx", good.substr(0, good.size() / 3));
  for (const auto& [file, code, text] :
       {std::tuple{"bad.onnx", 2, "node 'odd_op' (NonMaxSuppression): operator not supported"},
        std::tuple{"cut.onnx", 1, "not a valid ONNX model"}}) {
    const std::string yaml = std::string("version: 1\nworkload:\n  kind: onnx\n  model: ") + file +
                             "\nmapping:\n  policy: sws\n";
    const auto exp = dir.write(std::string(file) + ".yaml", yaml);
    const auto result =
        testing::run_cimsim("run " + exp.string() + " --out " + (dir.path() / "out").string());
    EXPECT_EQ(result.exit_code, code) << result.output;
    EXPECT_NE(result.output.find(text), std::string::npos) << result.output;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "out" / "report.json"));
  }
}

// The fuzz seeds (fuzz/make_onnx_seeds.py) use every accepted operator: the two models compile
// and run a sample through the interpreter, the third is refused for its operator.
TEST(OnnxFuzzSeeds, AreAcceptedOrRefusedAsIntended) {
  const auto seed = [](const std::string& name) {
    return testing::read_bytes(testing::source_path("fuzz/corpus/onnx/" + name + ".onnx"));
  };
  for (const char* name : {"cnn", "transformer"}) {
    const std::string bytes = seed(name);
    ASSERT_FALSE(bytes.empty()) << name;
    const OnnxNetwork net(parse(bytes), name);
    EXPECT_GT(net.outputs_per_sample(), 0U) << name;
  }
  const OnnxNetwork cnn(parse(seed("cnn")), "cnn");
  EXPECT_EQ(cnn.matrix_layers().size(), 1U + 4U + 1U);  // conv (bn folded), 4 depthwise groups, fc
  const OnnxNetwork transformer(parse(seed("transformer")), "transformer");
  EXPECT_EQ(transformer.matrix_layers().size(), 1U);  // only wq has an initializer weight
  EXPECT_EQ(transformer.outputs_per_sample(), 2U);
  EXPECT_THROW((void)parse(seed("unsupported")), ConfigError);
}

// The ResNet-style network of scripts/train_resnet.py (batch normalization folded at load,
// residual adds, strided convolutions, global average pooling): cimsim's float path scores on the
// full Fashion-MNIST test set exactly what torch scored (models/onnx/resnet_fashion/training.json).
// (One test for the four networks, so that the sanitizer run's OnTheFullTestSet$ filter skips it.)
TEST(OnnxResnet, FloatTop1IsTorchsOnTheFullTestSet) {
  const std::filesystem::path folder =
      std::filesystem::path(CIMSIM_SOURCE_DIR) / "models" / "onnx" / "resnet_fashion";
  const nlohmann::json record =
      nlohmann::json::parse(testing::read_bytes(folder / "training.json"));
  const ImageSet test = load_fashion_mnist(fashion_mnist_dir(), Split::kTest);
  ASSERT_EQ(test.count(), 10000U);
  for (const int sparsity : {0, 50, 80, 90}) {
    const std::string name = "sparse" + std::to_string(sparsity);
    const OnnxNetwork net(read_onnx_model(folder / (name + ".onnx")), name);
    // stem, 2 + 3 + 3 block convs (a 1x1 shortcut conv in the strided blocks), the linear head;
    // every BatchNormalization folded into its conv
    EXPECT_EQ(net.matrix_layers().size(), 10U);
    EXPECT_EQ(net.folded_batch_norms(), 9U);
    std::size_t correct = 0;
    constexpr std::size_t kBatch = 500;
    for (std::size_t first = 0; first < test.count(); first += kBatch) {
      std::vector<float> images(kBatch * 784);
      for (std::size_t i = 0; i < images.size(); ++i) {
        images[i] = static_cast<float>(test.pixels[first * 784 + i]) / 255.0F;
      }
      const std::vector<float> logits = float_run(net, images, kBatch);
      for (std::size_t i = 0; i < kBatch; ++i) {
        correct += argmax(&logits[i * 10], 10) == test.labels[first + i] ? 1 : 0;
      }
    }
    EXPECT_EQ(correct, record["models"][name]["torch_float_correct"].get<std::size_t>()) << name;
  }
}

}  // namespace
}  // namespace cimsim
