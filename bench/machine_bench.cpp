// The machine's integer throughput, the yardsticks of the kernels, each measured on one core
// (scripts/bench.sh multiplies a per-core rate by the core count for the machine's total):
// - int32 multiply-add with the exact kernel's shape (acc[o] += x[r] * w[r][o]), built with the
//   instruction set of this build (-march as configured, x86-64 baseline plus POPCNT by default)
//   and, where the CPU has it, with AVX-512 or AVX2 (what the hardware can do when the compiler
//   may use it);
// - AND and popcount of two L1-resident arrays of 64-bit words, the inner step of the bit-plane
//   and clip kernels, in bit operations/s (bits ANDed and counted): the build's scalar loop and,
//   where the CPU has it, AVX-512 VPOPCNTQ;
// - the int8 dot product of AVX-512 VNNI (VPDPBUSD, u8 x s8 summed into int32) in the exact
//   kernel's shape, in int8 multiply-adds/s.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

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

// --- AND + popcount ---------------------------------------------------------------------------

// Two arrays of 512 words (4 KiB each, both in L1): 32 768 bit operations per pass.
constexpr std::size_t kPopcountWords = 512;

struct PopcountData {
  std::vector<std::uint64_t> a = std::vector<std::uint64_t>(kPopcountWords);
  std::vector<std::uint64_t> b = std::vector<std::uint64_t>(kPopcountWords);
  PopcountData() {
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;  // xorshift: any bits will do, not all zero
    for (std::size_t i = 0; i < kPopcountWords; ++i) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      a[i] = state;
      b[i] = state * 0xBF58476D1CE4E5B9ULL;
    }
  }
};

// Four independent sums, so that the loop is bound by the popcount's throughput and not by the
// latency of one chain of additions.
__attribute__((noinline)) std::uint64_t and_popcount_build_isa(const std::uint64_t* a,
                                                               const std::uint64_t* b) {
  std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (std::size_t i = 0; i < kPopcountWords; i += 4) {
    s0 += static_cast<std::uint64_t>(__builtin_popcountll(a[i] & b[i]));
    s1 += static_cast<std::uint64_t>(__builtin_popcountll(a[i + 1] & b[i + 1]));
    s2 += static_cast<std::uint64_t>(__builtin_popcountll(a[i + 2] & b[i + 2]));
    s3 += static_cast<std::uint64_t>(__builtin_popcountll(a[i + 3] & b[i + 3]));
  }
  return s0 + s1 + s2 + s3;
}

#if defined(__x86_64__) && defined(__GNUC__)
// Eight words per VPANDQ and VPOPCNTQ, four independent vector sums.
__attribute__((noinline, target("avx512f,avx512vpopcntdq"))) std::uint64_t and_popcount_avx512(
    const std::uint64_t* a, const std::uint64_t* b) {
  __m512i s[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                  _mm512_setzero_si512()};
  for (std::size_t i = 0; i < kPopcountWords; i += 32) {
#pragma GCC unroll 4
    for (std::size_t j = 0; j < 4; ++j) {
      const __m512i x = _mm512_loadu_si512(a + i + 8 * j);
      const __m512i y = _mm512_loadu_si512(b + i + 8 * j);
      s[j] = _mm512_add_epi64(s[j], _mm512_popcnt_epi64(_mm512_and_si512(x, y)));
    }
  }
  // Stored and added up as scalars: GCC 12's _mm512_reduce_add_epi64 warns (-Wuninitialized).
  std::uint64_t lanes[8];
  _mm512_storeu_si512(lanes,
                      _mm512_add_epi64(_mm512_add_epi64(s[0], s[1]), _mm512_add_epi64(s[2], s[3])));
  std::uint64_t total = 0;
  for (const std::uint64_t lane : lanes) total += lane;
  return total;
}
#endif

using PopcountFn = std::uint64_t (*)(const std::uint64_t*, const std::uint64_t*);

// One pass per iteration. The result goes through DoNotOptimize and the memory clobber makes the
// compiler assume the arrays changed, so no pass can be skipped or hoisted out of the loop.
void run_and_popcount(benchmark::State& state, PopcountFn fn) {
  const PopcountData d;
  std::uint64_t expected = 0;
  for (std::size_t i = 0; i < kPopcountWords; ++i) {
    expected += static_cast<std::uint64_t>(__builtin_popcountll(d.a[i] & d.b[i]));
  }
  std::uint64_t count = 0;
  for (auto _ : state) {
    count = fn(d.a.data(), d.b.data());
    benchmark::DoNotOptimize(count);
    benchmark::ClobberMemory();
  }
  if (count != expected) {
    state.SkipWithError("the AND+popcount loop counted wrong");
    return;
  }
  constexpr double kBitOps = 64.0 * kPopcountWords;
  state.counters["bit_ops"] =
      benchmark::Counter(kBitOps, benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(static_cast<std::int64_t>(kBitOps) * state.iterations());
}

void BM_MachineAndPopcount_build(benchmark::State& state) {
  run_and_popcount(state, and_popcount_build_isa);
  state.SetLabel("64-bit AND + POPCNT, this build's ISA");
}
BENCHMARK(BM_MachineAndPopcount_build);

#if defined(__x86_64__) && defined(__GNUC__)
void BM_MachineAndPopcount_native(benchmark::State& state) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq")) {
    run_and_popcount(state, and_popcount_avx512);
    state.SetLabel("AND + popcount, AVX-512 VPOPCNTQ");
  } else {
    run_and_popcount(state, and_popcount_build_isa);
    state.SetLabel("AND + popcount, no VPOPCNTQ: build ISA");
  }
}
BENCHMARK(BM_MachineAndPopcount_native);

