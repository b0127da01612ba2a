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
#else
#define CIMSIM_SIMD_CLONES
#endif
