#include "sim/workload/progress.h"

#include <unistd.h>

#include <cstdio>

#include "sim/core/interrupt.h"

namespace cimsim {

namespace {
// Runs shorter than this never show a bar [s].
constexpr double kQuietSeconds = 2.0;
}  // namespace

Progress::Progress(std::string unit, std::size_t total)
    : unit_(std::move(unit)),
      total_(total),
      enabled_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (drawn_) draw(true);
}

void Progress::advance(std::size_t done) {
  throw_if_interrupted();
  done_ += done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < kQuietSeconds || now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  draw(false);
}

void Progress::draw(bool final) const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction =
      total_ == 0 ? 1.0 : static_cast<double>(done_) / static_cast<double>(total_);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  const double rate = elapsed > 0.0 ? static_cast<double>(done_) / elapsed : 0.0;
  std::fprintf(stderr, "\r[%-*.*s] %zu/%zu %s, %.1f %s/s, %.0f s%s", kWidth, filled,
               "##############################", done_, total_, unit_.c_str(), rate, unit_.c_str(),
               elapsed, final ? "\n" : "");
  drawn_ = true;
}

}  // namespace cimsim
