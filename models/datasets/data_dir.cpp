#include "models/datasets/data_dir.h"

#include <cstdlib>

// The build defines it as the repository root; a standalone compile falls back to the working
// directory.
#ifndef CIMSIM_SOURCE_DIR
#define CIMSIM_SOURCE_DIR "."
#endif

namespace cimsim {

std::filesystem::path default_data_dir() {
  const char* from_env = std::getenv("CIMSIM_DATA_DIR");
  if (from_env != nullptr && *from_env != '\0') return from_env;
  return std::filesystem::path(CIMSIM_SOURCE_DIR) / "data";
}

std::filesystem::path fashion_mnist_dir() { return "/usr/share/datasets/fashion-mnist"; }

}  // namespace cimsim
