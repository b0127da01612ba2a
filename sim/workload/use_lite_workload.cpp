// The pretrained Universal Sentence Encoder lite on crossbars: its ten weight matrices are
// magnitude-pruned (prune.sparsity), quantized and mapped as crossbar layers, and sentences from
// a text file run through the whole encoder with every matrix product simulated. The tokens of
// all sentences form each matrix's input vectors, so the activations are the encoder's real
// ones. Besides energy, cycles and counts, the run writes fidelity.json: per matrix the relative
// error of the simulated product against the float product of the same inputs, and per sentence
// the cosine similarity of the simulated embedding with the float one, of the same pruned
// weights and of the unpruned model (docs/use_lite.md).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include "models/datasets/data_dir.h"
#include "models/use_lite/tokenizer.h"
#include "models/use_lite/use_lite_forward.h"
#include "models/use_lite/use_lite_model.h"
#include "sim/config/experiment.h"
#include "sim/core/errors.h"
#include "sim/macro/integer_gemm.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/mapping/prune.h"
#include "sim/mapping/quantize.h"
#include "sim/report/results_folder.h"
#include "sim/workload/layer_source.h"
#include "sim/workload/run_timing.h"
#include "sim/workload/workload.h"

namespace cimsim {
namespace {

std::filesystem::path model_dir(const Experiment& e) {
  return e.model.has_value() ? std::filesystem::path(e.model->string())
                             : default_data_dir() / "use-lite";
}

// The pretrained model is checked against its published hashes; a folder given by
// workload.model is taken as it is.
UseLiteModel load_model(const Experiment& e) {
  if (e.model.has_value()) {
    return use_lite_from_weights(load_graph_weights(model_dir(e), nullptr));
  }
  return load_use_lite(model_dir(e));
}

UseLiteModel pruned_model(const Experiment& e) {
  UseLiteModel model = load_model(e);
  std::vector<std::vector<float>*> kernels;
  for (UseMatrix& m : model.matrices) kernels.push_back(&m.weights);
  prune_by_magnitude(kernels, e.prune.sparsity, e.prune.scope);
  return model;
}

// The non-empty lines of a sentence file.
std::vector<std::string> read_lines(const std::filesystem::path& file, const std::string& key) {
  std::ifstream in(file);
  if (!in) throw DataError(file.string() + ": cannot open the sentence file (" + key + ")");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    lines.push_back(line);
  }
  if (lines.empty()) throw DataError(file.string() + ": holds no sentence (one per line expected)");
  return lines;
}

// The first workload.samples sentences of workload.text, or with workload.split
// calibration_text of workload.calibration_text (what `cimsim optimize` chooses on: none of them
// may be a test sentence, as no training image may be a test image), as token ids.
std::vector<std::vector<int>> read_sentences(const Experiment& e, std::vector<std::string>& text) {
  const bool calibration = e.split == "calibration_text";
  std::vector<std::string> lines =
      calibration ? read_lines(*e.calibration_text, "workload.calibration_text")
                  : read_lines(*e.text, "workload.text");
  if (calibration) {
    const std::vector<std::string> test = read_lines(*e.text, "workload.text");
    for (const std::string& line : lines) {
      if (std::find(test.begin(), test.end(), line) != test.end()) {
        throw KeyedConfigError("workload.calibration_text",
                               "the sentence '" + line +
                                   "' is also in workload.text (the test "
                                   "sentences); calibration sentences must be other ones");
      }
    }
  }
  if (e.samples && lines.size() > static_cast<std::size_t>(*e.samples))
    lines.resize(static_cast<std::size_t>(*e.samples));
  const std::filesystem::path vocab = model_dir(e) / "vocab.json";
  const UseTokenizer tokenizer(vocab,
                               e.model.has_value() ? "" : use_lite_sha256().at("vocab.json"));
  std::vector<std::vector<int>> sentences;
  sentences.reserve(lines.size());
  for (const std::string& line : lines) sentences.push_back(tokenizer.encode(line));
  text = std::move(lines);
  return sentences;
}

std::vector<TraceLayer> map_model(const UseLiteModel& model, const Experiment& e) {
  std::vector<TraceLayer> layers;
  for (const UseMatrix& m : model.matrices) {
    QuantizedWeights w = quantize_weights(std::vector<double>(m.weights.begin(), m.weights.end()),
                                          m.k, m.n, e.quant);
    TraceLayer layer;
    layer.mapping = map_layer_of(e, w.values, m.name);
    layer.weight_scales = std::move(w.scales);
    record_resolutions(layer, e);
    layers.push_back(std::move(layer));
  }
  return layers;
}

double cosine(const float* a, const float* b, std::size_t n) {
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return aa > 0.0 && bb > 0.0 ? ab / std::sqrt(aa * bb) : 0.0;
}

// Squared norms of the simulated product's error and of the float product, per matrix.
struct MatrixError {
  double error_squares = 0.0;
  double reference_squares = 0.0;
  [[nodiscard]] double relative() const {
    return reference_squares > 0.0 ? std::sqrt(error_squares / reference_squares) : 0.0;
  }
};

class UseLiteWorkload final : public Workload {
 public:
  void validate(const Experiment& e) const override {
    if (e.split == "train_tail") {
      throw ConfigError(e.config.error_at("workload.split",
                                          "only the image classifiers (mnist_cnn, vit, onnx) "
                                          "have a training split; use_lite's calibration split "
                                          "is calibration_text"));
    }
    if (!e.text) {
      throw ConfigError(e.config.file.string() +
                        ": workload.text: required for workload.kind use_lite (a text file, "
                        "one sentence per line)");
    }
    if (e.split == "calibration_text" && !e.calibration_text) {
      throw ConfigError(e.config.error_at("workload.split",
                                          "calibration_text needs workload.calibration_text (a "
                                          "text file of sentences that are not in workload.text)"));
    }
    if (e.prune.sparsity >= 1.0) {
      throw ConfigError(e.config.error_at("prune.sparsity", "expected a fraction below 1"));
    }
    // One accelerator carries one input signedness, and 9 of the 10 matrix inputs can be
    // negative (only the second FFN matrix follows a ReLU).
    if (e.quant.input_signed == "false") {
      throw ConfigError(
          e.config.error_at("quant.input_signed",
                            "use_lite inputs are signed (layer norms and attention give "
                            "negative values); set auto or true"));
    }
  }

