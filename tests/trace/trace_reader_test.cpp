// The trace reader refuses every damaged file with a DataError naming the file and the problem:
// wrong magic or version, truncation at any length, trailing bytes, any flipped byte, and
// content that is malformed or inconsistent behind a valid (re-computed) checksum.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "sim/trace/weight_trace.h"
#include "tests/trace/trace_test_util.h"

namespace cimsim {
namespace {

using trace_testing::Bytes;
using trace_testing::expect_data_error;
using trace_testing::TempDir;

class TraceReader : public ::testing::Test {
 protected:
  // Writes `bytes` to the test's file and expects read_trace to refuse it naming the file.
  std::string expect_refused(const Bytes& bytes, std::initializer_list<std::string> parts) {
    trace_testing::write_bytes(file_, bytes);
    std::string message = expect_data_error([&] { (void)read_trace(file_); }, parts);
    EXPECT_EQ(message.rfind(file_.string() + ": ", 0), 0U) << message;
    return message;
  }

  const WeightTrace trace_ = trace_testing::small_trace();
  const Bytes bytes_ = encode_trace(trace_);
  const trace_testing::FieldOffsets at_ = trace_testing::field_offsets(trace_);
  const TempDir dir_;
  const std::filesystem::path file_ = dir_.path() / "small.cimtrace";
};

TEST_F(TraceReader, FieldOffsetsMatchTheDocumentedLayout) {
  EXPECT_EQ(trace_testing::get_le(bytes_, at_.layer_count, 4), 1U);
  EXPECT_EQ(trace_testing::get_le(bytes_, at_.inputs, 4), 6U);
  EXPECT_EQ(trace_testing::get_le(bytes_, at_.cell_bits, 4), 1U);
  const MappedCrossbar& crossbar = trace_.layers[0].mapping.crossbars[0];
  EXPECT_EQ(trace_testing::get_le(bytes_, at_.crossbar_count, 4), 3U);
  EXPECT_EQ(trace_testing::get_le(bytes_, at_.gather_count, 4), crossbar.gather.size());
  EXPECT_EQ(trace_testing::get_le(bytes_, at_.first_gather, 4),
            static_cast<std::uint64_t>(crossbar.gather[0]));
  EXPECT_EQ(trace_testing::get_le(bytes_, at_.column_count, 4), crossbar.columns.size());
  EXPECT_EQ(bytes_[at_.polarity], 1U);
  EXPECT_EQ(bytes_[at_.slice], 0U);
  EXPECT_EQ(trace_testing::get_le(bytes_, at_.bound, 8),
            static_cast<std::uint64_t>(crossbar.columns[0].bound));
  EXPECT_EQ(trace_testing::get_le(bytes_, at_.cell_count, 4), crossbar.gather.size());
  EXPECT_EQ(bytes_[at_.first_cell], crossbar.columns[0].cells[0]);
}

TEST_F(TraceReader, MissingFileAndFolderAreRefused) {
  expect_data_error([&] { (void)read_trace(dir_.path() / "none.cimtrace"); },
                    {"none.cimtrace", "no such file"});
  expect_data_error([&] { (void)read_trace(dir_.path()); }, {"not a regular file"});
}

TEST_F(TraceReader, WrongMagicIsRefused) {
  Bytes bytes = bytes_;
  bytes[0] = 'X';
  expect_refused(bytes, {"not a cimsim weight trace", "CIMTRACE", "(trace header)"});
  expect_refused(Bytes{'{', '}'}, {"not a cimsim weight trace"});
  expect_refused(Bytes{}, {"empty file"});
}

TEST_F(TraceReader, WrongVersionIsRefusedNamingTheSupportedOne) {
  for (std::uint64_t version : {0U, 1U, 3U, 0xffffffffU}) {
    Bytes bytes = bytes_;
    trace_testing::put_le(bytes, 8, version, 4);
    expect_refused(bytes, {"unsupported trace format version " + std::to_string(version),
                           "reads version 2 only"});
  }
}

TEST_F(TraceReader, EveryTruncationIsRefused) {
  for (std::size_t length = 0; length < bytes_.size(); ++length) {
    SCOPED_TRACE("prefix of " + std::to_string(length) + " bytes");
    const std::string message = expect_refused(Bytes(bytes_.begin(), bytes_.begin() + length), {});
    // The empty file has its own message; every other prefix starts with the magic.
    if (length > 0) {
      EXPECT_NE(message.find("truncated"), std::string::npos) << message;
    }
  }
}

TEST_F(TraceReader, TrailingBytesAreRefused) {
  Bytes bytes = bytes_;
  bytes.push_back(0);
  expect_refused(bytes, {"1 trailing bytes"});
}

TEST_F(TraceReader, EveryFlippedByteIsRefused) {
  for (std::size_t i = 0; i < bytes_.size(); ++i) {
    SCOPED_TRACE("byte " + std::to_string(i));
    Bytes bytes = bytes_;
    bytes[i] ^= 0x5a;
    const char* expected = i < 8    ? "not a cimsim weight trace"
                           : i < 12 ? "unsupported trace format version"
                           : i < 20 ? "payload"  // truncated or trailing bytes
                                    : "checksum mismatch";
    expect_data_error([&] { (void)decode_trace(bytes, "flipped"); }, {"flipped: ", expected});
  }
}

// A payload cut short but re-sealed passes the header checks: the parser must then stop at the
// end of the payload, never reading past it.
TEST_F(TraceReader, EveryResealedTruncatedPayloadIsRefusedAsMalformed) {
  for (std::size_t length = kTraceHeaderBytes; length < bytes_.size(); ++length) {
    SCOPED_TRACE("payload of " + std::to_string(length - kTraceHeaderBytes) + " bytes");
    Bytes bytes(bytes_.begin(), bytes_.begin() + length);
    trace_testing::reseal(bytes);
    expect_data_error([&] { (void)decode_trace(bytes, "cut"); }, {"cut: ", "malformed payload"});
  }
}

TEST_F(TraceReader, ResealedTrailingBytesAreRefused) {
  Bytes bytes = bytes_;
  bytes.insert(bytes.end(), {1, 2, 3});
  trace_testing::reseal(bytes);
  expect_refused(bytes, {"malformed payload", "3 unparsed bytes after the last layer"});
}

TEST_F(TraceReader, ResealedAbsurdCountsAreRefusedBeforeAllocating) {
  Bytes bytes = bytes_;
  trace_testing::put_le(bytes, at_.layer_count, 0xffffffffU, 4);
  trace_testing::reseal(bytes);
  expect_refused(bytes, {"layers count 4294967295", "remain"});

  bytes = bytes_;
  trace_testing::put_le(bytes, at_.gather_count, 0xfffffff0U, 4);
  trace_testing::reseal(bytes);
  expect_refused(bytes, {"crossbar gather count 4294967280", "(layer 0 'hand', crossbar 0"});

  bytes = bytes_;
  trace_testing::put_le(bytes, at_.cell_count, 1U << 30, 4);
  trace_testing::reseal(bytes);
  expect_refused(bytes, {"column cells count", "(layer 0 'hand', crossbar 0, column 0"});
}

TEST_F(TraceReader, ResealedCountOffByOneIsRefused) {
  for (std::size_t offset :
       {at_.layer_count, at_.crossbar_count, at_.gather_count, at_.column_count, at_.cell_count}) {
    for (int delta : {-1, +1}) {
      SCOPED_TRACE("count at byte " + std::to_string(offset) + " " + std::to_string(delta));
      Bytes bytes = bytes_;
      trace_testing::put_le(bytes, offset, trace_testing::get_le(bytes, offset, 4) + delta, 4);
      trace_testing::reseal(bytes);
      expect_refused(bytes, {});
    }
  }
}

struct BytePatch {
  std::string name;
  std::function<void(Bytes&, const trace_testing::FieldOffsets&)> patch;
  std::vector<std::string> expected;
};

TEST_F(TraceReader, ResealedInconsistentValuesAreRefusedWithTheirLocation) {
  const std::string column0 = "(layer 0 'hand', crossbar 0, column 0)";
  const std::vector<BytePatch> patches = {
      {"cell above its level",
       [](Bytes& b, auto& at) { b[at.first_cell] = 2; },
       {"inconsistent trace", "holds level 2", column0}},
      {"cell changed, bound kept",
       [](Bytes& b, auto& at) { b[at.first_cell] ^= 1; },
       {"do not match its cells", column0}},
      {"bound", [](Bytes& b, auto& at) { b[at.bound] += 3; }, {"bound", column0}},
      {"polarity 0", [](Bytes& b, auto& at) { b[at.polarity] = 0; }, {"polarity 0", column0}},
      {"slice 3",
       [](Bytes& b, auto& at) { b[at.slice] = 3; },
       {"slice = 3 is outside [0, 2]", column0}},
      {"cell_bits 3",
       [](Bytes& b, auto& at) { trace_testing::put_le(b, at.cell_bits, 3, 4); },
       {"cell_bits 3 is not 1, 2 or 4", "(layer 0 'hand')"}},
      {"gather index",
       [](Bytes& b, auto& at) { trace_testing::put_le(b, at.first_gather, 6, 4); },
       {"gather[0] = 6 is outside [0, 5]", "(layer 0 'hand', crossbar 0)"}},
      {"negative gather index",
       [](Bytes& b, auto& at) { trace_testing::put_le(b, at.first_gather, 0xffffffffU, 4); },
       {"gather[0] = -1 is outside"}},
      {"inputs",
       [](Bytes& b, auto& at) { trace_testing::put_le(b, at.inputs, 2, 4); },
       {"is outside [0, 1]"}},
  };
  for (const BytePatch& p : patches) {
    SCOPED_TRACE(p.name);
    Bytes bytes = bytes_;
    p.patch(bytes, at_);
    trace_testing::reseal(bytes);
    trace_testing::write_bytes(file_, bytes);
    try {
      (void)read_trace(file_);
      ADD_FAILURE() << "expected a DataError";
    } catch (const DataError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(file_.string() + ": ", 0), 0U) << message;
      for (const std::string& part : p.expected) {
        EXPECT_NE(message.find(part), std::string::npos) << "lacks '" << part << "': " << message;
      }
    }
  }
}

// Random damage behind a valid checksum: refused with a DataError or, when harmless (a byte of
// a name or a scale), accepted and re-encoded to exactly the damaged bytes. Never a crash (the
// sanitizer build runs this too).
TEST_F(TraceReader, RandomResealedDamageIsRefusedOrHarmless) {
  std::mt19937_64 rng(7);
  const Bytes base = encode_trace(trace_testing::random_trace(4));
  std::uniform_int_distribution<std::size_t> position(kTraceHeaderBytes, base.size() - 1);
  std::uniform_int_distribution<int> value(0, 255);
  int accepted = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    Bytes bytes = base;
    for (int edits = 1 + trial % 3; edits > 0; --edits) {
      bytes[position(rng)] = static_cast<std::uint8_t>(value(rng));
    }
    trace_testing::reseal(bytes);
    try {
      const WeightTrace trace = decode_trace(bytes, "damaged");
      EXPECT_EQ(encode_trace(trace), bytes);
      ++accepted;
    } catch (const DataError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("damaged: ", 0), 0U) << e.what();
    }
  }
  EXPECT_GT(accepted, 0);  // both outcomes occur (47 of 3000 are accepted with this seed)
  EXPECT_LT(accepted, 3000);
}

