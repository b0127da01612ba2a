// Google Benchmark runs inside sc_main so that SystemC is initialised as in the real program
// (benchmark::benchmark_main would provide a main() that never starts SystemC).
#include <benchmark/benchmark.h>

#include <cstdlib>

#include <systemc>

int sc_main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// SystemC prints its banner before sc_main unless this variable is set; keep the output clean.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
