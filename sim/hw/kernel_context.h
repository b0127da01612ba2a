#pragma once

namespace cimsim {

// Gives SystemC a new, empty simulation context, so that one process can elaborate and simulate
// several independent accelerators (the variants of a comparison, the cases of a test): modules
// cannot be added to a context that has simulated. The old context is left allocated, because
// SystemC's own static events unregister from it at exit.
void fresh_simulation_context();

}  // namespace cimsim
