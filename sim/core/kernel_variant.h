// The run-time choice of a kernel between its wide variant, built for CPU features the machine
// may lack, and its portable one. The features are checked once; tests force the portable
// variant to check that both give the same numbers. One mechanism for every kernel with an
// AVX-512 variant (sim/macro/*.cpp).
#pragma once

#include <atomic>
#include <initializer_list>

namespace cimsim {

enum class CpuFeature {
  kAvx512F,
  kAvx512Bw,
  kAvx512Dq,
  kAvx512Vl,
  kAvx512Vbmi,
  kAvx512Vnni,
  kAvx512Vpopcntdq,
  kGfni,
  kBmi,
  kBmi2,
};

// Whether this CPU has `feature` (false on other architectures and compilers).
[[nodiscard]] bool cpu_supports(CpuFeature feature);

class KernelVariant {
 public:
  // The wide variant needs every one of `features`.
  KernelVariant(std::initializer_list<CpuFeature> features);

  // Whether calls take the wide variant: the CPU has its features and the portable one is not
  // forced.
  [[nodiscard]] bool wide() const {
    return supported_ && !portable_.load(std::memory_order_relaxed);
  }
  void force_portable(bool portable) { portable_.store(portable, std::memory_order_relaxed); }

 private:
  bool supported_ = true;
  std::atomic<bool> portable_{false};
};

}  // namespace cimsim
