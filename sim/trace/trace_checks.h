// Internal to sim/trace: where in a trace a problem is, and the consistency checks shared by the
// reader (after parsing) and the writer (before writing), so that write_trace never produces a
// file read_trace refuses.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/trace/weight_trace.h"

namespace cimsim::trace_detail {

// A position inside a trace for error messages: "layer 0 'fc1', crossbar 2, column 5".
struct Location {
  int layer = -1;  // -1: the trace as a whole
  std::string layer_name;
  std::int64_t crossbar = -1;
  std::int64_t column = -1;

  [[nodiscard]] std::string describe() const;
};

// Throws DataError("<prefix><what> (<where>)").
[[noreturn]] void fail(const std::string& prefix, const std::string& what,
                       const std::string& where);

// `text` with every byte outside printable ASCII replaced by '?', cut to `max_chars` (with
// "..."): names come from an untrusted file and must not garble a message or a terminal.
[[nodiscard]] std::string printable(const std::string& text, std::size_t max_chars = 80);

// Checks every rule of docs/trace-format.md "Consistency checks". `prefix` starts each message
// ("<file>: ").
void check_trace(const WeightTrace& trace, const std::string& prefix);

// The 32 raw bytes of the SHA-256 of a byte range.
[[nodiscard]] std::array<std::uint8_t, 32> sha256_bytes(const std::uint8_t* data, std::size_t size);

// Lower-case hex of raw bytes, for messages.
[[nodiscard]] std::string to_hex(const std::uint8_t* data, std::size_t size);

}  // namespace cimsim::trace_detail
