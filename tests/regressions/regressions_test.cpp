// Replays every input the fuzzers ever crashed on (tests/regressions/<target>/) and every seed
// (fuzz/corpus/<target>/) through the fuzz harnesses' own entry points (fuzz/fuzz_targets.h),
// in the normal test build: each input must be accepted or refused with a cimsim::Error, never
// end in another exception (or, in the sanitizer build, a sanitizer report). A few crash inputs
// also get a test of the exact error the fix gives. docs/reliability.md describes the fuzzers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <typeinfo>
#include <vector>

#include "fuzz/fuzz_targets.h"
#include "sim/core/errors.h"

namespace cimsim {
namespace fuzz {

// The harness's name in test names and messages (gtest would print the struct's bytes).
void PrintTo(const NamedTarget& target, std::ostream* out) { *out << target.name; }

}  // namespace fuzz

namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = CIMSIM_SOURCE_DIR;

std::vector<std::uint8_t> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The kept inputs of one target: its regression inputs, then its seeds (README files aside).
std::vector<fs::path> kept_inputs(const std::string& target) {
  std::vector<fs::path> files;
  for (const fs::path& dir :
       {kSourceDir / "tests" / "regressions" / target, kSourceDir / "fuzz" / "corpus" / target}) {
    if (!fs::is_directory(dir)) continue;
    std::vector<fs::path> here;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().filename() != "README.md") {
        here.push_back(entry.path());
      }
    }
    std::sort(here.begin(), here.end());
    files.insert(files.end(), here.begin(), here.end());
  }
  return files;
}

class FuzzRegression : public ::testing::TestWithParam<fuzz::NamedTarget> {};

TEST_P(FuzzRegression, EveryKeptInputIsAcceptedOrRefusedWithACimsimError) {
  const fuzz::NamedTarget target = GetParam();
  const std::vector<fs::path> files = kept_inputs(target.name);
  // Every target has committed seeds; finding none means the paths are wrong.
  ASSERT_FALSE(files.empty()) << "no inputs for " << target.name << " under " << kSourceDir;
  for (const fs::path& file : files) {
    const std::vector<std::uint8_t> bytes = read_bytes(file);
    try {
      fuzz::run_one(target.target, bytes.data(), bytes.size());
    } catch (const std::exception& e) {
      ADD_FAILURE() << file.string() << ": " << typeid(e).name() << ": " << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Harnesses, FuzzRegression, ::testing::ValuesIn(fuzz::kTargets),
                         [](const ::testing::TestParamInfo<fuzz::NamedTarget>& param_info) {
                           return std::string(param_info.param.name);
                         });

// The fixes give the typed errors their readers promise, with a useful message.

template <typename ErrorType>
std::string error_of(fuzz::Target target, const fs::path& file) {
  const std::vector<std::uint8_t> bytes = read_bytes(file);
  try {
    target(bytes.data(), bytes.size());
  } catch (const ErrorType& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << file.string() << ": expected a " << typeid(ErrorType).name() << ", got "
                  << typeid(e).name() << ": " << e.what();
    return "";
  }
  ADD_FAILURE() << file.string() << ": accepted, expected a " << typeid(ErrorType).name();
  return "";
}

const fs::path kRegressions = kSourceDir / "tests" / "regressions";

TEST(FuzzRegressionMessages, KerasNumberTooLargeForADoubleIsInvalidJson) {
  const std::string message =
      error_of<DataError>(&fuzz::keras, kRegressions / "keras" / "number_overflow_1e400.keras");
  EXPECT_NE(message.find("model.json: not valid JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("1e400"), std::string::npos) << message;
}

TEST(FuzzRegressionMessages, ExperimentKeyThatIsAListIsAConfigError) {
  const std::string message =
      error_of<ConfigError>(&fuzz::config, kRegressions / "config" / "key_is_a_list.yaml");
  EXPECT_NE(message.find("expected a plain key, got a list"), std::string::npos) << message;
}

TEST(FuzzRegressionMessages, CompareBaselineThatIsAMappingIsAConfigError) {
  const std::string message = error_of<ConfigError>(
      &fuzz::config, kRegressions / "config" / "compare_baseline_is_a_mapping.yaml");
  EXPECT_NE(message.find("compare"), std::string::npos) << message;
  EXPECT_NE(message.find("baseline"), std::string::npos) << message;
}

TEST(FuzzRegressionMessages, CompareSetKeyThatIsAListIsAConfigError) {
  const std::string message = error_of<ConfigError>(
      &fuzz::config, kRegressions / "config" / "compare_set_key_is_a_list.yaml");
  EXPECT_NE(message.find("expected a plain key, got a list"), std::string::npos) << message;
}

TEST(FuzzRegressionMessages, PresetNameTooLongForTheFileSystemIsNotFound) {
  const std::string message =
      error_of<ConfigError>(&fuzz::config, kRegressions / "config" / "preset_name_too_long.yaml");
  EXPECT_NE(message.find("hardware.preset: no preset"), std::string::npos) << message;
}

// The seeds of the TF.js and tokenizer harnesses reach what they were made for: the valid ones
// are accepted (so that the fuzzer starts inside the readers' success paths and the harnesses'
// property checks run), the near-valid ones are refused as data errors.
TEST(FuzzSeeds, TfjsAndTokenizerSeedsAreAcceptedOrRefusedAsIntended) {
  const fs::path corpus = kSourceDir / "fuzz" / "corpus";
  const auto run = [](fuzz::Target target, const fs::path& file) {
    const std::vector<std::uint8_t> bytes = read_bytes(file);
    ASSERT_FALSE(bytes.empty()) << file.string();
    target(bytes.data(), bytes.size());
  };
  for (const char* name : {"one_shard.tfjs", "split_shards.tfjs", "two_groups.tfjs"}) {
    EXPECT_NO_THROW(run(&fuzz::tfjs, corpus / "tfjs" / name)) << name;
  }
  for (const char* name :
       {"truncated_shard.tfjs", "quantized.tfjs", "path_outside.tfjs", "string_dtype.tfjs"}) {
    EXPECT_THROW(run(&fuzz::tfjs, corpus / "tfjs" / name), DataError) << name;
  }
  for (const char* name : {"sentences.tok", "vocab_only.tok", "null_score_and_repeat.tok"}) {
    EXPECT_NO_THROW(run(&fuzz::tokenizer, corpus / "tokenizer" / name)) << name;
  }
  for (const char* name : {"not_pairs.tok", "empty_list.tok"}) {
    EXPECT_THROW(run(&fuzz::tokenizer, corpus / "tokenizer" / name), DataError) << name;
  }
}

}  // namespace
}  // namespace cimsim
