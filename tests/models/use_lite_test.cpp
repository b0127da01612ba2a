// The TF.js graph-model reader on the real Universal Sentence Encoder lite and on small broken
// manifests, the model read from it, its tokenizer and its float forward pass.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "models/datasets/data_dir.h"
#include "models/tfjs/graph_weights.h"
#include "models/use_lite/tokenizer.h"
#include "models/use_lite/use_lite_forward.h"
#include "models/use_lite/use_lite_model.h"
#include "sim/io/sha256.h"
#include "tests/io/test_files.h"

namespace cimsim {
namespace {

using testing::expect_data_error;
using testing::TempDir;

std::filesystem::path use_dir() { return default_data_dir() / "use-lite"; }

// The real model (needs scripts/setup.sh, like every data test; it never skips).
TEST(GraphWeights, ReadsTheWholeUseLiteManifest) {
  const GraphWeights w = load_graph_weights(use_dir(), &use_lite_sha256());
  EXPECT_EQ(w.node_count, 317U);
  ASSERT_EQ(w.tensors.size(), 61U);
  EXPECT_EQ(w.element_count(), 6975914U);
  std::size_t ints = 0;
  for (const GraphTensor& t : w.tensors) ints += t.dtype == GraphTensor::DType::kInt32 ? 1 : 0;
  EXPECT_GT(ints, 0U);
  EXPECT_LT(ints, w.tensors.size());
  // Values read with numpy from the shards: an int32 constant and float32 weights at both ends
  // of the 7 shards (the embedding table spans shard boundaries).
  EXPECT_EQ(w.get("module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/"
                  "Layer_0/TransformerLayer/MultiheadAttention/Const")
                .ints,
            (std::vector<std::int32_t>{256, 256, 256}));
  const GraphTensor& embeddings = w.get("module/Embeddings_en");
  EXPECT_EQ(embeddings.shape, (std::vector<std::size_t>{8002, 256}));
  EXPECT_EQ(embeddings.floats.front(), -0.022370126F);
  EXPECT_EQ(embeddings.floats.back(), -0.020930365F);
  const GraphTensor& tanh = w.get("module/Encoder_en/hidden_layers/tanh_layer_0/weights");
  EXPECT_EQ(tanh.floats.front(), -0.012783999554812908F);
  EXPECT_EQ(tanh.floats.back(), -0.04321163147687912F);
  expect_data_error([&] { (void)w.get("no/such/tensor"); }, {"model.json", "no/such/tensor"});
  expect_data_error(
      [&] {
        (void)w.get("module/Embeddings_en", GraphTensor::DType::kFloat32, {256, 8002});
      },
      {"model.json", "module/Embeddings_en", "[8002, 256]", "expected [256, 8002]"});
}

TEST(UseLiteModel, HasTheTenDocumentedMatrices) {
  const UseLiteModel model = load_use_lite(use_dir());
  const std::pair<std::size_t, std::size_t> shapes[kUseMatrixCount] = {
      {256, 768},  {256, 512}, {256, 512},  {512, 1536}, {1536, 512},
      {512, 1536}, {512, 512}, {512, 1536}, {1536, 512}, {512, 512}};
  std::size_t total = 0;
  for (std::size_t i = 0; i < kUseMatrixCount; ++i) {
    const UseMatrix& m = model.matrices[i];
    EXPECT_EQ(m.k, shapes[i].first) << m.name;
    EXPECT_EQ(m.n, shapes[i].second) << m.name;
    EXPECT_EQ(m.weights.size(), m.k * m.n) << m.name;
    EXPECT_EQ(m.bias.size(), m.n) << m.name;
    total += m.k * m.n;
  }
  EXPECT_EQ(model.matrix_weight_count(), total);
  EXPECT_EQ(total, 4915200U);
  EXPECT_EQ(model.graph_weights, 6975914U);
  EXPECT_EQ(model.matrices[kTanhProjection].weights.front(), -0.012783999554812908F);
  // Four heads in both layers: 64 wide in Layer_0 (256), 128 in Layer_1 (512).
  EXPECT_EQ(model.layers[0].heads, 4U);
  EXPECT_EQ(model.layers[0].head_dim, 64U);
  EXPECT_FLOAT_EQ(model.layers[0].query_scale, 0.125F);
  EXPECT_EQ(model.layers[1].heads, 4U);
  EXPECT_EQ(model.layers[1].head_dim, 128U);
  EXPECT_FLOAT_EQ(model.layers[1].query_scale, 1.0F / std::sqrt(128.0F));
  EXPECT_EQ(model.timing_timescales.size(), 128U);
  EXPECT_FLOAT_EQ(model.timing_timescales.front(), 1.0F);
}

std::string words(const std::vector<float>& values) {
  std::string bytes(4 * values.size(), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());  // little-endian host, like TF.js
  return bytes;
}

// A tiny graph model: a float32 matrix split across two shards and an int32 vector.
struct TinyGraph {
  std::string dtype = "float32";
  std::string paths = R"(["s1", "s2"])";
  std::string extra_entry_field;
  std::string shard1 = words({1, 2, 3});
  std::string shard2 = words({4}) + std::string("\x07\0\0\0\xfe\xff\xff\xff", 8);

