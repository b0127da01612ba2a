#include "sim/io/npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "sim/core/errors.h"
#include "tests/io/test_files.h"

namespace cimsim {
namespace {

using testing::expect_data_error;
using testing::TempDir;

std::filesystem::path fixture(const std::string& name) {
  return testing::test_data_dir() / "npy" / name;
}

// A version 1.0 (or `major`.0) npy file with the given header dict and raw data bytes.
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
  std::string header = dict;
  header += std::string((64 - (10 + header.size() + 1) % 64) % 64, ' ') + "\n";
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  for (std::size_t b = 0; b < length_bytes; ++b) {
    bytes += static_cast<char>((header.size() >> (8 * b)) & 0xffU);
  }
  return bytes + header + data;
}

std::string dict(const std::string& descr, const std::string& shape,
                 const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

TEST(Npy, Int64RoundTrip) {
  const TempDir dir;
  const std::vector<std::int64_t> data{std::numeric_limits<std::int64_t>::min(), -1, 0, 1, 42,
                                       std::numeric_limits<std::int64_t>::max()};
  write_npy_int64(dir.path() / "a.npy", {2, 3}, data);
  const NpyArray array = read_npy(dir.path() / "a.npy");
  EXPECT_EQ(array.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(array.dtype, "<i8");
  EXPECT_TRUE(array.is_integer);
  EXPECT_EQ(array.size(), 6U);
  EXPECT_EQ(array.ints, data);
  EXPECT_TRUE(array.floats.empty());
}

TEST(Npy, Float64RoundTripIsBitExact) {
  const TempDir dir;
  const std::vector<double> data{-0.0,
                                 0.1,
                                 -1e300,
                                 std::numeric_limits<double>::denorm_min(),
                                 std::numeric_limits<double>::infinity(),
                                 std::numeric_limits<double>::quiet_NaN()};
  write_npy_float64(dir.path() / "f.npy", {6}, data);
  const NpyArray array = read_npy(dir.path() / "f.npy");
  EXPECT_EQ(array.shape, (std::vector<std::size_t>{6}));
  EXPECT_EQ(array.dtype, "<f8");
  EXPECT_FALSE(array.is_integer);
  ASSERT_EQ(array.floats.size(), data.size());
  EXPECT_EQ(std::memcmp(array.floats.data(), data.data(), data.size() * sizeof(double)), 0);
  EXPECT_TRUE(array.ints.empty());
}

TEST(Npy, RoundTripOfScalarEmptyAndThreeDimensionalShapes) {
  const TempDir dir;
  write_npy_float64(dir.path() / "s.npy", {}, {2.5});
  const NpyArray scalar = read_npy(dir.path() / "s.npy");
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.size(), 1U);
  EXPECT_EQ(scalar.floats, std::vector<double>{2.5});

  write_npy_int64(dir.path() / "e.npy", {0, 5}, {});
  const NpyArray empty = read_npy(dir.path() / "e.npy");
  EXPECT_EQ(empty.shape, (std::vector<std::size_t>{0, 5}));
  EXPECT_EQ(empty.size(), 0U);
  EXPECT_TRUE(empty.ints.empty());

  std::vector<std::int64_t> data(24);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::int64_t>(i) - 12;
  write_npy_int64(dir.path() / "c.npy", {2, 3, 4}, data);
  EXPECT_EQ(read_npy(dir.path() / "c.npy").ints, data);
}

TEST(Npy, WriterMatchesNumpyByteForByte) {
  const TempDir dir;
  write_npy_int64(dir.path() / "w.npy", {2, 3}, {1, -2, 3, -4, 5, -6});
  EXPECT_EQ(testing::read_bytes(dir.path() / "w.npy"),
            testing::read_bytes(fixture("numpy_written_i8.npy")));
}

TEST(Npy, WriterSwitchesToVersion2ForHugeHeaders) {
  const TempDir dir;
  const std::vector<std::size_t> shape(25000, 1);  // "1, " x 25000 > 65535 header bytes
  write_npy_int64(dir.path() / "v2.npy", shape, {7});
  EXPECT_EQ(testing::read_bytes(dir.path() / "v2.npy")[6], '\x02');
  const NpyArray array = read_npy(dir.path() / "v2.npy");
  EXPECT_EQ(array.shape, shape);
  EXPECT_EQ(array.ints, std::vector<std::int64_t>{7});
}

TEST(Npy, WriterRejectsDataThatDoesNotFitTheShape) {
  const TempDir dir;
  expect_data_error(
      [&] {
        write_npy_int64(dir.path() / "x.npy", {2, 3}, {1, 2});
      },
      {"x.npy", "(2, 3)", "2 elements"});
  EXPECT_THROW(write_npy_float64(dir.path() / "missing" / "x.npy", {1}, {1.0}), RuntimeError);
}

TEST(Npy, ReadsSignedFixturesOfEveryWidth) {
  const std::vector<std::pair<std::string, std::vector<std::int64_t>>> cases{
      {"i1", {-128, -1, 0, 1, 2, 127}},
      {"i2", {-32768, -1, 0, 1, 2, 32767}},
      {"i4", {-2147483648LL, -1, 0, 1, 2, 2147483647}},
      {"i8",
       {std::numeric_limits<std::int64_t>::min(), -1, 0, 1, 2,
        std::numeric_limits<std::int64_t>::max()}}};
  for (const auto& [code, values] : cases) {
    const NpyArray array = read_npy(fixture(code + ".npy"));
    EXPECT_EQ(array.dtype, (code == "i1" ? "|" : "<") + code) << code;
    EXPECT_TRUE(array.is_integer) << code;
    EXPECT_EQ(array.shape, (std::vector<std::size_t>{2, 3})) << code;
    EXPECT_EQ(array.ints, values) << code;
  }
}

TEST(Npy, ReadsUnsignedFixturesOfEveryWidth) {
  const std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
  const std::vector<std::pair<std::string, std::vector<std::int64_t>>> cases{
      {"u1", {0, 1, 0, 1, 2, 255}},
      {"u2", {0, 1, 0, 1, 2, 65535}},
      {"u4", {0, 1, 0, 1, 2, 4294967295LL}},
      {"u8", {0, 1, 2, 3, int64_max - 1, int64_max}}};
  for (const auto& [code, values] : cases) {
    const NpyArray array = read_npy(fixture(code + ".npy"));
    EXPECT_EQ(array.dtype, (code == "u1" ? "|" : "<") + code) << code;
    EXPECT_TRUE(array.is_integer) << code;
    EXPECT_EQ(array.ints, values) << code;
  }
}

TEST(Npy, ReadsFloatFixtures) {
  const double inf = std::numeric_limits<double>::infinity();
  const NpyArray f4 = read_npy(fixture("f4.npy"));
  EXPECT_EQ(f4.dtype, "<f4");
  EXPECT_FALSE(f4.is_integer);
  EXPECT_EQ(f4.floats, (std::vector<double>{-1.5, 0.0, static_cast<double>(0.1F),
                                            static_cast<double>(std::numeric_limits<float>::max()),
                                            inf, -inf}));
  const NpyArray f8 = read_npy(fixture("f8.npy"));
  EXPECT_EQ(f8.dtype, "<f8");
  ASSERT_EQ(f8.floats.size(), 6U);
  EXPECT_EQ(f8.floats[0], -1.5);
  EXPECT_TRUE(std::signbit(f8.floats[1]));
  EXPECT_EQ(f8.floats[2], 0.1);
  EXPECT_EQ(f8.floats[3], 1e300);
  EXPECT_EQ(f8.floats[4], inf);
  EXPECT_TRUE(std::isnan(f8.floats[5]));
}

TEST(Npy, ReadsVersion2ScalarEmptyAnd3dFixtures) {
  const NpyArray v2 = read_npy(fixture("i4_v2.npy"));
  EXPECT_EQ(v2.shape, (std::vector<std::size_t>{2, 2}));
  EXPECT_EQ(v2.ints, (std::vector<std::int64_t>{7, -8, 9, -10}));
  const NpyArray scalar = read_npy(fixture("scalar_f8.npy"));
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.floats, std::vector<double>{2.5});
  const NpyArray empty = read_npy(fixture("empty_i8.npy"));
  EXPECT_EQ(empty.shape, (std::vector<std::size_t>{0, 3}));
  EXPECT_TRUE(empty.ints.empty());
  const NpyArray cube = read_npy(fixture("i2_3d.npy"));
  EXPECT_EQ(cube.shape, (std::vector<std::size_t>{2, 2, 2}));
  EXPECT_EQ(cube.ints, (std::vector<std::int64_t>{-4, -3, -2, -1, 0, 1, 2, 3}));
}

TEST(Npy, AcceptsLittleEndianOneByteDescrsAndDoubleQuotes) {
  const TempDir dir;
  const auto file = dir.write("a.npy", npy_bytes(dict("<i1", "(2,)"), "\xff\x05"));
  EXPECT_EQ(read_npy(file).ints, (std::vector<std::int64_t>{-1, 5}));
  const auto quoted = dir.write(
      "b.npy", npy_bytes("{\"descr\": \"|u1\", \"shape\": (1), \"fortran_order\": False}", "\xff"));
  EXPECT_EQ(read_npy(quoted).ints, std::vector<std::int64_t>{255});
  const auto v3 = dir.write("c.npy", npy_bytes(dict("|u1", "(1,)"), "\x07", 3));
  EXPECT_EQ(read_npy(v3).ints, std::vector<std::int64_t>{7});
}

TEST(Npy, RejectsWhatNumpyWritesButTheReaderDoesNotSupport) {
  expect_data_error([] { (void)read_npy(fixture("fortran_i4.npy")); },
                    {"fortran_i4.npy", "fortran_order True"});
  expect_data_error([] { (void)read_npy(fixture("big_endian_i4.npy")); },
                    {"big_endian_i4.npy", "big-endian", ">i4"});
  expect_data_error([] { (void)read_npy(fixture("object.npy")); }, {"object.npy", "object dtype"});
}

TEST(Npy, RejectsMissingEmptyAndBadMagicFiles) {
  const TempDir dir;
  expect_data_error([&] { (void)read_npy(dir.path() / "none.npy"); }, {"none.npy", "cannot open"});
  expect_data_error([&] { (void)read_npy(dir.write("empty.npy", "")); }, {"empty.npy", "magic"});
  expect_data_error([&] { (void)read_npy(dir.write("csv.npy", "1,2,3\n4,5,6\n")); },
                    {"csv.npy", "not an npy file"});
  expect_data_error([&] { (void)read_npy(dir.write("short.npy", "\x93NUMPY")); },
                    {"short.npy", "truncated npy preamble"});
  expect_data_error(
      [&] { (void)read_npy(dir.write("nolen.npy", std::string("\x93NUMPY\x01\x00\x10", 9))); },
      {"nolen.npy", "truncated npy preamble"});
}

TEST(Npy, RejectsUnknownVersions) {
  const TempDir dir;
  std::string v4 = npy_bytes(dict("<i8", "(1,)"), std::string(8, '\0'));
  v4[6] = 4;
  expect_data_error([&] { (void)read_npy(dir.write("v4.npy", v4)); }, {"v4.npy", "version 4.0"});
  std::string minor = npy_bytes(dict("<i8", "(1,)"), std::string(8, '\0'));
  minor[7] = 1;
  expect_data_error([&] { (void)read_npy(dir.write("m.npy", minor)); }, {"m.npy", "version 1.1"});
}

TEST(Npy, RejectsHeaderLengthBeyondTheFile) {
  const TempDir dir;
  std::string bytes = npy_bytes(dict("<i8", "(1,)"), "");
  bytes[8] = '\xff';
  bytes[9] = '\xff';
  expect_data_error([&] { (void)read_npy(dir.write("h.npy", bytes)); },
                    {"h.npy", "header length 65535 runs past the end"});
  std::string v2 = npy_bytes(dict("<i8", "(1,)"), "", 2);
  v2[11] = '\x7f';
  expect_data_error([&] { (void)read_npy(dir.write("h2.npy", v2)); },
                    {"h2.npy", "runs past the end"});
}

TEST(Npy, RejectsMalformedHeaders) {
  const TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases{
      {"{'descr': '<i8', ", "expected a quoted string"},
      {"['descr', '<i8']", "expected '{'"},
      {"{'descr': '<i8', 'fortran_order': False}", "lacks one of the keys"},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "'extra'"},
      {"{'descr': '<i8', 'descr': '<i8', 'fortran_order': False, 'shape': (1,)}", "repeated"},
      {"{'descr': '<i8', 'fortran_order': 0, 'shape': (1,)}", "True or False"},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (-1,)}", "negative dimension"},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2}", "expected ')'"},
      {"{'descr' '<i8', 'fortran_order': False, 'shape': (1,)}", "expected ':'"},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (1,)} x", "after the closing"},
      {"{'descr': \"<i8", "unterminated string"},
      {"{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,)}", "structured"},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
       "does not fit"},
  };
  for (const auto& [header, problem] : cases) {
    const auto file = dir.write("bad.npy", npy_bytes(header, std::string(8, '\0')));
    expect_data_error([&] { (void)read_npy(file); }, {"bad.npy", "malformed npy header", problem});
  }
}

