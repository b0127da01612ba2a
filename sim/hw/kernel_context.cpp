#include "sim/hw/kernel_context.h"

#include <systemc>

namespace cimsim {

void fresh_simulation_context() {
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

}  // namespace cimsim
