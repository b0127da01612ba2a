#include "models/keras/keras_model.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <zlib.h>

#include "models/datasets/data_dir.h"
#include "sim/io/sha256.h"
#include "tests/io/test_files.h"

namespace cimsim {
namespace {

using testing::expect_data_error;
using testing::TempDir;

std::vector<std::size_t> shape_of(const KerasLayer& layer, const char* suffix) {
  return layer.tensor(suffix).shape;
}

// The real pretrained CNN (needs scripts/setup.sh, like every data test; it never skips).
TEST(KerasModel, LoadsTheMnistCnn) {
  const KerasModel model = load_mnist_cnn(default_data_dir() / "mnist-cnn");
  ASSERT_EQ(model.layers.size(), 6U);  // the two Dropout layers are left out
  const std::vector<std::string> classes{"Conv2D",  "Conv2D", "MaxPooling2D",
                                         "Flatten", "Dense",  "Dense"};
  for (std::size_t i = 0; i < classes.size(); ++i) {
    EXPECT_EQ(model.layers[i].class_name, classes[i]) << i;
  }
  const KerasLayer& conv1 = model.layers[0];
  EXPECT_EQ(conv1.name, "conv2d_1");
  EXPECT_EQ(conv1.filters, 32);
  EXPECT_EQ(conv1.kernel_size, (std::array<int, 2>{3, 3}));
  EXPECT_EQ(conv1.strides, (std::array<int, 2>{1, 1}));
  EXPECT_EQ(conv1.padding, "valid");
  EXPECT_EQ(conv1.activation, "relu");
  EXPECT_EQ(conv1.input_shape, (std::vector<int>{28, 28, 1}));
  EXPECT_EQ(shape_of(conv1, "kernel"), (std::vector<std::size_t>{3, 3, 1, 32}));
  EXPECT_EQ(shape_of(conv1, "bias"), std::vector<std::size_t>{32});
  EXPECT_EQ(shape_of(model.layers[1], "kernel"), (std::vector<std::size_t>{3, 3, 32, 64}));
  EXPECT_EQ(model.layers[2].pool_size, (std::array<int, 2>{2, 2}));
  EXPECT_EQ(model.layers[2].strides, (std::array<int, 2>{2, 2}));
  EXPECT_EQ(model.layers[4].units, 128);
  EXPECT_EQ(shape_of(model.layers[4], "kernel"), (std::vector<std::size_t>{9216, 128}));
  EXPECT_EQ(model.layers[5].activation, "softmax");
  EXPECT_EQ(shape_of(model.layers[5], "kernel"), (std::vector<std::size_t>{128, 10}));
  EXPECT_EQ(shape_of(model.layers[5], "bias"), std::vector<std::size_t>{10});
  EXPECT_EQ(model.parameter_count(), 1199882U);

  // Values computed with numpy from the shards: the first and last weights, and the first
  // weight of group 3's second shard (dense_1/kernel[8192][0]), which proves the concatenation.
  EXPECT_EQ(conv1.tensor("kernel").data[0], -0.13344082F);
  EXPECT_EQ(conv1.tensor("bias").data[0], 0.06915669F);
  const std::vector<float>& dense1 = model.layers[4].tensor("kernel").data;
  EXPECT_EQ(dense1[std::size_t{8192} * 128], -0.006593467F);
  EXPECT_EQ(dense1[std::size_t{9216} * 128 - 1], 0.002819363F);
  EXPECT_EQ(model.layers[4].tensor("bias").data[127], 0.009688097F);
  EXPECT_EQ(model.layers[5].tensor("bias").data[9], 0.040443514F);
}

TEST(KerasModel, ModifiedShardOfTheRealModelIsAHashMismatch) {
  const TempDir dir;
  const auto real = default_data_dir() / "mnist-cnn";
  for (const auto& [name, hash] : mnist_cnn_sha256()) {
    std::string bytes = testing::read_bytes(real / name);
    if (name == "group3-shard2of2") bytes[100] ^= 1;
    dir.write(name, bytes);
  }
  expect_data_error([&] { (void)load_mnist_cnn(dir.path()); },
                    {"group3-shard2of2", "sha256 mismatch",
                     "expected 8d698e99bec5e3a45ae38e837a20882800c0cc3f48a8718b852f8d0497393364",
                     "scripts/setup.sh"});
}

std::string floats(const std::vector<float>& values) {
  std::string bytes(4 * values.size(), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());  // little-endian host, like TF.js
  return bytes;
}

// A tiny Keras 2.2-style model: Flatten, then Dense 3 -> 2 whose group spans two shards that
// split the kernel in the middle.
struct TinyModel {
  std::string topology =
      R"({"class_name": "Sequential", "config": {"layers": [
           {"class_name": "Flatten", "config": {"name": "flat", "batch_input_shape": [null, 3]}},
           {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.5}},
           {"class_name": "Dense", "config": {"name": "fc", "units": 2, "activation": "relu"}}]}})";
  std::string kernel_shape = "[3, 2]";
  std::string dtype = "float32";
  std::string paths = R"(["g1-a", "g1-b"])";
  std::string shard_a = floats({1, 2, 3, 4});
  std::string shard_b = floats({5, 6, 0.5F, -0.5F});
  std::string file_a = "g1-a";  // the names the shards are written under
  std::string file_b = "g1-b";

  void write(const TempDir& dir) const {
    dir.write("model.json", R"({"modelTopology": )" + topology +
                                R"(, "weightsManifest": [{"paths": )" + paths +
                                R"(, "weights": [{"name": "fc/kernel", "shape": )" + kernel_shape +
                                R"(, "dtype": ")" + dtype +
                                R"("}, {"name": "fc/bias", "shape": [2], "dtype": "float32"}]}]})");
    dir.write(file_a, shard_a);
    dir.write(file_b, shard_b);
  }
};

