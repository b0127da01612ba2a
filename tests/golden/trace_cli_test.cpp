// `cimsim map`, `cimsim trace inspect` and trace-driven runs through the real binary, and an
// interrupted run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <csignal>
#include <thread>
#include <vector>

#include "tests/golden/run_binary.h"

namespace cimsim {
namespace {

using ::testing::HasSubstr;
using testing::read_file;
using testing::run_cimsim;
using testing::source_path;

class TraceCli : public testing::TempDirTest {};

TEST_F(TraceCli, MapThenRunFromTheTraceGivesTheSameResults) {
  const std::string exp = source_path("configs/experiments/sparse_gemm.yaml").string();
  const auto trace = dir_ / "traces" / "sws.cimtrace";
  const auto mapped = run_cimsim("map " + exp + " --out " + trace.string());
  ASSERT_EQ(mapped.exit_code, 0) << mapped.output;
  EXPECT_THAT(mapped.output, HasSubstr("40 kept, 80 dropped"));
  const auto direct = run_cimsim("run " + exp + " --out " + (dir_ / "direct").string());
  const auto traced = run_cimsim("run " + exp + " --out " + (dir_ / "traced").string() +
                                 " --set workload.trace=" + trace.string());
  ASSERT_EQ(direct.exit_code, 0) << direct.output;
  ASSERT_EQ(traced.exit_code, 0) << traced.output;
  EXPECT_EQ(read_file(dir_ / "direct" / "outputs.npy"), read_file(dir_ / "traced" / "outputs.npy"));
  const std::string a = read_file(dir_ / "direct" / "summary.csv");
  const std::string b = read_file(dir_ / "traced" / "summary.csv");
  EXPECT_EQ(a, b);
}

TEST_F(TraceCli, InspectAndRefusals) {
  const std::string exp = source_path("configs/experiments/sparse_gemm.yaml").string();
  const auto trace = dir_ / "t.cimtrace";
  ASSERT_EQ(
      run_cimsim("map " + exp + " --set mapping.policy=baseline --out " + trace.string()).exit_code,
      0);
  const auto inspected = run_cimsim("trace inspect " + trace.string());
  EXPECT_EQ(inspected.exit_code, 0);
  EXPECT_THAT(inspected.output, HasSubstr("policy baseline"));
  // A truncated trace is refused, naming the file.
  const std::string bytes = read_file(trace);
  const auto cut = dir_ / "cut.cimtrace";
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const auto refused = run_cimsim("trace inspect " + cut.string());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.output, HasSubstr(cut.string()));
  // A trace mapped for other hardware is refused by a run.
  const auto other = run_cimsim("run " + exp + " --out " + (dir_ / "x").string() +
                                " --set workload.trace=" + trace.string() +
                                " --set hardware.crossbar.cell_bits=2");
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.output, HasSubstr("other hardware"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x"));
}

// Starts a full-test-set CNN run, sends `signal_number` after 5 s and checks that the run says
// so, exits with 1 and leaves nothing behind.
void expect_clean_interrupt(const std::filesystem::path& dir, int signal_number,
                            const std::string& signal_name) {
  // The full MNIST test set takes long enough to be interrupted mid-run.
  const auto out = dir / "cnn";
  const auto log = dir.parent_path() / (dir.filename().string() + ".log");
  const std::string exp = source_path("configs/experiments/mnist_cnn_smoke.yaml").string();
  const std::string out_arg = out.string();
  std::vector<const char*> argv = {CIMSIM_BINARY,          "run",   exp.c_str(),     "--set",
                                   "workload.samples=all", "--out", out_arg.c_str(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  ASSERT_EQ(
      posix_spawn(&pid, CIMSIM_BINARY, &actions, nullptr, const_cast<char**>(argv.data()), environ),
      0);
  posix_spawn_file_actions_destroy(&actions);
  std::this_thread::sleep_for(std::chrono::seconds(5));
  ASSERT_EQ(kill(pid, signal_number), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const std::string output = read_file(log);
  std::filesystem::remove(log);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_THAT(output, HasSubstr("interrupted by " + signal_name));
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ADD_FAILURE() << "left behind: " << entry.path();
  }
}

TEST_F(TraceCli, InterruptedRunSaysSoAndLeavesNoResults) {
  expect_clean_interrupt(dir_, SIGINT, "SIGINT");
}

TEST_F(TraceCli, TerminatedRunSaysSoAndLeavesNoResults) {
  expect_clean_interrupt(dir_, SIGTERM, "SIGTERM");
}

}  // namespace
}  // namespace cimsim
