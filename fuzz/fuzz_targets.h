// The entry points of the fuzz harnesses (fuzz/fuzz_*.cpp) and of the regression tests that
// replay their crash inputs (tests/regressions/regressions_test.cpp). Header-only, so that the
// libFuzzer build (clang, fuzz/CMakeLists.txt) and the main test binary (gcc) run the very same
// code on an input.
//
// Each target feeds one input to one reader of untrusted data. A target returns normally when
// the reader accepts the input (and the checks on what it returned hold), and lets the reader's
// cimsim::Error (ConfigError, DataError, ...) through when it refuses the input: both are fine.
// Anything else is a bug: another exception type (a std::out_of_range, a YAML::Exception, a
// nlohmann::json exception, or the std::logic_error that a target throws when a property of an
// accepted input does not hold), a crash, a sanitizer report, a hang.
//
// Input formats (docs/reliability.md):
//   npy     the bytes of one .npy file, read with read_npy()
//   idx     the bytes of one IDX file (raw or gzipped): parse_idx() on the bytes, then
//           read_idx() on a file holding them
//   trace   the bytes of one trace file: decode_trace() on them as they are, then again with the
//           header's payload length and SHA-256 rewritten for the bytes after the header (so
//           that mutations reach the payload parser and the consistency checks)
//   keras   model.json, then optional weight shards, each part introduced by the line
//           kKerasShardSeparator; part i (1-based) is the file "shard<i>" beside model.json;
//           read with load_keras_model_unverified()
//   onnx    the bytes of one .onnx file: parse_onnx_model() on them, then the graph compiled
//           (which runs one zero sample through the interpreter) with tensors bounded to 2^20
//           elements
//   config  an experiment YAML file, optionally followed by the line "%%" and one --set
//           override per line; read with load_config()
//   tfjs    a TensorFlow.js graph model: model.json, then optional weight shards, each part
//           introduced by the line kKerasShardSeparator; part i (1-based) is the file
//           "shard<i>" beside model.json; read with load_graph_weights() without hashes
//   tokenizer  a sentencepiece vocabulary (vocab.json), then the line kTokenizerTextMarker and
//           text whose lines are encoded (at most kTokenizerMaxText bytes of it); read with
//           UseTokenizer
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "models/datasets/idx.h"
#include "models/keras/keras_model.h"
#include "models/onnx/onnx_graph.h"
#include "models/onnx/onnx_network.h"
#include "models/tfjs/graph_weights.h"
#include "models/use_lite/tokenizer.h"
#include "sim/config/resolved_config.h"
#include "sim/core/errors.h"
#include "sim/io/gzip.h"
#include "sim/io/npy.h"
#include "sim/io/sha256.h"
#include "sim/trace/weight_trace.h"

namespace cimsim::fuzz {

// A target found a property violated on an input that the reader accepted.
class PropertyViolation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

inline void require(bool holds, const std::string& what) {
  if (!holds) throw PropertyViolation("property violated: " + what);
}

// A private folder for the files a target writes, made once per process and removed at exit,
// under $CIMSIM_FUZZ_SCRATCH when set (scripts/fuzz.sh points it at a folder of its own and
// removes that, so a crashed run leaves nothing behind), else in /dev/shm when there is one (a
// fuzzer writes a file per execution), else in the temporary folder.
class Scratch {
 public:
  static const std::filesystem::path& dir() {
    static const Scratch scratch;
    return scratch.path_;
  }