  void write(const TempDir& dir) const {
    dir.write("model.json", R"({"modelTopology": {"node": [{"name": "a"}, {"name": "b"}]},
        "weightsManifest": [{"paths": )" +
                                paths + R"(, "weights": [
          {"name": "w", "shape": [2, 2], "dtype": ")" +
                                dtype + "\"" + extra_entry_field + R"(},
          {"name": "c", "shape": [2], "dtype": "int32"}]}]})");
    dir.write("s1", shard1);
    dir.write("s2", shard2);
  }
};

TEST(GraphWeights, ReadsFloatAndIntTensorsAcrossShards) {
  const TempDir dir;
  TinyGraph().write(dir);
  const GraphWeights w = load_graph_weights(dir.path(), nullptr);
  EXPECT_EQ(w.node_count, 2U);
  ASSERT_EQ(w.tensors.size(), 2U);
  EXPECT_EQ(w.get("w", GraphTensor::DType::kFloat32, {2, 2}).floats,
            (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(w.get("c", GraphTensor::DType::kInt32, {2}).ints, (std::vector<std::int32_t>{7, -2}));
  EXPECT_EQ(w.element_count(), 6U);
  expect_data_error([&] { (void)w.get("c", GraphTensor::DType::kFloat32, {2}); },
                    {"tensor 'c' is int32, expected float32"});
}

TEST(GraphWeights, RefusesTruncatedShardsNamingTheFile) {
  const TempDir dir;
  TinyGraph tiny;
  tiny.shard2.pop_back();
  tiny.write(dir);
  expect_data_error([&] { (void)load_graph_weights(dir.path(), nullptr); },
                    {"model.json", "weightsManifest[0]", "23 bytes", "need 24", "truncated"});
  std::filesystem::remove(dir.path() / "s2");
  expect_data_error([&] { (void)load_graph_weights(dir.path(), nullptr); },
                    {"s2", "cannot open the weight shard", "scripts/setup.sh"});
}

TEST(GraphWeights, RefusesBadManifests) {
  const TempDir dir;
  expect_data_error([&] { (void)load_graph_weights(dir.path(), nullptr); },
                    {"model.json", "cannot open the model file"});
  TinyGraph half;
  half.dtype = "float16";
  half.write(dir);
  expect_data_error([&] { (void)load_graph_weights(dir.path(), nullptr); },
                    {"model.json", "weightsManifest[0].weights[0].dtype", "'float16'", "of w"});
  TinyGraph quantized;
  quantized.extra_entry_field = R"(, "quantization": {"dtype": "uint8"})";
  quantized.write(dir);
  expect_data_error([&] { (void)load_graph_weights(dir.path(), nullptr); },
                    {"model.json", "quantized tensors are not supported"});
  TinyGraph escaping;
  escaping.paths = R"(["../s1", "s2"])";
  escaping.write(dir);
  expect_data_error([&] { (void)load_graph_weights(dir.path(), nullptr); },
                    {"model.json", "paths[0]", "not a plain file name"});
  dir.write("model.json", R"({"modelTopology": {"node": []}})");
  expect_data_error([&] { (void)load_graph_weights(dir.path(), nullptr); },
                    {"model.json", "missing key 'weightsManifest'"});
  dir.write("model.json", R"({"modelTopology": {"node": [)");
  expect_data_error([&] { (void)load_graph_weights(dir.path(), nullptr); },
                    {"model.json", "not valid JSON"});
}

TEST(GraphWeights, ChecksHashesWhenGiven) {
  const TempDir dir;
  TinyGraph().write(dir);
  Sha256Manifest hashes;
  for (const char* name : {"model.json", "s1", "s2"}) {
    const std::string bytes = testing::read_bytes(dir.path() / name);
    hashes[name] = sha256_hex(bytes.data(), bytes.size());
  }
  EXPECT_EQ(load_graph_weights(dir.path(), &hashes).tensors.size(), 2U);
  hashes["s2"] = std::string(64, '0');
  expect_data_error([&] { (void)load_graph_weights(dir.path(), &hashes); },
                    {"s2", "sha256 mismatch", std::string(64, '0')});
}

TEST(UseLiteModel, RefusesAGraphWithoutItsTensors) {
  const TempDir dir;
  TinyGraph().write(dir);
  expect_data_error([&] { (void)use_lite_from_weights(load_graph_weights(dir.path(), nullptr)); },
                    {"model.json", "no tensor 'module/Embeddings_en'"});
}

TEST(UseTokenizer, SegmentsIntoTheMostProbablePieces) {
  const UseTokenizer tokenizer(use_dir() / "vocab.json", use_lite_sha256().at("vocab.json"));
  // 8000 pieces (data-sources.md says 8002: that is the embedding table's row count).
  EXPECT_EQ(tokenizer.size(), 8000U);
  // Segmentations found by an independent Viterbi over vocab.json (numpy prototype).
  EXPECT_EQ(tokenizer.encode("How old are you?"), (std::vector<int>{728, 446, 31, 19, 54}));
  EXPECT_EQ(tokenizer.encode("Water boils at one hundred degrees."),
            (std::vector<int>{4489, 6377, 7, 38, 66, 5740, 1749, 7, 6}));
  EXPECT_EQ(tokenizer.piece(9), "\xE2\x96\x81the");
  // Characters no piece covers become one unknown token per run.
  const std::vector<int> snowmen = tokenizer.encode("I \xE2\x98\x83\xE2\x98\x83 you");
  EXPECT_EQ(std::count(snowmen.begin(), snowmen.end(), UseTokenizer::kUnknown), 1);
  EXPECT_EQ(snowmen.front(), 16);
  EXPECT_EQ(snowmen.back(), 19);
}

TEST(UseTokenizer, RefusesAVocabularyOfTheWrongForm) {
  const TempDir dir;
  dir.write("vocab.json", R"([["a", -1.0], ["b"]])");
  expect_data_error([&] { UseTokenizer tokenizer(dir.path() / "vocab.json"); },
                    {"vocab.json", "entry 1", "[string, number] pair"});
  expect_data_error([&] { UseTokenizer tokenizer(dir.path() / "missing.json"); },
                    {"missing.json", "cannot open"});
}

double dot(const float* a, const float* b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < 512; ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

// The float encoder: unit-norm embeddings that put paraphrases close together, and the values
// of an independent float64 numpy implementation of the same graph.
TEST(UseLiteForward, EmbedsParaphrasesCloseTogether) {
  const UseLiteModel model = load_use_lite(use_dir());
  const UseTokenizer tokenizer(use_dir() / "vocab.json");
  const std::vector<std::string> text = {"How old are you?",
                                         "What is your age?",
                                         "The weather is nice today.",
                                         "It is sunny and warm outside.",
                                         "I like to eat apples.",
                                         "Bananas are my favourite fruit.",
                                         "The stock market fell sharply.",
                                         "Shares dropped on Wall Street."};
  std::vector<std::vector<int>> sentences;
  for (const std::string& s : text) sentences.push_back(tokenizer.encode(s));
  const std::vector<float> e = encode_sentences(model, sentences, float_product(model));
  ASSERT_EQ(e.size(), text.size() * 512);
  for (std::size_t s = 0; s < text.size(); ++s) {
    EXPECT_NEAR(dot(&e[s * 512], &e[s * 512]), 1.0, 1e-5) << text[s];
  }
  const float expected_first[4] = {0.0370891F, 0.04967107F, -0.02656512F, 0.03192782F};
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(e[i], expected_first[i], 1e-5) << i;
  EXPECT_NEAR(e[7 * 512 + 510], -0.01588032F, 1e-5);
  EXPECT_NEAR(e[7 * 512 + 511], 0.00977806F, 1e-5);
  // Each pair (2p, 2p + 1) is a paraphrase: closer to its partner than to any other sentence.
  for (std::size_t p = 0; p < text.size(); p += 2) {
    const double partner = dot(&e[p * 512], &e[(p + 1) * 512]);
    for (std::size_t other = 0; other < text.size(); ++other) {
      if (other / 2 == p / 2) continue;
      EXPECT_GT(partner, dot(&e[p * 512], &e[other * 512])) << text[p] << " / " << text[other];
    }
  }
  expect_data_error([&] { (void)encode_sentences(model, {{}}, float_product(model)); },
                    {"no tokens"});
  expect_data_error([&] { (void)encode_sentences(model, {{8002}}, float_product(model)); },
                    {"token id 8002"});
}

}  // namespace
}  // namespace cimsim
