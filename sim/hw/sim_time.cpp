#include "sim/hw/sim_time.h"

namespace cimsim {

void use_femtosecond_resolution() {
  // Once per simulation context: tests replace the context between cases (kernel_context.h).
  static const sc_core::sc_simcontext* done_for = nullptr;
  if (sc_core::sc_get_curr_simcontext() == done_for) return;
  sc_core::sc_set_time_resolution(1.0, sc_core::SC_FS);
  done_for = sc_core::sc_get_curr_simcontext();
}

}  // namespace cimsim
