#include "sim/hw/sim_time.h"

namespace cimsim {

void use_femtosecond_resolution() {
  static const bool once = [] {
    sc_core::sc_set_time_resolution(1.0, sc_core::SC_FS);
    return true;
  }();
  (void)once;
}

}  // namespace cimsim
