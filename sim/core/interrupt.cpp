#include "sim/core/interrupt.h"

#include <unistd.h>

#include <csignal>
#include <string>

#include "sim/core/errors.h"

namespace cimsim {
namespace {

volatile std::sig_atomic_t received_signal = 0;

extern "C" void on_signal(int signal) {
  if (received_signal != 0) _exit(128 + signal);  // asked twice: stop now
  received_signal = signal;
}

}  // namespace

void install_interrupt_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool interrupted() { return received_signal != 0; }

void throw_if_interrupted(const char* kept) {
  if (received_signal == 0) return;
  throw InterruptedError(std::string("interrupted by ") +
                         (received_signal == SIGINT ? "SIGINT" : "SIGTERM") + "; " + kept);
}

}  // namespace cimsim