 private:
  Scratch() {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path();
    if (std::filesystem::is_directory("/dev/shm", ec)) base = "/dev/shm";
    const char* chosen = std::getenv("CIMSIM_FUZZ_SCRATCH");
    if (chosen != nullptr && std::filesystem::is_directory(chosen, ec)) base = chosen;
    std::string pattern = (base / "cimsim-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& file, const std::uint8_t* data,
                       std::size_t size) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) throw std::runtime_error("fuzz harness: cannot write " + file.string());
}

inline void write_file(const std::filesystem::path& file, std::string_view text) {
  write_file(file, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// ---------------------------------------------------------------------------------------------
// npy

inline void npy(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = Scratch::dir() / "input.npy";
  write_file(file, data, size);
  const NpyArray array = read_npy(file);

  // What the reader returns is what its header promised...
  std::uint64_t count = 1;
  for (const std::size_t dim : array.shape) count *= dim;  // bounded: <= kNpyMaxElements
  require(count <= kNpyMaxElements, "element count within kNpyMaxElements");
  require(array.size() == count, "NpyArray::size() is the product of the shape");
  require((array.is_integer ? array.ints.size() : array.floats.size()) == count,
          "one value per element");
  require((array.is_integer ? array.floats.empty() : array.ints.empty()),
          "only one of ints/floats is filled");

  // ...and it survives a round trip through the writer.
  const std::filesystem::path copy = Scratch::dir() / "copy.npy";
  if (array.is_integer) {
    write_npy_int64(copy, array.shape, array.ints);
  } else {
    write_npy_float64(copy, array.shape, array.floats);
  }
  const NpyArray again = read_npy(copy);
  require(again.shape == array.shape, "npy round trip keeps the shape");
  require(again.ints == array.ints, "npy round trip keeps integer values");
  require(again.floats.size() == array.floats.size() &&
              (array.floats.empty() ||
               std::memcmp(again.floats.data(), array.floats.data(), 8 * array.floats.size()) == 0),
          "npy round trip keeps float values bit for bit");
}

// ---------------------------------------------------------------------------------------------
// idx

inline void check_idx(const IdxArray& array) {
  std::uint64_t count = 1;
  for (const std::uint32_t dim : array.dims) count *= dim;  // rank <= 3, dims checked
  require(array.dims.size() == 1 || array.dims.size() == 3, "IDX rank is 1 or 3");
  require(array.data.size() == count, "IDX data size is the product of the dimensions");
}

inline void idx(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = Scratch::dir() / "input-idx-ubyte";
  const std::vector<std::uint8_t> content(data, data + size);
  bool parsed = false;
  try {
    check_idx(parse_idx(file, content));
    parsed = true;
  } catch (const Error&) {
    // A refused raw buffer may still be a valid gzipped file: go on to read_idx.
  }
  write_file(file, data, size);
  const IdxArray array = read_idx(file);
  check_idx(array);
  // A raw (not gzipped) file read from disk must parse exactly as the bytes did.
  const bool gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  require(gzipped || parsed, "read_idx accepts only what parse_idx accepts");
}

// ---------------------------------------------------------------------------------------------
// trace

// The header's payload length and SHA-256 rewritten for the bytes after the header (what
// tests/trace/trace_test_util.h calls resealing).
inline std::vector<std::uint8_t> reseal_trace(std::vector<std::uint8_t> bytes) {
  if (bytes.size() < kTraceHeaderBytes) return bytes;
  const std::uint64_t length = bytes.size() - kTraceHeaderBytes;
  for (int b = 0; b < 8; ++b)
    bytes[12 + b] = static_cast<std::uint8_t>((length >> (8 * b)) & 0xffU);
  const std::string hex = sha256_hex(bytes.data() + kTraceHeaderBytes, length);
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i < 32; ++i) {
    bytes[20 + i] = static_cast<std::uint8_t>(16 * nibble(hex[2 * i]) + nibble(hex[2 * i + 1]));
  }
  return bytes;
}

inline void check_trace_round_trip(const std::vector<std::uint8_t>& bytes) {
  const WeightTrace trace = decode_trace(bytes, "fuzz input");
  // An accepted trace is written back byte for byte (the format has one encoding per trace;
  // a compressed file is compared once unpacked), and its summary can be printed.
  const std::vector<std::uint8_t> unpacked =
      has_gzip_magic(bytes) ? gunzip("fuzz input", bytes, kTraceMaxBytes, "weight traces") : bytes;
  require(encode_trace(trace) == unpacked, "encode_trace(decode_trace(bytes)) == bytes");
  (void)inspect_trace(trace);
}

inline void trace(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);
  try {
    check_trace_round_trip(bytes);
  } catch (const Error&) {
    // Expected for almost every mutation: the checksum no longer matches. Reseal below.
  }
  const std::vector<std::uint8_t> sealed = reseal_trace(bytes);
  if (sealed != bytes) check_trace_round_trip(sealed);
}

// onnx: the reader, then the compiler and its one-sample dry run (the interpreter) on what it
// accepts; the model must then have a non-empty output.
inline void onnx(const std::uint8_t* data, std::size_t size) {
  set_onnx_tensor_element_limit(std::uint64_t{1} << 20);  // 4 MiB per tensor under the fuzzer
  OnnxGraph graph = parse_onnx_model(data, size, "fuzz.onnx");
  const OnnxNetwork net(std::move(graph), "fuzz.onnx");
  require(net.outputs_per_sample() > 0, "an accepted model has an output");
  require(net.vectors_per_sample().size() == net.matrix_layers().size(),
          "one vector count per crossbar layer");
}

// ---------------------------------------------------------------------------------------------
// keras

inline constexpr std::string_view kKerasShardSeparator = "\n--shard--\n";
inline constexpr std::size_t kKerasMaxShards = 8;

// Writes model.json and its "shard<i>" files from an input split at kKerasShardSeparator.
inline std::filesystem::path write_model_parts(std::string_view input, const char* folder) {
  const std::filesystem::path dir = Scratch::dir() / folder;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directory(dir);
  std::size_t start = 0;
  for (std::size_t part = 0; part <= kKerasMaxShards; ++part) {
    const std::size_t end = input.find(kKerasShardSeparator, start);
    const std::string_view text =
        input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    write_file(dir / (part == 0 ? std::string("model.json") : "shard" + std::to_string(part)),
               text);
    if (end == std::string_view::npos) break;
    start = end + kKerasShardSeparator.size();
  }
  return dir;
}

inline void keras(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::filesystem::path dir = write_model_parts(input, "keras");
  const KerasModel model = load_keras_model_unverified(dir);
  // What load_keras_model promises (keras_model.h): every Conv2D/Dense layer has its kernel
  // (and bias when use_bias) with shapes matching the config; others have no tensors.
  for (const KerasLayer& layer : model.layers) {
    require(layer.class_name == "Conv2D" || layer.class_name == "Dense" ||
                layer.class_name == "MaxPooling2D" || layer.class_name == "Flatten",
            "only supported layer classes are returned");
    const bool weighted = layer.class_name == "Conv2D" || layer.class_name == "Dense";
    require(layer.tensors.size() == (weighted ? (layer.use_bias ? 2U : 1U) : 0U),
            "tensor count matches the layer");
    for (const KerasTensor& tensor : layer.tensors) {
      std::uint64_t count = 1;
      for (const std::size_t dim : tensor.shape) count *= dim;
      require(tensor.data.size() == count, "tensor data size is the product of its shape");
    }
    if (weighted) {
      const std::size_t out =
          static_cast<std::size_t>(layer.class_name == "Conv2D" ? layer.filters : layer.units);
      require(!layer.tensor("kernel").shape.empty() && layer.tensor("kernel").shape.back() == out,
              "kernel's last dimension is the layer's output count");
    }
  }
  (void)model.parameter_count();
}

// ---------------------------------------------------------------------------------------------
// tfjs

inline void tfjs(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const GraphWeights weights = load_graph_weights(write_model_parts(input, "tfjs"), nullptr);
  // What graph_weights.h promises: every tensor holds the values its shape asks for, in the
  // vector of its dtype, and get() finds each by name (the first of a repeated name).
  std::uint64_t total = 0;
  for (const GraphTensor& tensor : weights.tensors) {
    std::uint64_t count = 1;
    for (const std::size_t dim : tensor.shape) count *= dim;
    const bool is_float = tensor.dtype == GraphTensor::DType::kFloat32;
    require(tensor.size() == count, "size() is the product of the shape");
    require((is_float ? tensor.floats.size() : tensor.ints.size()) == count,
            "one value per element, in the dtype's vector");
    require((is_float ? tensor.ints.empty() : tensor.floats.empty()), "only one vector is filled");
    require(weights.get(tensor.name).name == tensor.name, "get() finds the tensor by name");
    total += count;
  }
  require(weights.element_count() == total, "element_count() is the sum over the tensors");
}

// ---------------------------------------------------------------------------------------------
// tokenizer

inline constexpr std::string_view kTokenizerTextMarker = "\n--text--\n";
// The Viterbi search tries every piece length at every byte: text is bounded so that a
// hostile vocabulary of long pieces cannot turn one input into minutes (real sentences are
// short, and the vocabulary's longest piece is 16 bytes).
inline constexpr std::size_t kTokenizerMaxText = 256;

inline void tokenizer(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t marker = input.find(kTokenizerTextMarker);
  const std::filesystem::path file = Scratch::dir() / "vocab.json";
  write_file(file, input.substr(0, marker));
  const UseTokenizer tokenizer(file);
  if (marker == std::string_view::npos) return;
  std::string_view rest = input.substr(marker + kTokenizerTextMarker.size());
  rest = rest.substr(0, kTokenizerMaxText);
  while (!rest.empty()) {
    const std::size_t eol = rest.find('\n');
    const std::string line(rest.substr(0, eol));
    const std::vector<int> ids = tokenizer.encode(line);
    // Every id is a piece of the vocabulary; without unknowns the pieces spell the text as
    // sentencepiece writes it (a word-start mark first and for every space).
    std::string spelled;
    bool unknown = false;
    for (const int id : ids) {
      require(id >= 0 && static_cast<std::size_t>(id) < tokenizer.size(),
              "ids index the vocabulary");
      unknown = unknown || id == UseTokenizer::kUnknown;
      spelled += tokenizer.piece(id);
    }
    std::string expected = "\xE2\x96\x81";
    for (const char c : line)
      expected += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
    require(unknown || spelled == expected, "the pieces spell the text");
    if (eol == std::string_view::npos) break;
    rest.remove_prefix(eol + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// config

inline constexpr std::string_view kConfigOverridesMarker = "\n%%\n";

// Whether the input names a place outside the scratch folder whose reading may block or
// misbehave for reasons that are not the loader's (a preset "/proc/kmsg" blocks, as root,
// exactly as `cat` would): such inputs are skipped, not run.
inline bool names_special_files(std::string_view input) {
  for (const std::string_view bad : {"/proc", "/sys", "/dev", "/run"}) {
    if (input.find(bad) != std::string_view::npos) return true;
  }
  return false;
}

inline void config(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (names_special_files(input)) return;
  const std::size_t marker = input.find(kConfigOverridesMarker);
  const std::string_view yaml = input.substr(0, marker);
  std::vector<std::string> overrides;
  if (marker != std::string_view::npos) {
    std::string_view rest = input.substr(marker + kConfigOverridesMarker.size());
    while (!rest.empty() && overrides.size() < 16) {
      const std::size_t eol = rest.find('\n');
      overrides.emplace_back(rest.substr(0, eol));
      if (eol == std::string_view::npos) break;
      rest.remove_prefix(eol + 1);
    }
  }
  const std::filesystem::path file = Scratch::dir() / "experiment.yaml";
  write_file(file, yaml);
  const ResolvedConfig loaded = load_config(file, overrides);
  // resolved_config.yaml reproduces the run (README): the resolved document must load again.
  const std::string resolved = loaded.to_yaml_text();
  const std::filesystem::path again_file = Scratch::dir() / "resolved_config.yaml";
  write_file(again_file, resolved);
  ResolvedConfig again;
  try {
    again = load_config(again_file);
  } catch (const Error& e) {
    throw PropertyViolation(std::string("the resolved configuration does not load again: ") +
                            e.what() + "\n--- resolved ---\n" + resolved);
  }
  require(again.to_yaml_text() == resolved,
          "loading the resolved configuration resolves to the same values");
}

// ---------------------------------------------------------------------------------------------

using Target = void (*)(const std::uint8_t*, std::size_t);

struct NamedTarget {
  const char* name;
  Target target;
};

inline constexpr NamedTarget kTargets[] = {
    {"config", &config},       {"npy", &npy},     {"idx", &idx},
    {"keras", &keras},         {"trace", &trace}, {"tfjs", &tfjs},
    {"tokenizer", &tokenizer},
};

// What every harness does with an input: a cimsim::Error is an expected refusal; everything
// else propagates (libFuzzer reports an uncaught exception as a crash and keeps the input).
inline int run_one(Target target, const std::uint8_t* data, std::size_t size) {
  try {
    target(data, size);
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace cimsim::fuzz