TEST(KerasModel, LoadsTensorsAcrossShardBoundaries) {
  const TempDir dir;
  TinyModel().write(dir);
  const KerasModel model = load_keras_model_unverified(dir.path());
  ASSERT_EQ(model.layers.size(), 2U);
  EXPECT_EQ(model.layers[0].class_name, "Flatten");
  EXPECT_EQ(model.layers[0].input_shape, std::vector<int>{3});
  const KerasLayer& fc = model.layers[1];
  EXPECT_EQ(fc.units, 2);
  EXPECT_TRUE(fc.use_bias);
  EXPECT_EQ(fc.tensor("kernel").data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(fc.tensor("bias").data, (std::vector<float>{0.5F, -0.5F}));
  EXPECT_EQ(model.parameter_count(), 8U);
  expect_data_error([&] { (void)fc.tensor("gamma"); }, {"fc/gamma"});
}

TEST(KerasModel, VerifiesEveryFileAgainstTheGivenHashes) {
  const TempDir dir;
  TinyModel().write(dir);
  Sha256Manifest hashes;
  for (const char* name : {"model.json", "g1-a", "g1-b"}) {
    const std::string bytes = testing::read_bytes(dir.path() / name);
    hashes[name] = sha256_hex(bytes.data(), bytes.size());
  }
  EXPECT_EQ(load_keras_model(dir.path(), hashes).parameter_count(), 8U);

  Sha256Manifest wrong = hashes;
  wrong["g1-b"] = std::string(64, '0');
  expect_data_error([&] { (void)load_keras_model(dir.path(), wrong); },
                    {"g1-b", "sha256 mismatch", std::string(64, '0'), hashes["g1-b"]});
  Sha256Manifest partial = hashes;
  partial.erase("g1-a");
  expect_data_error([&] { (void)load_keras_model(dir.path(), partial); },
                    {"g1-a", "not among the files whose sha256 is known"});
}

TEST(KerasModel, RejectsMissingFiles) {
  const TempDir dir;
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"model.json", "cannot open"});
  TinyModel().write(dir);
  std::filesystem::remove(dir.path() / "g1-b");
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"g1-b", "cannot open the weight shard", "scripts/setup.sh"});
}

TEST(KerasModel, RejectsShardsOfTheWrongSize) {
  const TempDir dir;
  TinyModel tiny;
  tiny.shard_b.pop_back();
  tiny.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"model.json", "weightsManifest[0]", "31 bytes", "need 32"});
}

TEST(KerasModel, RejectsUnsupportedDtypesAndLayers) {
  const TempDir dir;
  TinyModel int_model;
  int_model.dtype = "int32";
  int_model.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"model.json", "unsupported dtype 'int32'", "fc/kernel"});

  TinyModel norm;
  norm.topology = R"({"class_name": "Sequential", "config": [
      {"class_name": "BatchNormalization", "config": {"name": "bn"}}]})";
  norm.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"model.json", "config[0].class_name", "'BatchNormalization'"});

  TinyModel functional;
  functional.topology = R"({"class_name": "Model", "config": {"layers": []}})";
  functional.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"only Sequential models"});
}

