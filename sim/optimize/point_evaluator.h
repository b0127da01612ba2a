// Measures points of a search: each point is the base experiment with extra --set overrides,
// run by the cimsim binary itself (`cimsim run BASE --set ... --out OUT/points/<id>`) so that a
// point measured here, in a Slurm array task or by hand is the same run. Finished points are kept
// in a journal (OUT/journal.json, rewritten atomically after each point) and reused on restart;
// a point folder that a Slurm task published is picked up too.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cimsim {

struct LayerMeasurement {
  std::string name;
  double energy_pj = 0.0;
  double adc_energy_pj = 0.0;
  double latency_ns = 0.0;
  double area_um2 = 0.0;
  std::uint64_t crossbars = 0;
};

struct Measurement {
  double energy_pj = 0.0;
  double adc_energy_pj = 0.0;
  double latency_ns = 0.0;
  double area_um2 = 0.0;
  std::uint64_t crossbars = 0;
  std::uint64_t input_buffer_reads = 0;
  // Image classifiers (report.json's accuracy):
  double top1 = 0.0;        // simulated [fraction]
  double ideal_top1 = 0.0;  // integer-ideal on the same images [fraction]
  // use_lite (fidelity.json): mean cosine of the sentence embeddings with the float encoder's
  double embedding_cosine = 0.0;        // simulated
  double ideal_embedding_cosine = 0.0;  // integer-ideal encoder, same sentences
  std::uint64_t samples = 0;            // images or sentences
  std::vector<LayerMeasurement> layers;

  // use_lite's figures (the integer-ideal cosine of a real encoder is never 0), else top-1.
  [[nodiscard]] bool has_embedding_cosine() const;
  // "top-1 97.10 % (ideal 97.30 %)" or "embedding cosine 0.999200 (ideal 0.999241)".
  [[nodiscard]] std::string fidelity_text() const;
  [[nodiscard]] nlohmann::json to_json() const;
  [[nodiscard]] static Measurement from_json(const nlohmann::json& j);
  // The figures of a results folder: its report.json and, for use_lite, its fidelity.json.
  [[nodiscard]] static Measurement from_results(const std::filesystem::path& folder);
};

struct Point {
  std::string label;                   // for the progress lines, e.g. "dense_1 adc 5 clip"
  std::vector<std::string> overrides;  // beyond the base experiment's
  // A name for its results folder: the first 16 hex digits of the SHA-256 of `salt` (what
  // the evaluator runs it on) and the overrides.
  [[nodiscard]] std::string id(const std::string& salt) const;
};

struct EvaluatorSettings {
  std::filesystem::path experiment;         // the base experiment file (absolute)
  std::vector<std::string> base_overrides;  // the --set overrides optimize was given
  std::filesystem::path out_dir;            // OUT: journal.json, points/, logs/
  std::filesystem::path cimsim;             // the binary that runs the points
  int jobs = 1;                             // points run at once on this machine
  int threads = 0;                          // --threads for each point (0: cimsim's default)
  std::filesystem::path slurm_file;         // non-empty: write job arrays instead of running
  std::vector<std::string> slurm_options;   // extra #SBATCH lines
};

class PointEvaluator {
 public:
  explicit PointEvaluator(EvaluatorSettings settings);

  // Measures every point (reused from the journal or a point folder when there). Returns false
  // when, with a Slurm file, some points were left to a job array: the script is written and the
  // search must stop until they are done. Throws RuntimeError when a point's run fails.
  bool evaluate(const std::vector<Point>& points, const std::string& stage);

  [[nodiscard]] const Measurement& at(const Point& point) const;
  [[nodiscard]] std::size_t evaluated() const { return evaluated_; }
  [[nodiscard]] std::size_t reused() const { return reused_; }
  // The command that runs a point, as argv.
  [[nodiscard]] std::vector<std::string> command(const Point& point) const;
  [[nodiscard]] std::filesystem::path point_dir(const Point& point) const;
  [[nodiscard]] std::string point_id(const Point& point) const { return point.id(salt_); }

 private:
  void load_journal();
  void save_journal() const;
  void record(const Point& point, const Measurement& m);
  void run_locally(const std::vector<Point>& points, const std::string& stage);
  void write_slurm(const std::vector<Point>& points, const std::string& stage) const;

  EvaluatorSettings settings_;
  // The base experiment file's text and overrides: a point is the same run only on the same
  // base, so an edited experiment file does not reuse another file's points.
  std::string salt_;
  std::map<std::string, nlohmann::json> journal_;  // id -> {overrides, label, measurement}
  std::map<std::string, Measurement> measured_;
  std::size_t evaluated_ = 0;
  std::size_t reused_ = 0;
};

}  // namespace cimsim
