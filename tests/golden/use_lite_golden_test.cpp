// The Universal Sentence Encoder lite on crossbars through the real binary: the ten matrices as
// layers, every token an input vector, identical outputs under every mapping when no ADC clips,
// fewer conversions with sorted sections on a sparse model, and fidelity against the float
// encoder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/golden/run_binary.h"

namespace cimsim {
namespace {

using testing::read_file;
using testing::run_cimsim;
using testing::source_path;

class UseLiteGolden : public testing::TempDirTest {};

TEST_F(UseLiteGolden, MapsTheTenMatricesAndMappingsAgreeWhereNothingClips) {
  const auto out = dir_ / "run";
  const auto result =
      run_cimsim("run " + source_path("configs/experiments/use_lite/sparse90.yaml").string() +
                 " --out " + out.string() + " --set workload.samples=3");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto fidelity_of = [&](const char* variant) {
    return nlohmann::json::parse(read_file(out / variant / "fidelity.json"));
  };
  const auto report_of = [&](const char* variant) {
    return nlohmann::json::parse(read_file(out / variant / "report.json"));
  };
  const auto base = report_of("baseline_fixed");
  const auto sws = report_of("sws_capped");
  const auto base_fidelity = fidelity_of("baseline_fixed");
  ASSERT_EQ(base["layers"].size(), 10U);
  const std::size_t tokens = base_fidelity["tokens"].get<std::size_t>();
  EXPECT_EQ(base_fidelity["sentences"], 3);
  EXPECT_GT(tokens, 3U);
  const int shapes[10][2] = {{256, 768},  {256, 512}, {256, 512},  {512, 1536}, {1536, 512},
                             {512, 1536}, {512, 512}, {512, 1536}, {1536, 512}, {512, 512}};
  for (int i = 0; i < 10; ++i) {
    const auto& layer = base["layers"][i];
    EXPECT_EQ(layer["inputs_k"], shapes[i][0]) << i;
    EXPECT_EQ(layer["outputs_n"], shapes[i][1]) << i;
    // Every token is a vector of each matrix; the tanh projection sees one pooled vector per
    // sentence.
    EXPECT_EQ(layer["vectors"].get<std::size_t>(), i == 9 ? 3U : tokens) << i;
    EXPECT_NEAR(base_fidelity["matrices"][i]["sparsity"].get<double>(), 0.9, 1e-4) << i;
  }
  // 8-bit ADCs on 128-row crossbars of 1-bit cells never clip, so every mapping computes the
  // same integers: the fidelity figures agree to the last bit.
  for (const char* variant : {"baseline_capped", "sws_capped", "sws_shared_capped"}) {
    const auto other = fidelity_of(variant);
    EXPECT_EQ(report_of(variant)["totals"]["adc"]["clipped_conversions"], 0) << variant;
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(other["matrices"][i]["relative_error"],
                base_fidelity["matrices"][i]["relative_error"])
          << variant << " " << i;
    }
    EXPECT_EQ(other["embedding_cosine_mean"], base_fidelity["embedding_cosine_mean"]) << variant;
  }
  // 8-bit weights and inputs keep each product within a few % and the embedding's direction.
  for (int i = 0; i < 10; ++i) {
    const double error = base_fidelity["matrices"][i]["relative_error"].get<double>();
    EXPECT_GT(error, 0.0) << i;
    EXPECT_LT(error, 0.05) << i;
  }
  EXPECT_GT(base_fidelity["embedding_cosine_min"].get<double>(), 0.99);
  // Pruning 90 % without fine-tuning moves the embeddings far more than the crossbars do.
  EXPECT_LT(base_fidelity["embedding_cosine_vs_dense_mean"].get<double>(),
            base_fidelity["embedding_cosine_mean"].get<double>() - 0.1);
  // Sorted sections at 90 % sparsity: far fewer conversions and less ADC energy.
  EXPECT_LT(sws["totals"]["adc"]["conversions"].get<double>(),
            0.5 * base["totals"]["adc"]["conversions"].get<double>());
  EXPECT_LT(sws["totals"]["energy_pj"]["adc"].get<double>(),
            0.5 * base["totals"]["energy_pj"]["adc"].get<double>());
  const auto comparison = read_file(out / "comparison.csv");
  EXPECT_NE(comparison.find("sws_shared_capped"), std::string::npos);
}

// The integer-ideal encoder (`cimsim optimize`'s reference) is the exact encoder: with 3-bit
// ADCs that clip, its cosine is what the lossless 8-bit run simulates, to the last bit, and
// above the clipped run's.
TEST_F(UseLiteGolden, IdealCosineIsTheExactEncodersWhateverTheAdcs) {
  const std::string exp = source_path("configs/experiments/use_lite/sparse90.yaml").string();
  const std::string common =
      " --set 'compare=~' --set mapping.policy=sws --set "
      "hardware.adc.policy=capped --set workload.samples=3";
  const auto exact = run_cimsim("run " + exp + common + " --out " + (dir_ / "exact").string());
  ASSERT_EQ(exact.exit_code, 0) << exact.output;
  const auto lossy = run_cimsim("run " + exp + common + " --set hardware.adc.bits=3 --out " +
                                (dir_ / "lossy").string());
  ASSERT_EQ(lossy.exit_code, 0) << lossy.output;
  const auto exact_fidelity = nlohmann::json::parse(read_file(dir_ / "exact" / "fidelity.json"));
  const auto lossy_fidelity = nlohmann::json::parse(read_file(dir_ / "lossy" / "fidelity.json"));
  EXPECT_EQ(exact_fidelity["ideal_embedding_cosine_mean"], exact_fidelity["embedding_cosine_mean"]);
  EXPECT_EQ(lossy_fidelity["ideal_embedding_cosine_mean"], exact_fidelity["embedding_cosine_mean"]);
  EXPECT_EQ(lossy_fidelity["ideal_embedding_cosine_min"], exact_fidelity["embedding_cosine_min"]);
  EXPECT_LT(lossy_fidelity["embedding_cosine_mean"].get<double>(),
            lossy_fidelity["ideal_embedding_cosine_mean"].get<double>() - 1e-3);
}

// workload.split calibration_text encodes the calibration sentences instead of the test ones,
// and refuses a calibration file that shares a sentence with the test file.
TEST_F(UseLiteGolden, CalibrationSplitReadsItsOwnSentencesAndNeverATestSentence) {
  const std::string exp = source_path("configs/experiments/use_lite/sparse90.yaml").string();
  const auto calibration = dir_ / "calibration.txt";
  std::ofstream(calibration) << "A quiet street at night.\n\nThe soup is too salty.\nUnused.\n";
  const std::string common =
      " --set 'compare=~' --set workload.samples=2 --set "
      "workload.split=calibration_text --set workload.calibration_text=" +
      calibration.string();
  const auto run = run_cimsim("run " + exp + common + " --out " + (dir_ / "cal").string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto fidelity = nlohmann::json::parse(read_file(dir_ / "cal" / "fidelity.json"));
  EXPECT_EQ(fidelity["split"], "calibration_text");
  ASSERT_EQ(fidelity["per_sentence"].size(), 2U);
  EXPECT_EQ(fidelity["per_sentence"][0]["text"], "A quiet street at night.");
  EXPECT_EQ(fidelity["per_sentence"][1]["text"], "The soup is too salty.");

  std::ofstream(calibration) << "A quiet street at night.\nThe weather is nice today.\n";
  const auto overlap = run_cimsim("run " + exp + common + " --out " + (dir_ / "bad").string());
  EXPECT_EQ(overlap.exit_code, 2) << overlap.output;
  EXPECT_NE(overlap.output.find("workload.calibration_text"), std::string::npos) << overlap.output;
  EXPECT_NE(overlap.output.find("'The weather is nice today.' is also in workload.text"),
            std::string::npos)
      << overlap.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "bad"));
  // The image classifiers' split is train_tail, use_lite's calibration_text.
  const auto tail =
      run_cimsim("validate " + exp + " --set workload.split=train_tail --set workload.samples=3");
  EXPECT_EQ(tail.exit_code, 2);
  EXPECT_NE(tail.output.find("calibration split is calibration_text"), std::string::npos);
  const auto no_file = run_cimsim("validate " + exp + " --set workload.split=calibration_text");
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_NE(no_file.output.find("needs workload.calibration_text"), std::string::npos);
}

TEST_F(UseLiteGolden, RefusesAConfigWithoutSentences) {
  const auto config = dir_ / "no_text.yaml";
  std::ofstream(config) << "version: 1\nworkload:\n  kind: use_lite\n";
  const auto result = run_cimsim("validate " + config.string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("workload.text"), std::string::npos) << result.output;
  std::ofstream(config) << "version: 1\nworkload:\n  kind: use_lite\n  text: " +
                               source_path("configs/experiments/use_lite/sentences.txt").string() +
                               "\nquant:\n  input_signed: false\n";
  const auto unsigned_inputs = run_cimsim("validate " + config.string());
  EXPECT_EQ(unsigned_inputs.exit_code, 2) << unsigned_inputs.output;
  EXPECT_NE(unsigned_inputs.output.find("quant.input_signed"), std::string::npos);
}

}  // namespace
}  // namespace cimsim
