// Simulated time in whole femtoseconds. The kernel runs at 1 fs resolution so that clock periods
// such as ISAAC's 0.78125 ns are exact; every duration the timing model waits is built here.
#pragma once

#include <cmath>
#include <cstdint>

#include <systemc>

namespace cimsim {

// Sets the kernel's time resolution to 1 fs; a no-op after the first call in a context. Must run
// before any non-zero sc_time exists in the current simulation context (the Accelerator calls it).
void use_femtosecond_resolution();

// `ns` as simulated time, rounded to the nearest fs.
[[nodiscard]] inline sc_core::sc_time ns_time(double ns) {
  return sc_core::sc_time::from_value(static_cast<sc_dt::uint64>(std::llround(ns * 1e6)));
}

// `count` repetitions of `step`, in integer arithmetic (no rounding for long runs).
[[nodiscard]] inline sc_core::sc_time times(std::uint64_t count, const sc_core::sc_time& step) {
  return sc_core::sc_time::from_value(count * step.value());
}

[[nodiscard]] inline double to_ns(const sc_core::sc_time& t) {
  return static_cast<double>(t.value()) * 1e-6;
}

// Time to move `amount` at `rate` per ns, rounded up to whole clock periods (transfers and adds
// complete on a clock edge); zero for an unlimited (infinite) rate.
[[nodiscard]] inline sc_core::sc_time service_time(double amount, double rate_per_ns,
                                                   const sc_core::sc_time& clock) {
  if (amount <= 0.0 || std::isinf(rate_per_ns)) return sc_core::SC_ZERO_TIME;
  const double periods = std::ceil(amount / rate_per_ns / to_ns(clock) - 1e-9);
  return times(static_cast<std::uint64_t>(periods), clock);
}

}  // namespace cimsim
