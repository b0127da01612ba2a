include(CheckCXXCompilerFlag)
# Column sums are popcounts: without this, x86-64's baseline ISA calls a library routine for
# each one. Every x86-64 CPU since 2008 has the instruction.
check_cxx_compiler_flag(-mpopcnt CIMSIM_HAS_POPCNT_FLAG)

function(cimsim_set_warnings target)
  if(CIMSIM_HAS_POPCNT_FLAG AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    target_compile_options(${target} PRIVATE -mpopcnt)
  endif()
  # No fused multiply-add contraction: the float reference forward and the dequantization of
  # layer outputs must round the same way in every instruction-set clone (models/network/forward.cpp
  # and sim/macro/integer_gemm.cpp are compiled for AVX-512, AVX2 and the baseline), so that a
  # result never depends on the CPU it ran on.
  target_compile_options(${target} PRIVATE -ffp-contract=off)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Wold-style-cast)
  if(CIMSIM_SANITIZE)
    target_compile_options(${target} PUBLIC -fsanitize=address,undefined -fno-omit-frame-pointer
                                            -fno-sanitize-recover=undefined)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()
