// The batched kernels of issue 19 on their own, in the units of the machine's yardsticks
// (bench/machine_bench.cpp), so that scripts/bench.sh can print how far each is from the limit:
// - the clip kernel kernels::popcount_convert on an SWS-like crossbar's clipping columns, in its
//   AVX-512 VPOPCNTQ variant and its portable one;
// - the analog kernel (Gaussian programming variation) through CrossbarEngine::run_batch.
//
// Units as in bench/crossbar_bench.cpp: one cell operation is one input digit times one cell.
// bit_ops counts what an AND-and-popcount kernel does for it: one bit ANDed and counted per cell
// bit, cell operations x cell bits, the unit of BM_MachineAndPopcount_*.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "sim/core/event_counts.h"
#include "sim/macro/clip_kernel.h"
#include "sim/macro/crossbar_engine.h"
#include "sim/macro/macro_settings.h"

namespace cimsim::bench {
namespace {

// An SWS-mapped CNN crossbar's clipping columns: 128 rows, 2-bit cells, 8-bit inputs driven bit
// serially (8 cycles of 1-bit digits) and 11 columns whose lossless width (9 bits: 128 rows x 3)
// exceeds a capped 4-bit ADC in the default clip mode (hardware.adc.mode: unit step, codes
// saturate at 15; sim/adc/adc_transfer.cpp).
constexpr std::size_t kClipRows = 128;
constexpr std::size_t kClipWords = kClipRows / 64;
constexpr std::size_t kClipColumnCount = 11;
constexpr int kClipCellBits = 2;
constexpr int kClipCycles = 8;
constexpr int kClipAdcBits = 4;

struct ClipCase {
  // Input planes of one block [cycle][word][vector] and cell planes [column][cell bit][word].
  // Input bits are set with probability 1/16 (small, sparse activations, as after a ReLU), so
  // that column sums are near the ADC's range and some conversions clip; cells are uniform.
  // The kernel does the same work whatever the bits.
  std::vector<std::uint64_t> planes =
      std::vector<std::uint64_t>(kClipCycles * kClipWords * kernels::kClipBlock);
  std::vector<std::uint64_t> cells =
      std::vector<std::uint64_t>(kClipColumnCount * kClipCellBits * kClipWords);
  // Unit step: no rounding offset, no shift.
  std::vector<std::int32_t> half = std::vector<std::int32_t>(kClipColumnCount, 0);
  std::vector<std::int32_t> shift = std::vector<std::int32_t>(kClipColumnCount, 0);
  std::vector<std::int32_t> max_code =
      std::vector<std::int32_t>(kClipColumnCount, (1 << kClipAdcBits) - 1);
  std::vector<std::int64_t> acc = std::vector<std::int64_t>(kClipColumnCount * kernels::kClipBlock);
  ClipCase() {
    std::mt19937_64 rng(3);
    for (std::uint64_t& w : planes) w = rng() & rng() & rng() & rng();
    for (std::uint64_t& w : cells) w = rng();
  }
  [[nodiscard]] kernels::ClipColumns columns() const {
    return {cells.data(), kClipColumnCount, kClipCellBits,
            half.data(),  shift.data(),     max_code.data()};
  }
};

// One block of kClipBlock vectors per iteration.
void BM_ClipKernel(benchmark::State& state, bool portable) {
  if (!portable && !kernels::popcount_convert_uses_avx512()) {
    state.SkipWithError("this CPU has no AVX-512 VPOPCNTQ: popcount_convert runs portable only");
    return;
  }
  kernels::force_portable_popcount_convert(portable);
  ClipCase c;
  const kernels::ClipColumns columns = c.columns();
  std::uint64_t clipped = 0;
  for (auto _ : state) {
    clipped += kernels::popcount_convert(c.planes.data(), kClipCycles, kClipWords, columns, false,
                                         c.acc.data());
    benchmark::DoNotOptimize(c.acc.data());
    benchmark::ClobberMemory();
  }
  kernels::force_portable_popcount_convert(false);
  const double cell_ops =
      static_cast<double>(kClipColumnCount * kClipRows * kClipCycles * kernels::kClipBlock);
  state.counters["cell_ops"] =
      benchmark::Counter(cell_ops, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bit_ops"] =
      benchmark::Counter(cell_ops * kClipCellBits, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["cell_bits"] = kClipCellBits;
  // The share of conversions that clipped: this input is a point where the ADC matters.
  state.counters["clipped_share"] =
      static_cast<double>(clipped) / (static_cast<double>(state.iterations()) * kClipColumnCount *
                                      kClipCycles * static_cast<double>(kernels::kClipBlock));
  state.SetItemsProcessed(static_cast<std::int64_t>(cell_ops) * state.iterations());
  state.SetLabel(std::to_string(kClipRows) + " rows x " + std::to_string(kClipColumnCount) +
                 " clip columns, " + std::to_string(kClipCellBits) + "-bit cells, " +
                 std::to_string(kClipCycles) + " cycles, " + std::to_string(kernels::kClipBlock) +
                 " vectors, " + (portable ? "portable" : "AVX-512 VPOPCNTQ"));
}

BENCHMARK_CAPTURE(BM_ClipKernel, avx512, false);
BENCHMARK_CAPTURE(BM_ClipKernel, portable, true);

// The analog kernel of the macro crossbar (128 x 126 used cells of 1 bit, 8-bit inputs, capped
// 8-bit ADCs) with Gaussian programming variation of sigma 0.1, a batch of 256 vectors per
// run_batch call.
void BM_AnalogBatch(benchmark::State& state) {
  constexpr std::size_t kBatch = 256;
  const PeakMemory memory;
  const MappedLayer layer = macro_layer();
  const MappedCrossbar& crossbar = layer.crossbars.front();
  MacroSettings settings;
  settings.input_signed = false;
  settings.device.variation = "gaussian";
  settings.device.variation_sigma = 0.1;
  CrossbarEngine engine(crossbar, layer.geometry, settings);
  if (!engine.analog()) {
    state.SkipWithError("expected the analog kernel");
    return;
  }
  const IntMatrix x = random_inputs(kBatch, static_cast<std::size_t>(layer.inputs));
  std::vector<std::int64_t> y(kBatch * static_cast<std::size_t>(layer.outputs), 0);
  EventCounts counts;
  for (auto _ : state) {
    engine.run_batch(x, y.data(), static_cast<std::size_t>(layer.outputs), counts);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  if (engine.analog_batched_vectors() == 0) {
    state.SkipWithError("run_batch never took the analog kernel's batched conversions");
    return;
  }
  const double cell_ops = static_cast<double>(kBatch) *
                          static_cast<double>(crossbar.gather.size()) *
                          static_cast<double>(crossbar.columns.size()) *
                          static_cast<double>(layer.geometry.input_cycles());
  state.counters["cell_ops"] =
      benchmark::Counter(cell_ops, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MVM"] = benchmark::Counter(kBatch, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["cell_bits"] = layer.geometry.cell_bits;
  state.SetItemsProcessed(static_cast<std::int64_t>(cell_ops) * state.iterations());
  memory.report(state);
  state.SetLabel(std::to_string(crossbar.gather.size()) + "x" +
                 std::to_string(crossbar.columns.size()) + " analog, gaussian 0.1, batch " +
                 std::to_string(kBatch));
}

BENCHMARK(BM_AnalogBatch)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cimsim::bench
