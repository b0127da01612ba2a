// Counter-based random numbers: every draw is a pure function of (seed, stream, counters), so a
// cell's programming error, a column's ADC offset or a conversion's noise never depends on the
// order in which threads visit crossbars, nor on how many draws came before it. The mixing
// function is the SplitMix64 finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom
// number generators", OOPSLA 2014), applied once per key word.
#pragma once

#include <cmath>
#include <cstdint>

namespace cimsim {

// What a draw is for: each purpose has its own stream, so that turning one effect on never
// changes the numbers of another.
enum class RandomStream : std::uint64_t {
  kProgrammingVariation = 1,
  kStuckAtFault = 2,
  kReadNoise = 3,
  kAdcOffset = 4,
  kAdcNoise = 5,
};

[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

class CounterRng {
 public:
  constexpr CounterRng(std::uint64_t seed, RandomStream stream)
      : key_(mix64(mix64(seed) ^ static_cast<std::uint64_t>(stream))) {}

  // 64 random bits for the counters (a, b, c).
  [[nodiscard]] constexpr std::uint64_t bits(std::uint64_t a, std::uint64_t b = 0,
                                             std::uint64_t c = 0) const {
    return mix64(mix64(mix64(key_ ^ a) ^ b) ^ c);
  }

  // Uniform in the open interval (0, 1), 53 bits.
  [[nodiscard]] double uniform(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) const {
    return to_unit(bits(a, b, c));
  }

  // Standard normal by the Box-Muller transform of two independent uniforms: exact in
  // distribution, with no state carried between draws.
  [[nodiscard]] double normal(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) const {
    const std::uint64_t first = bits(a, b, c);
    const double u1 = to_unit(first);
    const double u2 = to_unit(mix64(first ^ 0x5851f42d4c957f2dULL));
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  [[nodiscard]] static double to_unit(std::uint64_t word) {
    return (static_cast<double>(word >> 11U) + 0.5) * 0x1.0p-53;
  }
  std::uint64_t key_;
};

}  // namespace cimsim
