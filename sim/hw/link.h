// One port or wire with finite bandwidth, served in the order requests arrive: the shared piece
// of every channel of the chip (interconnect links, the accumulator's adder). A request made at
// `now` starts when the link is free and holds it for its service time; the returned time is
// when it completes. Statistics: busy time, amount moved, time requests waited for the link.
#pragma once

#include <systemc>

#include "sim/hw/sim_time.h"

namespace cimsim {

class Link {
 public:
  Link(double rate_per_ns, const sc_core::sc_time& clock) : rate_(rate_per_ns), clock_(clock) {}

  // Serves `amount` (bytes, adds) requested at `now`; returns its completion time.
  sc_core::sc_time serve(double amount, const sc_core::sc_time& now) {
    const sc_core::sc_time start = now > free_ ? now : free_;
    const sc_core::sc_time duration = service_time(amount, rate_, clock_);
    waited_ += start - now;
    busy_ += duration;
    amount_ += amount;
    free_ = start + duration;
    return free_;
  }

  [[nodiscard]] const sc_core::sc_time& busy() const { return busy_; }
  [[nodiscard]] const sc_core::sc_time& waited() const { return waited_; }
  [[nodiscard]] double amount() const { return amount_; }

 private:
  double rate_;  // per ns; infinite: no time
  sc_core::sc_time clock_;
  sc_core::sc_time free_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time busy_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time waited_ = sc_core::SC_ZERO_TIME;
  double amount_ = 0.0;
};

}  // namespace cimsim
