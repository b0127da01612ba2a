// Writes the seed corpora that are made with the library itself:
//   <out>/trace/  sectioned weight traces written by encode_trace from map_layer outputs (every
//                 policy, both encodings, 1/2/4-bit cells, with and without the optional lists)
//   <out>/keras/  small Keras models in the keras harness's format (model.json, then shards)
// usage: make_fuzz_seeds OUT_DIR   (scripts/fuzz.sh seeds: OUT_DIR = fuzz/corpus)
// The files are committed; re-running this rewrites them identically.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "fuzz/fuzz_targets.h"
#include "sim/core/errors.h"
#include "sim/hw/placement.h"
#include "sim/io/gzip.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/trace/weight_trace.h"

namespace {

using namespace cimsim;
namespace fs = std::filesystem;

void save(const fs::path& file, const std::string& bytes);

// Saves a Keras seed after checking that the keras harness accepts it (valid) or refuses it
// with a DataError (near-valid).
void save_keras(const fs::path& file, const std::string& input, bool valid) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(input.data());
  bool accepted = true;
  try {
    fuzz::keras(data, input.size());
  } catch (const DataError&) {
    accepted = false;
  }
  if (accepted != valid) {
    throw std::runtime_error(file.string() + ": the seed is " +
                             (accepted ? "accepted" : "refused") + ", expected otherwise");
  }
  save(file, input);
}

void save(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
  std::cout << file.string() << " (" << bytes.size() << " bytes)\n";
}

// ----- traces

IntMatrix matrix(std::size_t rows, std::size_t cols, const std::vector<std::int32_t>& values) {
  IntMatrix m(rows, cols);
  m.data = values;
  return m;
}

TraceLayer layer(const std::string& policy, const IntMatrix& w, const MappingGeometry& g,
                 const std::string& name, bool extras) {
  TraceLayer out;
  out.mapping = map_layer(policy, w, g, name);
  if (extras) {
    for (std::size_t n = 0; n < w.cols; ++n) out.weight_scales.push_back(0.125 * double(n + 1));
    for (const MappedCrossbar& crossbar : out.mapping.crossbars) {
      for (const MappedColumn& column : crossbar.columns) {
        out.column_resolution_bits.push_back(
            column.bound == 0 ? 0 : std::max(1, std::min(column.lossless_bits, 4)));
      }
    }
  }
  return out;
}

MappingGeometry geometry(int rows, int cols, int cell_bits, int dac_bits, int weight_bits,
                         const std::string& encoding, int section_rows) {
  MappingGeometry g;
  g.rows = rows;
  g.cols = cols;
  g.cell_bits = cell_bits;
  g.dac_bits = dac_bits;
  g.weight_bits = weight_bits;
  g.input_bits = 8;
  g.encoding = encoding;
  g.section_rows = section_rows;
  return g;
}

// Placed as `cimsim map` places them (two slots per tile, so tiles differ), uncompressed so that
// the fuzzer mutates the format itself; hand_sws also compressed, as write_trace writes it.
void save_trace(const fs::path& file, WeightTrace trace) {
  ChipSettings chip;
  chip.tile_crossbars = 2;
  place_trace(trace, chip, 1);
  const std::vector<std::uint8_t> bytes = encode_trace(trace);
  (void)decode_trace(bytes, file.string());  // every seed is a valid trace
  save(file, std::string(bytes.begin(), bytes.end()));
  if (file.filename() == "hand_sws.cimtrace") {
    const std::vector<std::uint8_t> packed = gzip(bytes);
    (void)decode_trace(packed, file.string());
    fs::path gz = file;
    gz.replace_extension(".gz.cimtrace");
    save(gz, std::string(packed.begin(), packed.end()));
  }
}

void make_traces(const fs::path& dir) {
  fs::create_directories(dir);
  // The 6 x 2 hand matrix of tests/trace (4-bit weights, 1-bit cells, sections of 2 rows).
  const IntMatrix hand = matrix(6, 2, {0, 0, 3, 0, 0, -1, 1, 0, 0, 7, -2, 0});
  const MappingGeometry hand_g = geometry(4, 16, 1, 2, 4, "differential", 2);
  for (const char* policy : {"baseline", "sws", "sws_shared"}) {
    WeightTrace trace;
    trace.producer = "cimsim 0.1.0";
    trace.experiment = std::string("hand ") + policy;
    trace.layers.push_back(layer(policy, hand, hand_g, "hand", true));
    save_trace(dir / (std::string("hand_") + policy + ".cimtrace"), trace);
  }
  // Offset encoding (baseline only), 2-bit cells, no optional lists.
  {
    WeightTrace trace;
    trace.producer = "cimsim 0.1.0";
    trace.experiment = "offset";
    const IntMatrix w = matrix(5, 3, {1, -2, 3, 0, 5, -6, 7, 0, -1, 2, 0, 0, -3, 4, 1});
    trace.layers.push_back(
        layer("baseline", w, geometry(4, 16, 2, 1, 4, "offset", 4), "fc", false));
    save_trace(dir / "offset_baseline.cimtrace", trace);
  }
  // Two layers: 4-bit cells under sws, 1-bit cells under sws_shared; an empty experiment name.
  {
    WeightTrace trace;
    trace.producer = "cimsim 0.1.0";
    const IntMatrix w1 = matrix(4, 2, {0, 17, -100, 0, 3, -3, 0, 1});
    const IntMatrix w2 = matrix(3, 3, {1, 0, -1, 0, 2, 0, -3, 0, 3});
    trace.layers.push_back(layer("sws", w1, geometry(4, 8, 4, 1, 8, "differential", 2), "a", true));
    trace.layers.push_back(
        layer("sws_shared", w2, geometry(2, 16, 1, 1, 3, "differential", 1), "b", false));
    save_trace(dir / "two_layers.cimtrace", trace);
  }
  // No layers at all, the smallest valid trace.
  {
    WeightTrace trace;
    trace.producer = "p";
    trace.experiment = "empty";
    save_trace(dir / "no_layers.cimtrace", trace);
  }
}

