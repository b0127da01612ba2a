// SIGINT and SIGTERM end a run cleanly: the handler only records the signal; long loops call
// throw_if_interrupted(), which unwinds through the results folder's clean-up (no
// complete-looking folder is left) to main, which says so and exits with 1. A second signal
// ends the process at once.
#pragma once

namespace cimsim {

void install_interrupt_handlers();
[[nodiscard]] bool interrupted();
// Throws InterruptedError when a signal has arrived.
void throw_if_interrupted();

}  // namespace cimsim
