// CIMSIM_SIMD_CLONES: GCC builds the marked function for AVX-512, AVX2 and the x86-64 baseline
// and picks one at load time (an ifunc), so one portable binary still runs the widest vector
// multiply the CPU has (docs/performance.md: 3.8-5 G int32 MAC/s per core with SSE2, 12.5 G with
// AVX2, 22.9 G with AVX-512 on the development machine). Results never depend on the clone:
// integer sums are exact in any width, and float code is built with -ffp-contract=off
// (cmake/Warnings.cmake) and keeps each output's sum in the same order in every clone.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    !defined(CIMSIM_NO_SIMD_CLONES)
#define CIMSIM_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
// The same with AVX-512BW (x86-64-v4) as the widest clone, for 8- and 16-bit lanes, which
// AVX-512F alone only has in 256-bit registers.
#define CIMSIM_SIMD_CLONES_BW __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define CIMSIM_SIMD_CLONES
#define CIMSIM_SIMD_CLONES_BW
#endif