  [[nodiscard]] std::vector<TraceLayer> map_layers(const Experiment& e) const override {
    return map_model(pruned_model(e), e);
  }

  [[nodiscard]] WorkloadResult run(const Experiment& e, const RunContext& context) const override {
    const UseLiteModel model = pruned_model(e);
    std::vector<std::string> text;
    const std::vector<std::vector<int>> sentences = read_sentences(e, text);

    // Float reference on the pruned weights; its matrix inputs calibrate the input scales (the
    // sentences are not a test set: nothing is scored against labels).
    std::vector<std::vector<double>> observed(kUseMatrixCount);
    const UseMatrixProduct plain = float_product(model);
    const std::vector<float> reference = encode_sentences(
        model, sentences, [&](std::size_t index, const std::vector<float>& x, std::size_t rows) {
          observed[index].insert(observed[index].end(), x.begin(), x.end());
          return plain(index, x, rows);
        });
    std::vector<double> input_scales;
    const InputCodeRange range = input_code_range(e.quant.input_bits, true);
    for (const std::vector<double>& values : observed) {
      const double magnitude = calibration_magnitude(values, e.quant.input_calibration);
      input_scales.push_back(magnitude > 0.0 ? magnitude / range.hi : 1.0);
    }
    observed.clear();

    std::vector<std::pair<std::size_t, std::size_t>> shapes;
    for (const UseMatrix& m : model.matrices) shapes.emplace_back(m.k, m.n);
    std::vector<TraceLayer> mapped_layers = trace_or_map(
        e, shapes, [&] { return map_model(model, e); }, context.staging_dir);
    WorkloadResult result;
    std::vector<std::vector<double>> weight_scales;
    for (TraceLayer& layer : mapped_layers) {
      if (layer.weight_scales.size() != static_cast<std::size_t>(layer.mapping.outputs)) {
        throw DataError("layer '" + layer.mapping.name +
                        "': the trace holds no weight scales; map the model with `cimsim map`");
      }
      weight_scales.push_back(std::move(layer.weight_scales));
      result.layers.push_back({std::move(layer.mapping), {}});
    }
    std::vector<const MappedLayer*> mapped;
    for (const auto& record : result.layers) mapped.push_back(&record.mapping);
    MacroSettings settings = e.macro;
    settings.input_signed = true;
    const std::string vcd =
        e.outputs.vcd ? (context.staging_dir / e.outputs.vcd_file).string() : "";
    Accelerator top("top", mapped, settings, e.outputs.vcd_select, vcd);

    // A matrix's inputs quantized, multiplied by `product` in integers and scaled back.
    const auto scaled_product = [&](std::size_t index, const std::vector<float>& x,
                                    std::size_t rows, const auto& product) {
      const UseMatrix& m = model.matrices[index];
      const double scale = input_scales[index];
      IntMatrix q(rows, m.k);
      for (std::size_t i = 0; i < x.size(); ++i) {
        q.data[i] = quantize_input(x[i], scale, range);
      }
      const WideMatrix outputs = product(index, q);
      std::vector<float> y(rows * m.n);
      for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t n = 0; n < m.n; ++n) {
          const std::size_t i = r * m.n + n;
          y[i] = static_cast<float>(scale * weight_scales[index][n] *
                                    static_cast<double>(outputs.data[i]));
        }
      }
      return y;
    };
    std::vector<MatrixError> errors(kUseMatrixCount);
    const UseMatrixProduct simulated = [&](std::size_t index, const std::vector<float>& x,
                                           std::size_t rows) {
      std::vector<float> y = scaled_product(index, x, rows, [&](std::size_t i, const IntMatrix& q) {
        LayerResult layer = top.run_layer(i, q);
        WideMatrix outputs = std::move(layer.outputs);
        layer.outputs = WideMatrix();
        result.layers[i].result.add_batch(layer);
        return outputs;
      });
      const std::vector<float> exact = plain(index, x, rows);
      for (std::size_t i = 0; i < y.size(); ++i) {
        const double difference = static_cast<double>(y[i]) - exact[i];
        errors[index].error_squares += difference * difference;
        errors[index].reference_squares += static_cast<double>(exact[i]) * exact[i];
      }
      return y;
    };
    const std::vector<float> embeddings = encode_sentences(model, sentences, simulated);
    // The integer-ideal encoder: the same quantized inputs and crossbar weights, exact products
    // (no ADC effects), the reference of `cimsim optimize`'s cosine budget. When every matrix is
    // an exact product it is the simulated encoder itself.
    bool all_exact = true;
    for (std::size_t i = 0; i < mapped.size(); ++i) all_exact = all_exact && top.layer_is_exact(i);
    std::vector<float> ideal_embeddings = embeddings;
    if (!all_exact) {
      ideal_embeddings = encode_sentences(
          model, sentences, [&](std::size_t index, const std::vector<float>& x, std::size_t rows) {
            return scaled_product(index, x, rows, [&](std::size_t i, const IntMatrix& q) {
              return integer_gemm(q, top.layer_weights(i));
            });
          });
    }
    // What pruning alone costs, for lack of labelled text: the dense float encoder's embeddings.
    const UseLiteModel dense = load_model(e);
    const std::vector<float> dense_reference =
        encode_sentences(dense, sentences, float_product(dense));

