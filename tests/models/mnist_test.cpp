// MNIST and Fashion-MNIST as scripts/setup.sh installs them. These tests need the real data and
// never skip: a machine without it fails with the loader's DataError, which says what to run.
#include "models/datasets/mnist.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <optional>
#include <string>

#include "models/datasets/data_dir.h"
#include "tests/io/test_files.h"

namespace cimsim {
namespace {

using testing::expect_data_error;
using testing::TempDir;

std::array<int, 10> class_counts(const ImageSet& set) {
  std::array<int, 10> counts{};
  for (const std::uint8_t label : set.labels) ++counts.at(label);
  return counts;
}

TEST(Mnist, TestSplitIsComplete) {
  const ImageSet set = load_mnist(default_data_dir() / "mnist", Split::kTest);
  EXPECT_EQ(set.count(), 10000U);
  EXPECT_EQ(set.rows, 28);
  EXPECT_EQ(set.cols, 28);
  EXPECT_EQ(set.pixels.size(), 10000U * 28 * 28);
  EXPECT_EQ(class_counts(set),
            (std::array<int, 10>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}));
  EXPECT_EQ(set.labels[0], 7);  // the famous first test digit
}

TEST(Mnist, TrainSplitIsComplete) {
  const ImageSet set = load_mnist(default_data_dir() / "mnist", Split::kTrain);
  EXPECT_EQ(set.count(), 60000U);
  EXPECT_EQ(set.pixels.size(), 60000U * 28 * 28);
  EXPECT_EQ(class_counts(set),
            (std::array<int, 10>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}));
}

TEST(FashionMnist, BothSplitsAreCompleteAndBalanced) {
  const ImageSet test = load_fashion_mnist(fashion_mnist_dir(), Split::kTest);
  EXPECT_EQ(test.count(), 10000U);
  EXPECT_EQ(test.rows, 28);
  EXPECT_EQ(test.cols, 28);
  std::array<int, 10> thousand;
  thousand.fill(1000);
  EXPECT_EQ(class_counts(test), thousand);
  const ImageSet train = load_fashion_mnist(fashion_mnist_dir(), Split::kTrain);
  EXPECT_EQ(train.count(), 60000U);
  std::array<int, 10> six_thousand;
  six_thousand.fill(6000);
  EXPECT_EQ(class_counts(train), six_thousand);
}

TEST(Mnist, MissingFolderSaysToRunSetup) {
  const TempDir dir;
  expect_data_error([&] { (void)load_mnist(dir.path() / "mnist", Split::kTest); },
                    {"t10k-images-idx3-ubyte", "missing", "scripts/setup.sh"});
}

TEST(Mnist, WrongContentIsAHashMismatch) {
  // Valid IDX files, but not MNIST's: the loader must refuse them.
  const TempDir dir;
  const auto idx = testing::test_data_dir() / "idx";
  dir.write("t10k-images-idx3-ubyte", testing::read_bytes(idx / "images-idx3-ubyte"));
  dir.write("t10k-labels-idx1-ubyte", testing::read_bytes(idx / "labels-idx1-ubyte"));
  expect_data_error([&] { (void)load_mnist(dir.path(), Split::kTest); },
                    {"t10k-images-idx3-ubyte", "sha256 mismatch",
                     "expected 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                     "scripts/setup.sh"});
}

TEST(FashionMnist, WrongContentIsAHashMismatch) {
  const TempDir dir;
  const auto idx = testing::test_data_dir() / "idx";
  dir.write("train-images-idx3-ubyte.gz", testing::read_bytes(idx / "images-idx3-ubyte.gz"));
  expect_data_error([&] { (void)load_fashion_mnist(dir.path(), Split::kTrain); },
                    {"train-images-idx3-ubyte.gz", "sha256 mismatch",
                     "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                     "dataset-fashion-mnist"});
}

// Sets or clears an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DataDir, EnvironmentOverridesTheSourceTree) {
  {
    const ScopedEnv env("CIMSIM_DATA_DIR", "/somewhere/else");
    EXPECT_EQ(default_data_dir(), std::filesystem::path("/somewhere/else"));
  }
  {
    const ScopedEnv env("CIMSIM_DATA_DIR", nullptr);
    EXPECT_EQ(default_data_dir().filename(), "data");
    EXPECT_TRUE(std::filesystem::exists(default_data_dir().parent_path() / "scripts" / "setup.sh"))
        << default_data_dir();
  }
}

}  // namespace
}  // namespace cimsim
