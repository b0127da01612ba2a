# Every dependency comes from Debian 12 packages (scripts/setup.sh installs them).
find_package(PkgConfig REQUIRED)
# Debian ships SystemC with pkg-config files only, no CMake package.
pkg_check_modules(SystemC REQUIRED IMPORTED_TARGET systemc)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)  # SHA-256 of downloaded datasets and models
find_package(TBB REQUIRED)  # parallel loops over independent crossbars
