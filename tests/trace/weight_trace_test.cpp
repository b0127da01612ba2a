// Round trips of sectioned weight traces: what write_trace stores, read_trace gives back field by
// field, for every mapping policy, and the writer is atomic and refuses what the reader would.
#include "sim/trace/weight_trace.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "tests/trace/trace_test_util.h"

namespace cimsim {
namespace {

using trace_testing::Bytes;
using trace_testing::TempDir;

TEST(WeightTrace, HandMatrixRoundTripIsIdenticalForEveryPolicy) {
  const TempDir dir;
  for (const char* policy : {"baseline", "sws", "sws_shared", "sws_packed"}) {
    SCOPED_TRACE(policy);
    WeightTrace trace;
    trace.producer = "cimsim 0.1.0";
    trace.experiment = std::string("hand ") + policy;
    trace.layers.push_back(trace_testing::trace_layer(
        policy, trace_testing::hand_matrix(), trace_testing::hand_geometry(), "hand", true));
    trace_testing::place(trace);
    const auto file = dir.path() / (std::string(policy) + ".cimtrace");
    write_trace(file, trace);
    trace_testing::expect_same_trace(trace, read_trace(file));
  }
}

TEST(WeightTrace, RandomSparseRoundTripIsIdenticalAndReencodesToTheSameBytes) {
  const TempDir dir;
  for (std::uint64_t seed : {1U, 2U, 3U}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const WeightTrace trace = trace_testing::random_trace(seed);
    const auto file = dir.path() / "random.cimtrace";
    write_trace(file, trace);
    const WeightTrace back = read_trace(file);
    trace_testing::expect_same_trace(trace, back);
    EXPECT_EQ(encode_trace(back), trace_testing::read_trace_bytes(file));
  }
}

TEST(WeightTrace, ScalesRoundTripBitExact) {
  WeightTrace trace = trace_testing::small_trace();
  trace.layers[0].weight_scales = {-0.0, std::numeric_limits<double>::denorm_min()};
  trace.layers[0].mapping.name = std::string("n\xc3\xa9 \0 x", 7);  // any bytes, even NUL
  const WeightTrace back = decode_trace(encode_trace(trace), "memory");
  trace_testing::expect_same_trace(trace, back);
  EXPECT_TRUE(std::signbit(back.layers[0].weight_scales[0]));
}

TEST(WeightTrace, EmptyTraceAndLayerWithoutExtrasRoundTrip) {
  WeightTrace empty;
  trace_testing::expect_same_trace(empty, decode_trace(encode_trace(empty), "memory"));
  WeightTrace plain = trace_testing::small_trace();
  plain.layers[0].weight_scales.clear();
  plain.layers[0].column_resolution_bits.clear();
  trace_testing::expect_same_trace(plain, decode_trace(encode_trace(plain), "memory"));
}

TEST(WeightTrace, HeaderHoldsMagicVersionLengthAndChecksum) {
  const Bytes bytes = encode_trace(trace_testing::small_trace());
  ASSERT_GT(bytes.size(), kTraceHeaderBytes);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), "CIMTRACE");
  EXPECT_EQ(trace_testing::get_le(bytes, 8, 4), 2U);
  EXPECT_EQ(trace_testing::get_le(bytes, 12, 8), bytes.size() - kTraceHeaderBytes);
  Bytes resealed = bytes;
  trace_testing::reseal(resealed);
  EXPECT_EQ(resealed, bytes);  // the test's independent checksum agrees with the writer's
}

TEST(WeightTrace, WriteIsAtomicAndReplacesAnEarlierFile) {
  const TempDir dir;
  const auto file = dir.path() / "t.cimtrace";
  write_trace(file, trace_testing::random_trace(1));
  write_trace(file, trace_testing::small_trace());
  trace_testing::expect_same_trace(trace_testing::small_trace(), read_trace(file));
  // Written compressed, and nothing but the trace is left beside it.
  EXPECT_TRUE(has_gzip_magic(trace_testing::read_bytes(file)));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
  EXPECT_THROW(write_trace(dir.path() / "missing" / "t.cimtrace", trace_testing::small_trace()),
               RuntimeError);
}

TEST(WeightTrace, WriterRefusesAnInconsistentTraceAndLeavesNoFile) {
  const TempDir dir;
  const auto file = dir.path() / "bad.cimtrace";
  WeightTrace trace = trace_testing::small_trace();
  trace.layers[0].mapping.crossbars[0].columns[0].bound += 1;
  trace_testing::expect_data_error(
      [&] { write_trace(file, trace); },
      {file.string(), "refusing to write", "do not match its cells", "crossbar 0, column 0"});
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(WeightTrace, AnUnplacedCrossbarOrATileBeyondTheChipIsRefused) {
  WeightTrace unplaced = trace_testing::small_trace();
  unplaced.layers[0].mapping.crossbars[1].tile = -1;
  trace_testing::expect_data_error([&] { (void)decode_trace(encode_trace(unplaced), "memory"); },
                                   {"tile = -1 is outside", "crossbar 1"});
  WeightTrace beyond = trace_testing::small_trace();
  beyond.chip.tiles = 1;  // the hand trace's three crossbars sit in tiles 0, 0 and 1
  trace_testing::expect_data_error([&] { (void)decode_trace(encode_trace(beyond), "memory"); },
                                   {"tile = 1 is outside [0, 0]", "crossbar 2"});
}

}  // namespace
}  // namespace cimsim
