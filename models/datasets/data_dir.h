// Where the data that scripts/setup.sh fetches lives (docs/data.md): one folder holding
// mnist/, mnist-cnn/ and use-lite/. Fashion-MNIST stays where Debian installs it.
#pragma once

#include <filesystem>

namespace cimsim {

// $CIMSIM_DATA_DIR when set and not empty, else <source dir>/data (the build defines
// CIMSIM_SOURCE_DIR), the folder setup.sh fills by default.
[[nodiscard]] std::filesystem::path default_data_dir();

// Debian's dataset-fashion-mnist: {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz.
[[nodiscard]] std::filesystem::path fashion_mnist_dir();

}  // namespace cimsim
