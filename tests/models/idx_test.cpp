#include "models/datasets/idx.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/datasets/mnist.h"
#include "tests/io/test_files.h"

namespace cimsim {
namespace {

using testing::expect_data_error;
using testing::TempDir;

std::filesystem::path fixture(const std::string& name) {
  return testing::test_data_dir() / "idx" / name;
}

std::string be32(std::uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>((value >> 16) & 0xffU),
          static_cast<char>((value >> 8) & 0xffU), static_cast<char>(value & 0xffU)};
}

std::vector<std::uint8_t> fixture_pixels() {
  std::vector<std::uint8_t> pixels;
  for (int v = 0; v < 240; v += 10) pixels.push_back(static_cast<std::uint8_t>(v));
  return pixels;
}

TEST(Idx, ReadsRawImagesAndLabels) {
  const IdxArray images = read_idx(fixture("images-idx3-ubyte"));
  EXPECT_EQ(images.dims, (std::vector<std::uint32_t>{3, 2, 4}));
  EXPECT_EQ(images.data, fixture_pixels());
  const IdxArray labels = read_idx(fixture("labels-idx1-ubyte"));
  EXPECT_EQ(labels.dims, std::vector<std::uint32_t>{3});
  EXPECT_EQ(labels.data, (std::vector<std::uint8_t>{7, 0, 9}));
}

TEST(Idx, ReadsGzippedFilesLikeRawOnes) {
  EXPECT_EQ(read_idx(fixture("images-idx3-ubyte.gz")).data, fixture_pixels());
  EXPECT_EQ(read_idx(fixture("labels-idx1-ubyte.gz")).data, (std::vector<std::uint8_t>{7, 0, 9}));
  // The gzip magic decides, not the name.
  const TempDir dir;
  const auto renamed = dir.write("labels", testing::read_bytes(fixture("labels-idx1-ubyte.gz")));
  EXPECT_EQ(read_idx(renamed).dims, std::vector<std::uint32_t>{3});
}

TEST(Idx, ReadsConcatenatedGzipMembers) {
  const TempDir dir;
  // gzip -c a b > ab: the labels' header comes from one member, the data from another.
  const std::string whole = testing::read_bytes(fixture("labels-idx1-ubyte.gz"));
  const auto file = dir.write("two.gz", whole + whole);
  EXPECT_EQ(read_maybe_gzipped(file).size(), 22U);
}

TEST(Idx, LoadsAnImageSet) {
  for (const std::string suffix : {"", ".gz"}) {
    const ImageSet set = load_image_set(fixture("images-idx3-ubyte" + suffix),
                                        fixture("labels-idx1-ubyte" + suffix));
    EXPECT_EQ(set.count(), 3U);
    EXPECT_EQ(set.rows, 2);
    EXPECT_EQ(set.cols, 4);
    EXPECT_EQ(set.image(1)[0], 80);
    EXPECT_EQ(set.labels, (std::vector<std::uint8_t>{7, 0, 9}));
  }
}

TEST(Idx, ImageSetRejectsSwappedFilesAndCountMismatch) {
  const TempDir dir;
  expect_data_error(
      [] { (void)load_image_set(fixture("labels-idx1-ubyte"), fixture("images-idx3-ubyte")); },
      {"labels-idx1-ubyte", "expected an image IDX file"});
  const auto two_labels = dir.write("two", be32(0x801) + be32(2) + "\x01\x02");
  expect_data_error([&] { (void)load_image_set(fixture("images-idx3-ubyte"), two_labels); },
                    {"two", "2 labels", "3 images"});
}

TEST(Idx, RejectsMissingShortAndBadMagicFiles) {
  const TempDir dir;
  expect_data_error([&] { (void)read_idx(dir.path() / "none"); }, {"none", "cannot open"});
  expect_data_error([&] { (void)read_idx(dir.write("short", std::string("\x00\x00\x08", 3))); },
                    {"short", "too short"});
  expect_data_error([&] { (void)read_idx(dir.write("m", be32(0x802) + be32(1) + be32(1) + "x")); },
                    {"m", "bad IDX magic 0x00000802", "0x00000803", "0x00000801"});
  expect_data_error([&] { (void)read_idx(dir.write("le", be32(0x03080000) + be32(1) + "x")); },
                    {"le", "bad IDX magic 0x03080000"});
  expect_data_error([&] { (void)read_idx(dir.write("i", be32(0x901) + be32(1) + "x")); },
                    {"i", "bad IDX magic 0x00000901"});
}

TEST(Idx, RejectsTruncatedHeaderAndData) {
  const TempDir dir;
  expect_data_error([&] { (void)read_idx(dir.write("h", be32(0x803) + be32(1) + be32(2))); },
                    {"h", "truncated IDX header", "16 bytes"});
  const std::string header = be32(0x803) + be32(2) + be32(2) + be32(2);
  expect_data_error([&] { (void)read_idx(dir.write("d", header + std::string(7, 'x'))); },
                    {"d", "truncated IDX data", "2x2x2", "need 8", "has 7"});
  expect_data_error([&] { (void)read_idx(dir.write("t", header + std::string(9, 'x'))); },
                    {"t", "trailing bytes"});
  const std::string huge = be32(0x803) + be32(0xffffffffU) + be32(0xffffffffU) + be32(0xffffffffU);
  expect_data_error([&] { (void)read_idx(dir.write("huge", huge)); },
                    {"huge", "more than the 1073741824-byte limit"});
}

TEST(Idx, RejectsTruncatedAndCorruptGzip) {
  const TempDir dir;
  const std::string gz = testing::read_bytes(fixture("images-idx3-ubyte.gz"));
  expect_data_error([&] { (void)read_idx(dir.write("cut.gz", gz.substr(0, gz.size() - 12))); },
                    {"cut.gz", "truncated gzip stream"});
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 0x55;  // inside the CRC-32 of the trailer
  expect_data_error([&] { (void)read_idx(dir.write("crc.gz", bad_crc)); },
                    {"crc.gz", "corrupt gzip stream"});
  expect_data_error([&] { (void)read_idx(dir.write("magic.gz", "\x1f\x8b")); },
                    {"magic.gz", "gzip"});
}

}  // namespace
}  // namespace cimsim
