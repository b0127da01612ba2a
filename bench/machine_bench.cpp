// The machine's integer throughput, as the yardstick of the kernels: a measured int32
// multiply-add loop with the exact kernel's shape (acc[o] += x[r] * w[r][o], all in L1), on one
// core. Two builds of the same loop: with the instruction set of this build (-march as
// configured, x86-64 baseline by default) and, where the CPU has it, with AVX-512 or AVX2 (what
// the hardware can do when the compiler may use it). scripts/bench.sh multiplies the per-core
// rate by the core count for the machine's total.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace cimsim::bench {
namespace {

constexpr std::size_t kRows = 128;
constexpr std::size_t kOutputs = 256;

struct MacData {
  std::vector<std::int32_t> x = std::vector<std::int32_t>(kRows);
  std::vector<std::int32_t> w = std::vector<std::int32_t>(kRows * kOutputs);
  std::vector<std::int32_t> acc = std::vector<std::int32_t>(kOutputs);
  MacData() {
    for (std::size_t r = 0; r < kRows; ++r) x[r] = static_cast<std::int32_t>(r * 7 % 251);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::int32_t>(i * 13 % 255) - 127;
  }
};

// restrict: no aliasing between the accumulators and the operands, as in the kernel.
inline void mac_rows(const std::int32_t* __restrict x, const std::int32_t* __restrict w,
                     std::int32_t* __restrict acc) {
  for (std::size_t r = 0; r < kRows; ++r) {
    const std::int32_t v = x[r];
    const std::int32_t* row = w + r * kOutputs;
    for (std::size_t o = 0; o < kOutputs; ++o) acc[o] += v * row[o];
  }
}

__attribute__((noinline)) void mac_build_isa(const std::int32_t* x, const std::int32_t* w,
                                             std::int32_t* acc) {
  mac_rows(x, w, acc);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((noinline, target("avx512f,avx512bw,avx512vl,avx2,prefer-vector-width=512"))) void
mac_avx512(const std::int32_t* __restrict x, const std::int32_t* __restrict w,
           std::int32_t* __restrict acc) {
  for (std::size_t r = 0; r < kRows; ++r) {
    const std::int32_t v = x[r];
    const std::int32_t* row = w + r * kOutputs;
    for (std::size_t o = 0; o < kOutputs; ++o) acc[o] += v * row[o];
  }
}

__attribute__((noinline, target("avx2"))) void mac_avx2(const std::int32_t* __restrict x,
                                                        const std::int32_t* __restrict w,
                                                        std::int32_t* __restrict acc) {
  for (std::size_t r = 0; r < kRows; ++r) {
    const std::int32_t v = x[r];
    const std::int32_t* row = w + r * kOutputs;
    for (std::size_t o = 0; o < kOutputs; ++o) acc[o] += v * row[o];
  }
}
#endif

using MacFn = void (*)(const std::int32_t*, const std::int32_t*, std::int32_t*);

void run_mac(benchmark::State& state, MacFn fn) {
  MacData d;
  for (auto _ : state) {
    fn(d.x.data(), d.w.data(), d.acc.data());
    benchmark::DoNotOptimize(d.acc.data());
    benchmark::ClobberMemory();
  }
  state.counters["int_macs"] = benchmark::Counter(static_cast<double>(kRows * kOutputs),
                                                  benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(static_cast<std::int64_t>(kRows * kOutputs) * state.iterations());
}

void BM_MachineInt32Mac_build(benchmark::State& state) {
  run_mac(state, mac_build_isa);
  state.SetLabel("int32 a+=x*w, this build's ISA");
}
BENCHMARK(BM_MachineInt32Mac_build);

#if defined(__x86_64__) && defined(__GNUC__)
void BM_MachineInt32Mac_native(benchmark::State& state) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl")) {
    run_mac(state, mac_avx512);
    state.SetLabel("int32 a+=x*w, AVX-512");
  } else if (__builtin_cpu_supports("avx2")) {
    run_mac(state, mac_avx2);
    state.SetLabel("int32 a+=x*w, AVX2");
  } else {
    run_mac(state, mac_build_isa);
    state.SetLabel("int32 a+=x*w, no AVX: build ISA");
  }
}
BENCHMARK(BM_MachineInt32Mac_native);
#endif

}  // namespace
}  // namespace cimsim::bench
