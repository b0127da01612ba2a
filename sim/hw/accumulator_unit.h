// The accumulator behind the interconnect: adds the partial sums of outputs whose parts sit in
// different tiles, at hardware.accumulator.adds_per_ns, in the order they arrive. Each arriving
// partial sum of a split output is one add into that output's register (the register starts at
// zero). A channel: tiles reach it through an sc_port<AccumulateIf>.
#pragma once

#include <systemc>

#include "sim/core/statistics.h"
#include "sim/hw/link.h"

namespace cimsim {

class AccumulateIf : public virtual sc_core::sc_interface {
 public:
  // `adds` partial sums arriving at `arrival`; returns when the last is added.
  virtual sc_core::sc_time accumulate(double adds, const sc_core::sc_time& arrival) = 0;
};

class AccumulatorUnit : public sc_core::sc_module, public AccumulateIf {
 public:
  AccumulatorUnit(const sc_core::sc_module_name& name, double adds_per_ns,
                  const sc_core::sc_time& clock)
      : sc_module(name), adder_(adds_per_ns, clock) {}

  sc_core::sc_time accumulate(double adds, const sc_core::sc_time& arrival) override {
    return adder_.serve(adds, arrival);
  }
  [[nodiscard]] const Link& adder() const { return adder_; }
  // Declares the accumulator's statistics over a run of `run_ns`.
  void statistics(StatisticSet& set, double run_ns) const {
    const double busy = to_ns(adder_.busy());
    set.add("accumulator.adds", "adds", "partial sums of split outputs added", adder_.amount());
    set.add("accumulator.busy_ns", "ns", "adder busy", busy);
    set.add("accumulator.wait_ns", "ns", "partial sums waiting for the adder",
            to_ns(adder_.waited()));
    set.add("accumulator.utilization", "fraction", "busy time over run time",
            run_ns > 0.0 ? busy / run_ns : 0.0);
  }

 private:
  Link adder_;
};

}  // namespace cimsim
