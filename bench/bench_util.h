// Helpers shared by the benchmarks: a fresh SystemC context per benchmark that builds modules,
// the process's peak memory, and the 128 x 128 crossbar every macro benchmark runs on.
#pragma once

#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include <benchmark/benchmark.h>
#include <systemc>

#include "sim/mapping/int_matrix.h"
#include "sim/mapping/mapped_layer.h"
#include "sim/mapping/mapping_policy.h"
#include "tests/test_util.h"

namespace cimsim::bench {

// Replaces the simulation context so that modules can be built again after an earlier
// benchmark's sc_start (else E529). The old context is deliberately not deleted: SystemC's
// static events unregister from "the" context at exit (see tests/systemc_test.h).
inline void fresh_context() {
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

// A memory figure of this process from /proc/self/status [bytes]: "VmHWM:" (peak resident set)
// or "VmRSS:" (current); 0 where /proc is missing.
inline double status_bytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == field) {
      double kib = 0.0;
      status >> kib;
      return kib * 1024.0;
    }
    std::getline(status, key);
  }
  return 0.0;
}

// The peak memory of one benchmark case. On construction it returns freed heap to the system
// (glibc keeps it otherwise, and an earlier case's memory would count as this one's) and resets
// the kernel's high-water mark VmHWM to the current RSS (Linux >= 4.0: writing 5 to
// clear_refs); report() adds two counters: peak_rss, the high-water mark since then (it includes
// the resident memory the case started with), and rss_at_start. Both print in binary units.
// The reset also resets the process's ru_maxrss, so /usr/bin/time's maximum for the whole
// binary is not meaningful; take the largest case instead.
class PeakMemory {
 public:
  PeakMemory() {
    malloc_trim(0);
    if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
      std::fputs("5", f);
      std::fclose(f);
    }
    start_ = status_bytes("VmRSS:");
  }
  void report(benchmark::State& state) const {
    state.counters["peak_rss"] = benchmark::Counter(
        status_bytes("VmHWM:"), benchmark::Counter::kDefaults, benchmark::Counter::kIs1024);
    state.counters["rss_at_start"] =
        benchmark::Counter(start_, benchmark::Counter::kDefaults, benchmark::Counter::kIs1024);
  }

 private:
  double start_ = 0.0;
};

// The macro geometry of every crossbar benchmark: 128 x 128 cells of 1 bit, 1-bit DACs, 8-bit
// inputs and weights, differential encoding (7 magnitude slices x 2 polarities = 14 columns per
// output, so 9 outputs fill 126 of the 128 columns).
inline MappingGeometry macro_geometry() {
  MappingGeometry g;
  g.rows = 128;
  g.cols = 128;
  g.cell_bits = 1;
  g.dac_bits = 1;
  g.weight_bits = 8;
  g.input_bits = 8;
  g.encoding = "differential";
  g.section_rows = 128;
  return g;
}

// One full crossbar: K = 128 inputs, as many outputs as fit its columns, dense random int8
// weights, mapped with the baseline policy (one row tile, one column tile).
inline MappedLayer macro_layer(std::uint64_t seed = 1) {
  const MappingGeometry g = macro_geometry();
  std::mt19937_64 rng(seed);
  const std::size_t outputs = static_cast<std::size_t>(g.cols / g.cols_per_output());
  const IntMatrix w =
      testing::random_matrix(rng, static_cast<std::size_t>(g.rows), outputs, -127, 127);
  return map_layer("baseline", w, g, "macro");
}

// T x K uniform uint8 inputs (8-bit unsigned, zero with probability `sparsity`).
inline IntMatrix random_inputs(std::size_t vectors, std::size_t k, std::uint64_t seed = 2,
                               double sparsity = 0.0) {
  std::mt19937_64 rng(seed);
  return testing::random_matrix(rng, vectors, k, 0, 255, sparsity);
}

}  // namespace cimsim::bench