    std::size_t tokens = 0;
    for (const auto& s : sentences) tokens += std::min(s.size(), UseLiteModel::kMaxTokens);
    nlohmann::json fidelity;
    fidelity["sentences"] = sentences.size();
    fidelity["tokens"] = tokens;
    fidelity["reference"] = "float32 encoder with the same pruned weights";
    const std::size_t width = model.matrices[kTanhProjection].n;
    double cosine_sum = 0.0;
    double cosine_min = 1.0;
    double dense_sum = 0.0;
    double dense_min = 1.0;
    double ideal_sum = 0.0;
    double ideal_min = 1.0;
    for (std::size_t s = 0; s < sentences.size(); ++s) {
      const double c = cosine(&embeddings[s * width], &reference[s * width], width);
      const double d = cosine(&embeddings[s * width], &dense_reference[s * width], width);
      const double ideal = cosine(&ideal_embeddings[s * width], &reference[s * width], width);
      cosine_sum += c;
      cosine_min = std::min(cosine_min, c);
      dense_sum += d;
      dense_min = std::min(dense_min, d);
      ideal_sum += ideal;
      ideal_min = std::min(ideal_min, ideal);
      fidelity["per_sentence"].push_back({{"text", text[s]},
                                          {"tokens", sentences[s].size()},
                                          {"cosine", c},
                                          {"cosine_vs_dense", d}});
    }
    const auto count = static_cast<double>(sentences.size());
    fidelity["split"] = e.split;
    fidelity["embedding_cosine_mean"] = cosine_sum / count;
    fidelity["embedding_cosine_min"] = cosine_min;
    // The integer-ideal encoder's embeddings against the same float reference.
    fidelity["ideal_embedding_cosine_mean"] = ideal_sum / count;
    fidelity["ideal_embedding_cosine_min"] = ideal_min;
    // Against the unpruned float32 encoder: pruning plus everything the crossbars add.
    fidelity["embedding_cosine_vs_dense_mean"] = dense_sum / count;
    fidelity["embedding_cosine_vs_dense_min"] = dense_min;
    for (std::size_t i = 0; i < kUseMatrixCount; ++i) {
      const UseMatrix& m = model.matrices[i];
      fidelity["matrices"].push_back({{"name", m.name},
                                      {"k", m.k},
                                      {"n", m.n},
                                      {"sparsity", zero_fraction({&m.weights})},
                                      {"input_scale", input_scales[i]},
                                      {"relative_error", errors[i].relative()}});
      spdlog::info("{}: {} x {}, relative error of the simulated product {:.4g}", m.name, m.k, m.n,
                   errors[i].relative());
    }
    spdlog::info(
        "sentence embeddings: cosine with the float encoder mean {:.6f}, min {:.6f}; "
        "with the unpruned float encoder mean {:.6f}, min {:.6f}",
        cosine_sum / count, cosine_min, dense_sum / count, dense_min);
    write_text_file(context.staging_dir / "fidelity.json", fidelity.dump(2) + "\n");

    // One sentence's vectors per matrix (its mean token count, rounded up; one pooled vector for
    // the projection), each matrix reading the previous one's.
    std::vector<std::uint64_t> per_sentence;
    for (std::size_t i = 0; i < result.layers.size(); ++i) {
      per_sentence.push_back(
          i == kTanhProjection ? 1 : (tokens + sentences.size() - 1) / sentences.size());
    }
    time_run(top, chained_schedule(per_sentence, sentences.size()), e, context, result);
    result.inferences = sentences.size();
    result.inference_unit = "sentences";
    return result;
  }
};

const Registrar<Workload> kRegistrar(
    "use_lite",
    "the pretrained Universal Sentence Encoder lite (ten transformer matrices on crossbars) on "
    "sentences from a text file: energy, counts and fidelity against the float encoder",
    [] { return std::make_unique<UseLiteWorkload>(); });

}  // namespace
}  // namespace cimsim
