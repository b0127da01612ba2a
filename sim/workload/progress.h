// A progress bar on stderr for long runs, quiet when stderr is not a terminal. Hand-written:
// Debian 12 packages no progress-bar library for C++.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace cimsim {

class Progress {
 public:
  Progress(std::string unit, std::size_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void advance(std::size_t done);

 private:
  void draw(bool final) const;
  std::string unit_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool enabled_;
  mutable bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  mutable std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace cimsim
