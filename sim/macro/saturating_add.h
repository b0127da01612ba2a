// The accumulator of a crossbar's output has a configured width (hardware.accumulator.bits): an
// addition that leaves its range saturates, never wraps, and is counted. Shared by every kernel
// so that an overflow means the same thing in each.
#pragma once

#include <algorithm>
#include <cstdint>

namespace cimsim {

// Adds `addend` into `accumulator`, saturating at [-limit - 1, limit]; true when it saturated.
[[nodiscard]] inline bool saturating_add(std::int64_t& accumulator, std::int64_t addend,
                                         std::int64_t limit) {
  std::int64_t sum = accumulator + addend;
  const bool overflow = sum > limit || sum < -limit - 1;
  if (overflow) sum = std::clamp(sum, -limit - 1, limit);
  accumulator = sum;
  return overflow;
}

}  // namespace cimsim
