// `cimsim optimize` through the real binary on a tiny search (the 90 %-sparse CNN, 16 images):
// it stays within its top-1 budget on the calibration split, resumes from its journal without
// running a point again, hands its points to Slurm job arrays and goes on from their folders,
// and its chosen experiment file is what `cimsim run` reproduces. Bad keys fail before any run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "tests/golden/run_binary.h"

namespace cimsim {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::read_file;
using testing::run_cimsim;
using testing::run_command;
using testing::source_path;

class OptimizeCli : public testing::TempDirTest {
 protected:
  // The smallest search that still has every stage: two mappings, one cap, one mode.
  std::string tiny_experiment(const std::string& policies = "[baseline, sws_packed]",
                              const std::string& extra = "") const {
    const auto file = dir_ / "tiny.yaml";
    std::ofstream(file) << "version: 1\n"
                           "workload:\n"
                           "  kind: mnist_cnn\n"
                           "  samples: 16\n"
                           "  calibration_samples: 32\n"
                           "  model: "
                        << source_path("models/mnist_cnn/pruned90").string()
                        << "\n"
                           "hardware:\n"
                           "  preset: default\n"
                           "optimize:\n"
                           "  calibration_samples: 16\n"
                           "  policies: "
                        << policies
                        << "\n"
                           "  adc_bits: [3]\n"
                           "  adc_modes: [clip]\n"
                        << extra;
    return file.string();
  }

  static json read_json(const std::filesystem::path& file) { return json::parse(read_file(file)); }
};

TEST_F(OptimizeCli, StaysWithinItsBudgetResumesAndItsChosenFileIsWhatRunReproduces) {
  const std::string exp = tiny_experiment();
  const auto out = dir_ / "search";
  const auto first = run_cimsim("optimize " + exp + " --out " + out.string());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, HasSubstr("[optimize] mapping: "));
  const json summary = read_json(out / "optimize.json");
  ASSERT_EQ(summary["chosen"].size(), 4U);
  const json& calibration = summary["calibration"];
  EXPECT_LE(100.0 * (calibration["ideal_top1"].get<double>() - calibration["top1"].get<double>()),
            0.5 + 1e-9);
  EXPECT_EQ(calibration["samples"], 16);
  // Every stage's points are in the journal, each with its results folder.
  const json journal = read_json(out / "journal.json");
  EXPECT_GE(journal["points"].size(), 6U);  // 2 mappings + 4 layers x 1 cap
  for (const auto& [id, point] : journal["points"].items()) {
    EXPECT_TRUE(std::filesystem::exists(out / "points" / id / "report.json")) << id;
  }

  // Again: nothing runs, the same file is chosen.
  const std::string chosen = read_file(out / "chosen.yaml");
  const auto again = run_cimsim("optimize " + exp + " --out " + out.string());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("0 points run now"));
  EXPECT_EQ(read_file(out / "chosen.yaml"), chosen);

  // The chosen file on its own gives the test-set figures optimize reported.
  const auto rerun =
      run_cimsim("run " + (out / "chosen.yaml").string() + " --out " + (dir_ / "rerun").string());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  const json a = read_json(dir_ / "rerun" / "report.json");
  const json b =
      read_json(std::filesystem::path(summary["test_results"].get<std::string>()) / "report.json");
  EXPECT_EQ(a["totals"], b["totals"]);
  EXPECT_EQ(a["accuracy"], b["accuracy"]);
  EXPECT_EQ(a["accuracy"]["split"], "test");
  EXPECT_EQ(summary["test"]["energy_pj"], a["totals"]["energy_pj"]["total"]);
}

TEST_F(OptimizeCli, SlurmArraysCarryEveryStageAndTheSearchGoesOnFromTheirFolders) {
  const std::string exp = tiny_experiment("[sws_packed]");
  const auto out = dir_ / "search";
  const auto script = dir_ / "array.sh";
  int arrays = 0;
  for (; arrays < 10 && !std::filesystem::exists(out / "optimize.json"); ++arrays) {
    std::filesystem::remove(script);
    const auto step = run_cimsim("optimize " + exp + " --out " + out.string() + " --slurm " +
                                 script.string() + " --slurm-opt=--time=00:10:00");
    ASSERT_EQ(step.exit_code, 0) << step.output;
    if (!std::filesystem::exists(script)) break;
    const std::string text = read_file(script);
    ASSERT_THAT(text, HasSubstr("#SBATCH --array=0-"));
    EXPECT_THAT(text, HasSubstr("#SBATCH --time=00:10:00"));
    // What Slurm would do: every task of the array, by its index.
    const std::string range = text.substr(text.find("--array=0-") + 10);
    const int last = std::stoi(range);
    for (int task = 0; task <= last; ++task) {
      const auto ran =
          run_command("SLURM_ARRAY_TASK_ID=" + std::to_string(task) + " bash " + script.string());
      ASSERT_EQ(ran.exit_code, 0) << ran.output;
    }
  }
  ASSERT_TRUE(std::filesystem::exists(out / "optimize.json"));
  // Stage 1 (one mapping), then one array per layer (one cap each), then the test run.
  EXPECT_EQ(arrays, 6);
  EXPECT_EQ(read_json(out / "optimize.json")["chosen"].size(), 4U);
}