// --- int8 VNNI ------------------------------------------------------------------------------

// acc[o] += sum over r of x[r] * w[r][o] with u8 x and s8 w, the exact kernel's shape, 128 rows
// by 128 outputs: weights stored [r / 4][o][r % 4] (VPDPBUSD sums four adjacent bytes into
// each int32 lane), 16 KiB, in L1; the 128 outputs are eight registers of 16 int32 lanes.
constexpr std::size_t kVnniRows = 128;
constexpr std::size_t kVnniOutputs = 128;
constexpr std::size_t kVnniRegisters = kVnniOutputs / 16;

struct VnniData {
  std::vector<std::uint8_t> x = std::vector<std::uint8_t>(kVnniRows);
  std::vector<std::int8_t> w = std::vector<std::int8_t>(kVnniRows * kVnniOutputs);
  std::vector<std::int32_t> acc = std::vector<std::int32_t>(kVnniOutputs);
  VnniData() {
    for (std::size_t r = 0; r < kVnniRows; ++r) x[r] = static_cast<std::uint8_t>(r * 7 % 251);
    for (std::size_t i = 0; i < w.size(); ++i) {
      w[i] = static_cast<std::int8_t>(static_cast<int>(i * 13 % 255) - 127);
    }
  }
};

// One VPDPBUSD per 4 rows and 16 outputs: a broadcast of the 4 input bytes times one 64-byte
// load of weights.
__attribute__((noinline, target("avx512f,avx512bw,avx512vnni"))) void vnni_rows(
    const std::uint8_t* x, const std::int8_t* w, std::int32_t* acc) {
  __m512i sums[kVnniRegisters];
#pragma GCC unroll 8
  for (std::size_t j = 0; j < kVnniRegisters; ++j) sums[j] = _mm512_loadu_si512(acc + 16 * j);
  for (std::size_t q = 0; q < kVnniRows / 4; ++q) {
    std::int32_t quad = 0;
    std::memcpy(&quad, x + 4 * q, sizeof quad);
    const __m512i inputs = _mm512_set1_epi32(quad);
    const std::int8_t* row = w + q * kVnniOutputs * 4;
#pragma GCC unroll 8
    for (std::size_t j = 0; j < kVnniRegisters; ++j) {
      sums[j] = _mm512_dpbusd_epi32(sums[j], inputs, _mm512_loadu_si512(row + 64 * j));
    }
  }
#pragma GCC unroll 8
  for (std::size_t j = 0; j < kVnniRegisters; ++j) _mm512_storeu_si512(acc + 16 * j, sums[j]);
}

// The reference of one pass, for the check that the counted work is the executed work.
std::vector<std::int32_t> vnni_expected(const VnniData& d) {
  std::vector<std::int32_t> acc(kVnniOutputs, 0);
  for (std::size_t r = 0; r < kVnniRows; ++r) {
    for (std::size_t o = 0; o < kVnniOutputs; ++o) {
      acc[o] += static_cast<std::int32_t>(d.x[r]) *
                static_cast<std::int32_t>(d.w[(r / 4 * kVnniOutputs + o) * 4 + r % 4]);
    }
  }
  return acc;
}

void BM_MachineInt8Vnni(benchmark::State& state) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
      !__builtin_cpu_supports("avx512vnni")) {
    state.SkipWithError("this CPU has no AVX-512 VNNI (avx512vnni): no int8 VNNI yardstick");
    return;
  }
  VnniData d;
  vnni_rows(d.x.data(), d.w.data(), d.acc.data());
  if (d.acc != vnni_expected(d)) {
    state.SkipWithError("the VNNI loop computed a wrong product");
    return;
  }
  for (auto _ : state) {
    vnni_rows(d.x.data(), d.w.data(), d.acc.data());
    benchmark::DoNotOptimize(d.acc.data());
    benchmark::ClobberMemory();
  }
  constexpr double kMacs = static_cast<double>(kVnniRows * kVnniOutputs);
  state.counters["int8_macs"] =
      benchmark::Counter(kMacs, benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(static_cast<std::int64_t>(kMacs) * state.iterations());
  state.SetLabel("u8 x s8 -> int32, AVX-512 VNNI VPDPBUSD");
}
BENCHMARK(BM_MachineInt8Vnni);
#endif

}  // namespace
}  // namespace cimsim::bench
