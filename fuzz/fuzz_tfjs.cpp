// libFuzzer harness: tfjs (input format and what counts as a bug: fuzz/fuzz_targets.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return cimsim::fuzz::run_one(&cimsim::fuzz::tfjs, data, size);
}
