// SIGINT and SIGTERM end a run cleanly: the handler only records the signal; long loops call
// throw_if_interrupted(), which unwinds through the results folder's clean-up (no
// complete-looking folder is left) to main, which says so and exits with 1. A second signal
// ends the process at once.
#pragma once

namespace cimsim {

void install_interrupt_handlers();
[[nodiscard]] bool interrupted();
// Throws InterruptedError when a signal has arrived; `kept` ends its message with what the
// interrupted command leaves behind (a run: nothing; `cimsim optimize`: its journal).
void throw_if_interrupted(const char* kept = "no results were written");

}  // namespace cimsim
