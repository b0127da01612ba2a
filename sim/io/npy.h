// NumPy .npy files: how the project's Python scripts hand arrays (weights, inputs, reference
// outputs) to the simulator and back. Hand-written because no Debian 12 package offers a
// usable C++ reader: cnpy is not packaged, and xtensor's xnpy.hpp (libxtensor-dev) would add
// xtensor to the build, throws untyped errors without the file name and does not guard its
// header parsing or sizes against hostile files. Every malformed file here is a DataError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cimsim {

// An array read from a .npy file. Integer dtypes fill `ints`, float dtypes fill `floats`; the
// other vector stays empty. Elements are in C (row-major) order.
struct NpyArray {
  std::vector<std::size_t> shape;  // () for a scalar
  std::string dtype;               // numpy descr as written in the file, e.g. "<i8", "|u1"
  bool is_integer = false;
  std::vector<std::int64_t> ints;
  std::vector<double> floats;

  // Number of elements: the product of `shape` (1 for a scalar).
  [[nodiscard]] std::size_t size() const;
};

// Largest array read_npy accepts [elements]; a header asking for more is a DataError.
inline constexpr std::uint64_t kNpyMaxElements = std::uint64_t{1} << 31;

// Reads format 1.0, 2.0 or 3.0 files in C order with a little-endian dtype <i1/|i1, <i2, <i4,
// <i8, |u1/<u1, <u2, <u4, <u8, <f4 or <f8. Throws DataError naming the file and the problem for
// anything else (Fortran order, big-endian, object or structured dtypes, bad magic, truncated
// or oversized header or data, element counts that overflow or exceed kNpyMaxElements, <u8
// values beyond int64).
[[nodiscard]] NpyArray read_npy(const std::filesystem::path& file);

// Write format 1.0 (2.0 when the header needs it) little-endian C-order files that numpy.load
// reads. data.size() must equal the product of shape (DataError otherwise); an I/O failure is
// a RuntimeError.
void write_npy_int64(const std::filesystem::path& file, const std::vector<std::size_t>& shape,
                     const std::vector<std::int64_t>& data);
void write_npy_float64(const std::filesystem::path& file, const std::vector<std::size_t>& shape,
                       const std::vector<double>& data);

}  // namespace cimsim