TEST(KerasModel, RejectsTensorsThatDoNotFitTheirLayer) {
  const TempDir dir;
  TinyModel wrong_shape;
  wrong_shape.kernel_shape = "[2, 3]";
  wrong_shape.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"layer fc (Dense)", "kernel's shape"});

  TinyModel orphan;
  orphan.topology = R"({"class_name": "Sequential", "config": [
      {"class_name": "Flatten", "config": {"name": "flat"}}]})";
  orphan.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"fc/kernel", "belongs to no layer"});
}

TEST(KerasModel, RejectsMalformedJsonAndShardPathsOutsideTheFolder) {
  const TempDir dir;
  dir.write("model.json", R"({"modelTopology": )");
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"model.json", "not valid JSON"});
  dir.write("model.json", R"({"weightsManifest": []})");
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"model.json", "missing key 'modelTopology'"});
  TinyModel escape;
  escape.paths = R"(["../g1-a"])";
  escape.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"'../g1-a' is not a plain file name"});
  TinyModel bad_units;
  bad_units.topology = R"({"class_name": "Sequential", "config": [
      {"class_name": "Dense", "config": {"name": "fc", "units": -2}}]})";
  bad_units.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"config[0].config.units", "positive integer"});
}

// gzip -9 of `bytes`, written with zlib's own deflate (a gzip wrapper: 16 + MAX_WBITS).
std::string gzip(const std::string& bytes) {
  z_stream stream{};
  if (deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(bytes.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

// The fine-tuned pruned CNNs of models/mnist_cnn/ store gzip-compressed shards named *.gz.
TEST(KerasModel, ReadsGzipShardsByTheirName) {
  const TempDir dir;
  TinyModel tiny;
  tiny.paths = R"(["g1-a.gz", "g1-b"])";
  tiny.file_a = "g1-a.gz";
  tiny.shard_a = gzip(tiny.shard_a);
  tiny.write(dir);
  const KerasModel model = load_keras_model_unverified(dir.path());
  EXPECT_EQ(model.layers[1].tensor("kernel").data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(model.layers[1].tensor("bias").data, (std::vector<float>{0.5F, -0.5F}));

  // Hashes are of the files as stored, so the compressed bytes are what gets verified.
  Sha256Manifest hashes;
  for (const char* name : {"model.json", "g1-a.gz", "g1-b"}) {
    const std::string bytes = testing::read_bytes(dir.path() / name);
    hashes[name] = sha256_hex(bytes.data(), bytes.size());
  }
  EXPECT_EQ(load_keras_model(dir.path(), hashes).parameter_count(), 8U);

  // A raw shard that happens to start with the gzip magic is still raw: the name decides.
  TinyModel magic;
  const float looks_gzipped = [] {
    const std::uint32_t bits = 0x00008b1fU;  // little-endian bytes 1f 8b 00 00
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }();
  magic.shard_a = floats({looks_gzipped, 2, 3, 4});
  magic.write(dir);
  EXPECT_EQ(load_keras_model_unverified(dir.path()).layers[1].tensor("kernel").data[0],
            looks_gzipped);
}

TEST(KerasModel, RejectsGzipShardsThatAreNotGzipOrBroken) {
  const TempDir dir;
  TinyModel plain;  // named .gz, stored raw
  plain.paths = R"(["g1-a.gz", "g1-b"])";
  plain.file_a = "g1-a.gz";
  plain.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"g1-a.gz", "ends in .gz but it is not gzip-compressed"});

  TinyModel cut = plain;
  const std::string whole = gzip(cut.shard_a);
  cut.shard_a = whole.substr(0, whole.size() - 6);
  cut.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"g1-a.gz", "truncated gzip stream"});

  TinyModel corrupt = plain;
  corrupt.shard_a = whole;
  corrupt.shard_a[corrupt.shard_a.size() - 6] ^= 0x55;  // inside the CRC-32 of the trailer
  corrupt.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"g1-a.gz", "corrupt gzip stream"});

  // The size check applies to the decompressed bytes.
  TinyModel short_shard = plain;
  short_shard.shard_a = gzip(plain.shard_a.substr(0, 12));
  short_shard.write(dir);
  expect_data_error([&] { (void)load_keras_model_unverified(dir.path()); },
                    {"model.json", "weightsManifest[0]", "28 bytes", "need 32"});
}

}  // namespace
}  // namespace cimsim