// ----- Keras models

std::string floats(const std::vector<float>& values) {
  std::string bytes(4 * values.size(), '\0');
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &values[i], 4);
    for (int b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<char>((bits >> (8 * b)) & 0xffU);
  }
  return bytes;
}

std::vector<float> ramp(std::size_t n, float start) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = start + 0.25F * static_cast<float>(i);
  return v;
}

std::string keras_input(const std::string& model_json, const std::vector<std::string>& shards) {
  std::string input = model_json;
  for (const std::string& shard : shards) {
    input += fuzz::kKerasShardSeparator;
    input += shard;
  }
  return input;
}

void make_keras(const fs::path& dir) {
  fs::create_directories(dir);
  // Keras 2.0 style: the layer list is the config, batch_input_shape on the first layer; a
  // Conv2D, a pool, a dropout, a flatten and a dense layer, group 2 split over two shards.
  const std::string cnn = R"({"modelTopology": {"class_name": "Sequential", "config": [
 {"class_name": "Conv2D", "config": {"name": "conv", "filters": 2, "kernel_size": [2, 2],
  "strides": [1, 1], "padding": "valid", "data_format": "channels_last",
  "dilation_rate": [1, 1], "activation": "relu", "use_bias": true,
  "batch_input_shape": [null, 4, 4, 1]}},
 {"class_name": "MaxPooling2D", "config": {"name": "pool", "pool_size": [2, 2],
  "padding": "same", "strides": [2, 2]}},
 {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.25}},
 {"class_name": "Flatten", "config": {"name": "flat"}},
 {"class_name": "Dense", "config": {"name": "dense", "units": 3, "activation": "softmax",
  "use_bias": true}}]},
 "weightsManifest": [
 {"paths": ["shard1"], "weights": [
  {"name": "conv/kernel", "shape": [2, 2, 1, 2], "dtype": "float32"},
  {"name": "conv/bias", "shape": [2], "dtype": "float32"}]},
 {"paths": ["shard2", "shard3"], "weights": [
  {"name": "dense/kernel", "shape": [8, 3], "dtype": "float32"},
  {"name": "dense/bias", "shape": [3], "dtype": "float32"}]}]})";
  const std::string group2 = floats(ramp(27, -1.0F));
  save_keras(dir / "cnn_keras20.keras",
             keras_input(cnn, {floats(ramp(10, 0.5F)), group2.substr(0, 60), group2.substr(60)}),
             true);

  // Keras 2.1+ style: model_config wrapper, config.layers; dense without bias; one shard.
  const std::string mlp = R"({"format": "layers-model", "modelTopology": {"keras_version": "2.2.4",
 "model_config": {"class_name": "Sequential", "config": {"name": "mlp", "layers": [
 {"class_name": "Dense", "config": {"name": "d1", "units": 2, "use_bias": false,
  "activation": "linear", "batch_input_shape": [null, 3]}},
 {"class_name": "Dense", "config": {"name": "d2", "units": 1}}]}}},
 "weightsManifest": [{"paths": ["shard1"], "weights": [
  {"name": "d1/kernel", "shape": [3, 2], "dtype": "float32"},
  {"name": "d2/kernel", "shape": [2, 1], "dtype": "float32"},
  {"name": "d2/bias", "shape": [1], "dtype": "float32"}]}]})";
  save_keras(dir / "mlp_keras22.keras", keras_input(mlp, {floats(ramp(9, -2.0F))}), true);

  // Near-valid: a shard one float short, and a bias of the wrong shape.
  save_keras(dir / "short_shard.keras", keras_input(mlp, {floats(ramp(8, 1.0F))}), false);
  std::string wrong_bias = mlp;
  wrong_bias.replace(wrong_bias.find("\"shape\": [1]"), 12, "\"shape\": [2]");
  save_keras(dir / "wrong_bias.keras", keras_input(wrong_bias, {floats(ramp(10, 1.0F))}), false);

  // No weights at all: a flatten-only model with an empty manifest.
  save_keras(
      dir / "flatten_only.keras",
      R"({"modelTopology": {"class_name": "Sequential", "config": [)"
      R"({"class_name": "Flatten", "config": {"name": "f", "batch_input_shape": [null, 2, 2]}}]},)"
      R"( "weightsManifest": []})",
      true);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_fuzz_seeds OUT_DIR\n";
    return 2;
  }
  try {
    const fs::path out = argv[1];
    make_traces(out / "trace");
    make_keras(out / "keras");
  } catch (const std::exception& e) {
    std::cerr << "make_fuzz_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
