// Crossbar kernels: column sums through one CrossbarEngine, and matrix-vector products through a
// one-crossbar Accelerator (SystemC module, TBB, batching), both on a 128 x 128 macro with 1-bit
// cells, 1-bit DACs and 8-bit inputs and weights.
//
// Units. One cell operation is one input digit times one cell: a vector through a crossbar of R
// used rows and C allocated columns over P input cycles is R * C * P cell operations, whatever
// the kernel does to get its result (here 128 * 126 * 8 = 129 024 per vector). One MVM is one
// input vector through the whole crossbar (all its input cycles, conversions and shift-and-add).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "sim/core/event_counts.h"
#include "sim/hw/accelerator.h"
#include "sim/macro/crossbar_engine.h"
#include "sim/macro/macro_settings.h"

namespace cimsim::bench {
namespace {

constexpr std::size_t kVectors = 256;  // distinct input vectors cycled through (stay in L1/L2)

// ADC below the lossless width: the columns of this macro need 5 to 8 bits, so 4-bit capped ADCs
// clip and the fast kernel must take the split path.
constexpr int kNarrowAdcBits = 4;

struct KernelCase {
  const char* kernel;      // MacroSettings::kernel
  const char* adc_policy;  // hardware.adc.policy
  int adc_bits;
  int expect_exact;  // 1: the engine must take the exact kernel; 0: must not
};

MacroSettings settings_for(const KernelCase& c) {
  MacroSettings s;
  s.kernel = c.kernel;
  s.adc.policy = c.adc_policy;
  s.adc.bits = c.adc_bits;
  s.input_signed = false;
  return s;
}

double cell_ops_per_vector(const MappedCrossbar& crossbar, const MappingGeometry& g) {
  return static_cast<double>(crossbar.gather.size()) *
         static_cast<double>(crossbar.columns.size()) * static_cast<double>(g.input_cycles());
}

void set_rate_counters(benchmark::State& state, double cell_ops, double macs) {
  state.SetItemsProcessed(
      static_cast<std::int64_t>(cell_ops * static_cast<double>(state.iterations())));
  state.counters["cell_ops"] =
      benchmark::Counter(cell_ops, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MVM"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
  // Integer multiply-adds of the equivalent product (rows x outputs per vector): the work of the
  // exact kernel, and the yardstick against the machine's int32 multiply-add rate.
  state.counters["int_macs"] =
      benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate);
  // Bits per cell: a bit-plane kernel ANDs and counts this many bits per cell operation.
  state.counters["cell_bits"] = macro_geometry().cell_bits;
}

// Column sums of one crossbar, one vector per iteration, through CrossbarEngine::run_vector.
void BM_ColumnSums(benchmark::State& state, KernelCase c) {
  const PeakMemory memory;
  const MappedLayer layer = macro_layer();
  if (layer.crossbars.size() != 1) {
    state.SkipWithError("the macro layer does not fit one crossbar");
    return;
  }
  const MappedCrossbar& crossbar = layer.crossbars.front();
  CrossbarEngine engine(crossbar, layer.geometry, settings_for(c));
  if (static_cast<int>(engine.exact()) != c.expect_exact) {
    state.SkipWithError(c.expect_exact != 0 ? "expected the exact kernel"
                                            : "expected no exact kernel");
    return;
  }
  const IntMatrix x = random_inputs(kVectors, static_cast<std::size_t>(layer.inputs));
  std::vector<std::int64_t> y(static_cast<std::size_t>(layer.outputs), 0);
  EventCounts counts;
  std::size_t t = 0;
  for (auto _ : state) {
    engine.run_vector(x.row(t), y.data(), counts);
    benchmark::DoNotOptimize(y.data());
    t = t + 1 == kVectors ? 0 : t + 1;
  }
  benchmark::DoNotOptimize(counts.conversions);
  set_rate_counters(state, cell_ops_per_vector(crossbar, layer.geometry),
                    static_cast<double>(crossbar.gather.size() * crossbar.outputs.size()));
  memory.report(state);
  state.SetLabel(std::to_string(crossbar.gather.size()) + "x" +
                 std::to_string(crossbar.columns.size()) + " " + kernel_name(engine.kernel()));
}

BENCHMARK_CAPTURE(BM_ColumnSums, bitplane_adc4, KernelCase{"fast", "capped", kNarrowAdcBits, 0});
BENCHMARK_CAPTURE(BM_ColumnSums, exact_lossless, KernelCase{"fast", "lossless", 8, 1});
BENCHMARK_CAPTURE(BM_ColumnSums, exact_capped8, KernelCase{"fast", "capped", 8, 1});
BENCHMARK_CAPTURE(BM_ColumnSums, reference_adc4,
                  KernelCase{"reference", "capped", kNarrowAdcBits, 0});
BENCHMARK_CAPTURE(BM_ColumnSums, reference_lossless, KernelCase{"reference", "lossless", 8, 0});

// Matrix-vector products of a 128 x 128 macro as the simulator runs them: a one-crossbar layer in
// an Accelerator, a batch of vectors per run_layer (SystemC events, TBB, and for an exact layer
// the integer GEMM plus digit statistics instead of the per-vector engine).
void BM_MacroMvm(benchmark::State& state, KernelCase c) {
  const PeakMemory memory;
  const auto batch = static_cast<std::size_t>(state.range(0));
  const MappedLayer layer = macro_layer();
  const IntMatrix x = random_inputs(batch, static_cast<std::size_t>(layer.inputs));
  fresh_context();
  {
    Accelerator top("top", {&layer}, settings_for(c));
    if (static_cast<int>(top.layer_is_exact(0)) != c.expect_exact) {
      state.SkipWithError(c.expect_exact != 0 ? "expected an exact layer"
                                              : "expected no exact layer");
      return;
    }
    for (auto _ : state) {
      LayerResult result = top.run_layer(0, x);
      benchmark::DoNotOptimize(result.outputs.data.data());
    }
    const MappedCrossbar& crossbar = layer.crossbars.front();
    const double vectors = static_cast<double>(batch);
    set_rate_counters(
        state, vectors * cell_ops_per_vector(crossbar, layer.geometry),
        vectors * static_cast<double>(crossbar.gather.size() * crossbar.outputs.size()));
    state.counters["MVM"] =
        benchmark::Counter(vectors, benchmark::Counter::kIsIterationInvariantRate);
    state.SetLabel(std::string(top.layer_is_exact(0)                  ? "exact layer (integer GEMM)"
                               : c.kernel == std::string("reference") ? "reference"
                                                                      : "bit-plane") +
                   ", batch " + std::to_string(batch));
  }
  memory.report(state);
  fresh_context();
}

BENCHMARK_CAPTURE(BM_MacroMvm, bitplane_adc4, KernelCase{"fast", "capped", kNarrowAdcBits, 0})
    ->Arg(1024)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MacroMvm, exact_capped8, KernelCase{"fast", "capped", 8, 1})
    ->Arg(1024)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MacroMvm, reference_adc4, KernelCase{"reference", "capped", kNarrowAdcBits, 0})
    ->Arg(1024)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cimsim::bench