TEST(Npy, RejectsUnsupportedDtypes) {
  const TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases{{">f8", "big-endian"},
                                                               {"|O", "object dtype"},
                                                               {"<f2", "unsupported dtype '<f2'"},
                                                               {"|b1", "unsupported dtype"},
                                                               {"<c16", "unsupported dtype"},
                                                               {"=i4", "unsupported dtype"},
                                                               {"|i4", "unsupported dtype"},
                                                               {"<U3", "unsupported dtype"},
                                                               {"", "unsupported dtype"}};
  for (const auto& [descr, problem] : cases) {
    const auto file = dir.write("d.npy", npy_bytes(dict(descr, "(1,)"), std::string(16, '\0')));
    expect_data_error([&] { (void)read_npy(file); }, {"d.npy", problem});
  }
}

TEST(Npy, RejectsFortranOrder) {
  const TempDir dir;
  const auto file =
      dir.write("f.npy", npy_bytes(dict("<i4", "(2, 2)", "True"), std::string(16, '\0')));
  expect_data_error([&] { (void)read_npy(file); }, {"f.npy", "fortran_order True"});
}

TEST(Npy, RejectsTruncatedAndOverlongData) {
  const TempDir dir;
  const auto short_file =
      dir.write("s.npy", npy_bytes(dict("<i4", "(2, 3)"), std::string(23, 'x')));
  expect_data_error([&] { (void)read_npy(short_file); },
                    {"s.npy", "truncated npy data", "needs 24", "has 23"});
  const auto long_file = dir.write("l.npy", npy_bytes(dict("<i4", "(2, 3)"), std::string(25, 'x')));
  expect_data_error([&] { (void)read_npy(long_file); }, {"l.npy", "trailing bytes"});
}

TEST(Npy, RejectsShapesThatOverflowOrExceedTheLimit) {
  const TempDir dir;
  const auto overflow = dir.write("o.npy", npy_bytes(dict("<i8", "(4294967296, 4294967296)"), ""));
  expect_data_error([&] { (void)read_npy(overflow); }, {"o.npy", "more than 2^31 elements"});
  const auto big = dir.write("b.npy", npy_bytes(dict("|u1", "(2147483649,)"), "x"));
  expect_data_error([&] { (void)read_npy(big); }, {"b.npy", "more than 2^31 elements"});
}

TEST(Npy, RejectsUint64ValuesBeyondInt64) {
  const TempDir dir;
  const auto file = dir.write("u.npy", npy_bytes(dict("<u8", "(1,)"), std::string(8, '\xff')));
  expect_data_error([&] { (void)read_npy(file); }, {"u.npy", "beyond the int64 range"});
}

}  // namespace
}  // namespace cimsim