// optimize.max_crossbars on the 70 % CNN, where `sws` spends less energy than `baseline` on
// conv2d_2 and dense_1 with 2.6 times the crossbars (baseline 4 + 24 + 1080 + 2 = 1110, sws
// 31 + 65 + 2821 + 10): unbounded, the search takes them; bounded to 1200, it keeps `sws` where
// that fits (conv2d_2) and `baseline` elsewhere. `baseline` as the bound is the `baseline`
// mapping's count, measured even when that mapping is not searched; a bound below every
// combination is refused with the fewest crossbars there are.
TEST_F(OptimizeCli, CrossbarBudgetKeepsTheChoiceWithinItsBound) {
  const auto model = source_path("models/mnist_cnn/pruned70").string();
  const auto search = [&](const std::string& name, const std::string& policies,
                          const std::string& bound) {
    const std::string exp = tiny_experiment(policies, "  max_crossbars: " + bound + "\n");
    return run_cimsim("optimize " + exp + " --set workload.model=" + model + " --out " +
                      (dir_ / name).string());
  };
  const auto free_run = search("free", "[baseline, sws]", "none");
  ASSERT_EQ(free_run.exit_code, 0) << free_run.output;
  const auto bounded_run = search("bounded", "[baseline, sws]", "1200");
  ASSERT_EQ(bounded_run.exit_code, 0) << bounded_run.output;
  const json free = read_json(dir_ / "free" / "optimize.json");
  const json bounded = read_json(dir_ / "bounded" / "optimize.json");
  EXPECT_GT(free["calibration"]["crossbars"].get<std::uint64_t>(), 1200U);
  EXPECT_EQ(bounded["stages"][0]["max_crossbars"], 1200);
  EXPECT_LE(bounded["calibration"]["crossbars"].get<std::uint64_t>(), 1200U);
  EXPECT_LE(bounded["test"]["crossbars"].get<std::uint64_t>(), 1200U);
  double baseline_energy = 0.0;
  for (const json& p : bounded["stages"][0]["points"]) {
    if (p["label"] == "all layers baseline/128") baseline_energy = p["energy_pj"].get<double>();
  }
  // Within the bound it still mixes in `sws` where that fits, below the baseline's energy.
  EXPECT_LT(bounded["stages"][0]["points"].back()["energy_pj"].get<double>(), baseline_energy);
  bool uses_sws = false;
  for (const json& l : bounded["chosen"]) uses_sws = uses_sws || l["mapping.policy"] == "sws";
  EXPECT_TRUE(uses_sws);

  const auto refused = search("tight", "[sws]", "baseline");
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("no combination of the mapping candidates fits 1110 "
                                        "crossbars (optimize.max_crossbars); the fewest is 2927"));
  const auto bad = run_cimsim("optimize " + tiny_experiment("[baseline]", "  max_crossbars: 0\n") +
                              " --out " + (dir_ / "bad").string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr("optimize.max_crossbars: expected none, baseline or a whole"));
}

