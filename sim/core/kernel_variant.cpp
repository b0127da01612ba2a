#include "sim/core/kernel_variant.h"

namespace cimsim {

bool cpu_supports(CpuFeature feature) {
#if defined(__GNUC__) && defined(__x86_64__)
  // __builtin_cpu_supports takes a string literal only, hence one case per feature.
  switch (feature) {
    case CpuFeature::kAvx512F:
      return __builtin_cpu_supports("avx512f") != 0;
    case CpuFeature::kAvx512Bw:
      return __builtin_cpu_supports("avx512bw") != 0;
    case CpuFeature::kAvx512Dq:
      return __builtin_cpu_supports("avx512dq") != 0;
    case CpuFeature::kAvx512Vl:
      return __builtin_cpu_supports("avx512vl") != 0;
    case CpuFeature::kAvx512Vbmi:
      return __builtin_cpu_supports("avx512vbmi") != 0;
    case CpuFeature::kAvx512Vnni:
      return __builtin_cpu_supports("avx512vnni") != 0;
    case CpuFeature::kAvx512Vpopcntdq:
      return __builtin_cpu_supports("avx512vpopcntdq") != 0;
    case CpuFeature::kGfni:
      return __builtin_cpu_supports("gfni") != 0;
    case CpuFeature::kBmi:
      return __builtin_cpu_supports("bmi") != 0;
    case CpuFeature::kBmi2:
      return __builtin_cpu_supports("bmi2") != 0;
  }
#else
  (void)feature;
#endif
  return false;
}

KernelVariant::KernelVariant(std::initializer_list<CpuFeature> features) {
  for (CpuFeature feature : features) supported_ = supported_ && cpu_supports(feature);
}

}  // namespace cimsim