struct StructureCase {
  std::string name;
  std::function<void(TraceLayer&)> mutate;
  std::string expected;
};

// Inconsistent structures written without the writer's checks (encode_trace) are refused by
// the reader's consistency checks, each with its own message.
TEST_F(TraceReader, InconsistentStructuresAreRefused) {
  const std::vector<StructureCase> cases = {
      {"rows 0", [](TraceLayer& l) { l.mapping.geometry.rows = 0; }, "geometry rows = 0"},
      {"cols 65537", [](TraceLayer& l) { l.mapping.geometry.cols = 65537; },
       "geometry cols = 65537"},
      {"dac 9", [](TraceLayer& l) { l.mapping.geometry.dac_bits = 9; }, "dac_bits = 9"},
      {"weight bits 17", [](TraceLayer& l) { l.mapping.geometry.weight_bits = 17; },
       "weight_bits = 17"},
      {"input bits 1", [](TraceLayer& l) { l.mapping.geometry.input_bits = 1; }, "input_bits = 1"},
      {"section rows", [](TraceLayer& l) { l.mapping.geometry.section_rows = 5; },
       "section_rows = 5 is outside [1, 4]"},
      {"encoding", [](TraceLayer& l) { l.mapping.geometry.encoding = "gray"; },
       "unknown weight encoding 'gray'; registered: differential, offset"},
      {"cols below one output", [](TraceLayer& l) { l.mapping.geometry.cols = 5; },
       "cannot hold one output's 6 slice columns"},
      {"empty policy", [](TraceLayer& l) { l.mapping.policy.clear(); }, "policy name"},
      {"outputs 0", [](TraceLayer& l) { l.mapping.outputs = 0; }, "outputs N = 0"},
      {"parts size", [](TraceLayer& l) { l.mapping.parts_per_output.push_back(1); },
       "parts_per_output has 3 entries for 2 outputs"},
      {"parts too few", [](TraceLayer& l) { l.mapping.parts_per_output[0] = 1; },
       "parts_per_output[0] = 1 is outside [2, 3]"},
      {"sections kept", [](TraceLayer& l) { l.mapping.summary.sections_kept = 2; },
       "2 sections kept but the layer has 3 crossbars"},
      {"gather rows", [](TraceLayer& l) { l.mapping.summary.gather_rows = 7; },
       "7 gather rows but the crossbars gather only 6"},
      {"scales size", [](TraceLayer& l) { l.weight_scales.pop_back(); },
       "weight_scales has 1 entries"},
      {"scale NaN", [](TraceLayer& l) { l.weight_scales[1] = std::nan(""); },
       "weight scale of output 1"},
      {"scale negative", [](TraceLayer& l) { l.weight_scales[0] = -1.0; },
       "weight scale of output 0"},
      {"resolution size", [](TraceLayer& l) { l.column_resolution_bits.push_back(1); },
       "column_resolution_bits has 10 entries; expected 0 or one per allocated column (9)"},
      {"resolution 65", [](TraceLayer& l) { l.column_resolution_bits[4] = 65; },
       "column_resolution_bits[4] = 65"},
      {"section -2", [](TraceLayer& l) { l.mapping.crossbars[1].section = -2; },
       "section index = -2"},
      {"gather too long",
       [](TraceLayer& l) {
         auto& c = l.mapping.crossbars[1];
         for (std::int32_t k : {0, 2, 3}) c.gather.push_back(k);
         for (auto& column : c.columns) column.cells.resize(c.gather.size(), 0);
       },
       "gather size (rows) = 5 is outside [1, 4]"},
      {"gather empty",
       [](TraceLayer& l) {
         l.mapping.crossbars[1].gather.clear();
         for (auto& column : l.mapping.crossbars[1].columns) column.cells.clear();
       },
       "gather size (rows) = 0"},
      {"gather repeated",
       [](TraceLayer& l) {
         auto& c = l.mapping.crossbars[1];
         c.gather[1] = c.gather[0];
       },
       "is gathered onto two rows"},
      {"too many columns",
       [](TraceLayer& l) {
         auto& c = l.mapping.crossbars[1];
         while (c.columns.size() <= 16) c.columns.push_back(c.columns.back());
       },
       "column count = 17 is outside [0, 16]"},
      {"outputs not ascending", [](TraceLayer& l) { l.mapping.crossbars[1].outputs.push_back(0); },
       "not strictly ascending"},
      {"outputs list differs", [](TraceLayer& l) { l.mapping.crossbars[1].outputs = {1}; },
       "differ from the distinct outputs of its columns"},
      {"output id", [](TraceLayer& l) { l.mapping.crossbars[1].columns[0].output = 2; },
       "output id = 2 is outside [0, 1]"},
      {"column repeated",
       [](TraceLayer& l) {
         auto& columns = l.mapping.crossbars[1].columns;
         columns.insert(columns.begin() + 1, columns[0]);
       },
       "is out of layout order"},
      {"columns swapped",
       [](TraceLayer& l) {
         auto& columns = l.mapping.crossbars[1].columns;
         std::swap(columns[0], columns[1]);
       },
       "(output 0, polarity 1, slice 0) is out of layout order after (output 0, polarity 1, "
       "slice 1)"},
      {"cells size", [](TraceLayer& l) { l.mapping.crossbars[1].columns[2].cells.push_back(0); },
       "holds 3 cells for 2 gathered rows"},
      {"lossless bits", [](TraceLayer& l) { l.mapping.crossbars[1].columns[0].lossless_bits = 3; },
       "lossless bits 3 do not match"},
  };
  for (const StructureCase& c : cases) {
    SCOPED_TRACE(c.name);
    WeightTrace trace = trace_;
    c.mutate(trace.layers[0]);
    trace_testing::write_bytes(file_, encode_trace(trace));
    expect_data_error([&] { (void)read_trace(file_); },
                      {file_.string() + ": inconsistent trace: ", c.expected, "(layer 0 'hand'"});
  }
}

}  // namespace
}  // namespace cimsim