// USE-lite has no labels: the search keeps the mean embedding cosine of the calibration
// sentences within its budget of the integer-ideal encoder's, and never reads a test sentence.
TEST_F(OptimizeCli, UseLiteSearchKeepsTheEmbeddingCosineWithinItsBudget) {
  const auto calibration = dir_ / "calibration.txt";
  std::ofstream(calibration) << "A quiet street at night.\nThe soup is too salty.\n";
  const auto exp = dir_ / "use_lite.yaml";
  std::ofstream(exp) << "version: 1\nworkload:\n  kind: use_lite\n  text: "
                     << source_path("configs/experiments/use_lite/sentences.txt").string()
                     << "\n  calibration_text: " << calibration.string()
                     << "\n  samples: 2\nprune:\n  sparsity: 0.9\nhardware:\n  preset: default\n"
                        "optimize:\n  calibration_samples: 2\n  embedding_cosine_budget: 0.002\n"
                        "  policies: [sws_packed]\n  adc_bits: [3]\n  adc_modes: [clip]\n";
  const auto out = dir_ / "search";
  const auto ran = run_cimsim("optimize " + exp.string() + " --out " + out.string());
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  const json summary = read_json(out / "optimize.json");
  const json& c = summary["calibration"];
  EXPECT_EQ(c["samples"], 2);
  EXPECT_GT(c["ideal_embedding_cosine"].get<double>(), 0.99);
  EXPECT_LE(c["ideal_embedding_cosine"].get<double>() - c["embedding_cosine"].get<double>(),
            0.002 + 1e-12);
  EXPECT_THAT(summary["calibration_split"].get<std::string>(), HasSubstr("calibration_text"));
  // 3-bit caps lose more than the budget on some matrices: those keep their 8 bits.
  std::size_t capped = 0;
  for (const json& l : summary["chosen"]) capped += l["hardware.adc.bits"] == 3 ? 1 : 0;
  EXPECT_LT(capped, 10U);
  // Every calibration point encoded the calibration sentences, the test run the test ones.
  // The journal is kept in a variable: items() of a temporary would outlive it.
  const json journal = read_json(out / "journal.json");
  for (const auto& [id, point] : journal["points"].items()) {
    const json fidelity = read_json(out / "points" / id / "fidelity.json");
    EXPECT_EQ(fidelity["split"], "calibration_text") << id;
    EXPECT_EQ(fidelity["per_sentence"][0]["text"], "A quiet street at night.") << id;
  }
  const json test = read_json(std::filesystem::path(summary["test_results"].get<std::string>()) /
                              "fidelity.json");
  EXPECT_EQ(test["split"], "test");
  EXPECT_EQ(test["per_sentence"][0]["text"], "How old are you?");
  EXPECT_EQ(summary["test"]["embedding_cosine"], test["embedding_cosine_mean"]);
}

TEST_F(OptimizeCli, InterruptedSearchSaysItsJournalIsKept) {
  const auto out = dir_ / "search";
  const auto journal = out / "journal.json";
  const auto log = dir_ / "optimize.log";
  // SIGTERM as soon as the first point is in the journal (at most 120 s of waiting).
  const auto ran = run_command(
      std::string(CIMSIM_BINARY) + " optimize " + tiny_experiment() + " --out " + out.string() +
      " > " + log.string() + " 2>&1 & pid=$!; for i in $(seq 1200); do [ -f " + journal.string() +
      " ] && break; sleep 0.1; done; kill -TERM $pid; wait $pid; echo \"exit $?\"");
  EXPECT_THAT(ran.output, HasSubstr("exit 1"));
  const std::string output = read_file(log);
  EXPECT_THAT(output, HasSubstr("interrupted by SIGTERM; the journal keeps every point"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("no results were written")));
  EXPECT_GE(read_json(journal)["points"].size(), 1U);
  EXPECT_FALSE(std::filesystem::exists(out / "optimize.json"));
}

TEST_F(OptimizeCli, BadKeysAndWorkloadsWithoutATrainingSplitFailBeforeAnyRun) {
  const auto bad_bits = run_cimsim("optimize " + tiny_experiment() +
                                   " --set optimize.adc_bits=[8] --out " + (dir_ / "a").string());
  EXPECT_EQ(bad_bits.exit_code, 2);
  EXPECT_THAT(bad_bits.output, HasSubstr("optimize.adc_bits: 8 is not below hardware.adc.bits"));
  const auto typo = run_cimsim("optimize " + tiny_experiment("[sws_packed]", "  objectiv: edp\n") +
                               " --out " + (dir_ / "b").string());
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.output, HasSubstr("tiny.yaml:14:3: unknown key 'optimize.objectiv' (did you "
                                     "mean 'objective'?)"));
  const auto gemm =
      run_cimsim("optimize " + source_path("configs/experiments/sparse_gemm.yaml").string() +
                 " --out " + (dir_ / "c").string());
  EXPECT_EQ(gemm.exit_code, 2);
  EXPECT_THAT(gemm.output, HasSubstr("workload.split: only the image classifiers"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a" / "points"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "c"));
}

}  // namespace
}  // namespace cimsim
