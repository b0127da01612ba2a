// Golden regressions: the real binary on the committed sparse matrix experiment, compared with
// committed expectations (tests/golden/expected), and the report contract scripts rely on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "sim/io/npy.h"
#include "tests/golden/run_binary.h"

namespace cimsim {
namespace {

using testing::read_file;
using testing::run_cimsim;
using testing::source_path;

class GemmGolden : public testing::TempDirTest {
 protected:
  std::filesystem::path run(const std::string& name, const std::string& sets) {
    const std::filesystem::path out = dir_ / name;
    const auto result =
        run_cimsim("run " + source_path("configs/experiments/sparse_gemm.yaml").string() +
                   " --out " + out.string() + " " + sets);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return out;
  }
};

TEST_F(GemmGolden, SummaryMatchesExpectation) {
  const auto sws = run("sws", "");
  EXPECT_EQ(read_file(sws / "summary.csv"),
            read_file(source_path("tests/golden/expected/sparse_gemm_sws.csv")));
  const auto base = run("base", "--set mapping.policy=baseline --set hardware.adc.policy=fixed");
  EXPECT_EQ(read_file(base / "summary.csv"),
            read_file(source_path("tests/golden/expected/sparse_gemm_baseline_fixed.csv")));
}

TEST_F(GemmGolden, EveryMappingGivesTheExactProduct) {
  const NpyArray expected = read_npy(source_path("configs/experiments/data/sparse90_expected.npy"));
  for (const std::string policy : {"baseline", "sws", "sws_shared", "sws_packed"}) {
    const auto out = run(policy, "--set mapping.policy=" + policy);
    const NpyArray outputs = read_npy(out / "outputs.npy");
    EXPECT_EQ(outputs.dtype, "<i8");
    EXPECT_EQ(outputs.shape, expected.shape);
    EXPECT_EQ(outputs.ints, expected.ints) << policy;
  }
}

TEST_F(GemmGolden, SwsConvertsLessThanBaselineOnSparseWeights) {
  const auto base = run("base", "--set mapping.policy=baseline --set hardware.adc.policy=fixed");
  const auto sws = run("sws", "--set mapping.policy=sws");
  const auto b = nlohmann::json::parse(read_file(base / "report.json"));
  const auto s = nlohmann::json::parse(read_file(sws / "report.json"));
  EXPECT_LT(s["totals"]["adc"]["conversions"].get<double>(),
            b["totals"]["adc"]["conversions"].get<double>());
  EXPECT_LT(s["totals"]["energy_pj"]["adc"].get<double>(),
            b["totals"]["energy_pj"]["adc"].get<double>());
}

TEST_F(GemmGolden, ReportHasTheContractKeys) {
  const auto out = run("sws", "");
  const auto report = nlohmann::json::parse(read_file(out / "report.json"));
  ASSERT_TRUE(report.contains("totals"));
  ASSERT_TRUE(report["layers"].is_array());
  ASSERT_EQ(report["layers"].size(), 1U);
  for (const auto* part : {&report["totals"], &report["layers"][0]}) {
    const auto& p = *part;
    for (const char* key : {"adc", "dac", "crossbar", "shift_add", "buffer", "total"}) {
      EXPECT_TRUE(p["energy_pj"].contains(key)) << key;
    }
    for (const char* key :
         {"conversions", "conversions_by_bits", "gated_columns", "allocated_columns"}) {
      EXPECT_TRUE(p["adc"].contains(key)) << key;
    }
    for (const char* key : {"cycles", "latency_ns", "crossbars"})
      EXPECT_TRUE(p.contains(key)) << key;
    // The energy total is the sum of its parts, and conversions the sum of the histogram.
    double sum = 0.0;
    for (const auto& [key, value] : p["energy_pj"].items()) {
      if (key != "total") sum += value.get<double>();
    }
    EXPECT_NEAR(sum, p["energy_pj"]["total"].get<double>(), 1e-9 * sum);
    std::uint64_t conversions = 0;
    for (const auto& [bits, count] : p["adc"]["conversions_by_bits"].items()) {
      conversions += count.get<std::uint64_t>();
    }
    EXPECT_EQ(conversions, p["adc"]["conversions"].get<std::uint64_t>());
  }
  EXPECT_EQ(report["models"]["adc"]["model"], "cimloop");
  // Per crossbar and per column class, the counts add up to the layer's.
  std::uint64_t class_conversions = 0;
  std::uint64_t class_columns = 0;
  for (const auto& [bits, column_class] : report["layers"][0]["column_classes"].items()) {
    class_conversions += column_class["conversions"].get<std::uint64_t>();
    class_columns += column_class["columns"].get<std::uint64_t>();
  }
  EXPECT_EQ(class_conversions, report["totals"]["adc"]["conversions"].get<std::uint64_t>());
  EXPECT_EQ(class_columns, report["totals"]["adc"]["allocated_columns"].get<std::uint64_t>());
  std::istringstream crossbars(read_file(out / "crossbars.csv"));
  std::string line;
  std::getline(crossbars, line);
  EXPECT_THAT(line, ::testing::HasSubstr("conversions"));
  std::uint64_t rows = 0;
  std::uint64_t crossbar_conversions = 0;
  while (std::getline(crossbars, line)) {
    ++rows;
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
    ASSERT_EQ(fields.size(), 11U) << line;
    crossbar_conversions += std::stoull(fields[7]);
  }
  EXPECT_EQ(rows, report["totals"]["crossbars"].get<std::uint64_t>());
  EXPECT_EQ(crossbar_conversions, report["totals"]["adc"]["conversions"].get<std::uint64_t>());
  const std::string csv = read_file(out / "summary.csv");
  for (const char* column : {"mapping", "adc_policy", "adc_bits", "energy_adc_pj",
                             "energy_total_pj", "adc_conversions", "cycles", "latency_ns"}) {
    EXPECT_THAT(csv.substr(0, csv.find('\n')), ::testing::HasSubstr(column));
  }
}

TEST_F(GemmGolden, SameConfigAndSeedGiveIdenticalBytes) {
  const auto first = run("a", "");
  const auto second = run("b", "");
  EXPECT_EQ(read_file(first / "report.json"), read_file(second / "report.json"));
  EXPECT_EQ(read_file(first / "summary.csv"), read_file(second / "summary.csv"));
}

TEST_F(GemmGolden, ResolvedConfigReproducesTheRun) {
  const auto first = run("a", "--set hardware.adc.bits=5");
  const auto again = dir_ / "again";
  const auto result =
      run_cimsim("run " + (first / "resolved_config.yaml").string() + " --out " + again.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(read_file(first / "summary.csv").substr(read_file(first / "summary.csv").find('\n')),
            read_file(again / "summary.csv").substr(read_file(again / "summary.csv").find('\n')));
}

TEST_F(GemmGolden, VcdIsAcceptedByGtkwave) {
  const auto out =
      run("vcd", "--set outputs.vcd.enabled=true --set 'outputs.vcd.select=[top.gemm.xbar0]'");
  const auto vcd = out / "waves.vcd";
  ASSERT_TRUE(std::filesystem::exists(vcd));
  const auto converted =
      testing::run_command("vcd2fst " + vcd.string() + " " + (dir_ / "w.fst").string());
  EXPECT_EQ(converted.exit_code, 0) << converted.output;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "w.fst"));
  const std::string text = read_file(vcd);
  for (const char* signal :
       {"$scope module xbar0", "input_cycle", "busy", "enable", "bits", "code", "out0"}) {
    EXPECT_THAT(text, ::testing::HasSubstr(signal));
  }
  EXPECT_THAT(text, ::testing::HasSubstr("1 ps"));
}

TEST_F(GemmGolden, ErrorsExitWithTwoAndNoResultsFolder) {
  const auto out = dir_ / "bad";
  auto result = run_cimsim("run " + source_path("configs/experiments/sparse_gemm.yaml").string() +
                           " --out " + out.string() + " --set hardware.adc.bits=99");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, ::testing::HasSubstr("hardware.adc.bits: 99 is out of range"));
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_EQ(run_cimsim("--no-such-flag").exit_code, 2);
  EXPECT_EQ(run_cimsim("run").exit_code, 2);
  EXPECT_EQ(run_cimsim("--version").exit_code, 0);
  EXPECT_THAT(run_cimsim("--help").output, ::testing::HasSubstr("run"));
  EXPECT_THAT(run_cimsim("--list-components").output, ::testing::HasSubstr("sws_shared"));
}

TEST_F(GemmGolden, MissingDataFileIsARuntimeErrorNamingIt) {
  const auto out = dir_ / "missing";
  auto result = run_cimsim("run " + source_path("configs/experiments/sparse_gemm.yaml").string() +
                           " --out " + out.string() + " --set workload.weights=/nonexistent/w.npy");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, ::testing::HasSubstr("/nonexistent/w.npy"));
  EXPECT_FALSE(std::filesystem::exists(out));
  bool leftovers = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir_))
    leftovers |= entry.path() != out;
  EXPECT_FALSE(leftovers) << "a staging folder was left behind";
}

}  // namespace
}  // namespace cimsim
