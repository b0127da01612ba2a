// The interconnect between the global buffer and the tiles: a channel that tiles reach through
// an sc_port<TransferIf>. Registered kinds, chosen by hardware.interconnect.kind:
//   bus:  one shared link carries every transfer, both directions, one hop;
//   mesh: a 2-D mesh of routers with the global buffer and the accumulator at router (0, 0);
//         XY routing, tile t at (t mod width, t / width) is x + y + 1 hops away; the buffer's
//         injection link (inputs out) and the accumulator's ejection link (partial sums in) are
//         the shared links, each hop adds hardware.interconnect.hop_ns.
// What travels are job descriptions (bytes of a chunk of input vectors or of partial sums),
// never the values: the functional model computed those outside simulated time.
#pragma once

#include <memory>
#include <string>

#include <systemc>

#include "sim/core/registry.h"
#include "sim/core/statistics.h"
#include "sim/hw/chip_settings.h"
#include "sim/hw/link.h"

namespace cimsim {

class TransferIf : public virtual sc_core::sc_interface {
 public:
  // Moves `bytes` from the global buffer to a tile `hops` routers away, requested now; returns
  // when the last byte has arrived.
  virtual sc_core::sc_time fetch(int hops, double bytes) = 0;
  // Moves `bytes` of partial sums from a tile to the accumulator; returns their arrival time.
  virtual sc_core::sc_time send(int hops, double bytes) = 0;
};

struct InterconnectStats {
  double bytes_in = 0.0;   // global buffer -> tiles [B]
  double bytes_out = 0.0;  // tiles -> accumulator [B]
  double byte_hops = 0.0;  // bytes x hops, what the link energy is charged on [B hop]
  double busy_ns = 0.0;    // links busy, summed over shared links [ns]
  double wait_ns = 0.0;    // transfers waiting for a busy link [ns]
  int links = 1;           // shared links (for static power)
};

class Interconnect : public sc_core::sc_module, public TransferIf {
 public:
  static constexpr const char* kKind = "interconnect";
  using sc_core::sc_module::sc_module;
  [[nodiscard]] virtual InterconnectStats stats() const = 0;
  // Declares the interconnect's statistics over a run of `run_ns`.
  void statistics(StatisticSet& set, double run_ns) const {
    const InterconnectStats s = stats();
    set.add("interconnect.bytes_in", "B", "inputs moved from the global buffer to tiles",
            s.bytes_in);
    set.add("interconnect.bytes_out", "B", "partial sums moved from tiles to the accumulator",
            s.bytes_out);
    set.add("interconnect.byte_hops", "B hop", "bytes moved times their router hops", s.byte_hops);
    set.add("interconnect.busy_ns", "ns", "shared links busy, summed over links", s.busy_ns);
    set.add("interconnect.wait_ns", "ns", "transfers waiting for a busy link", s.wait_ns);
    set.add("interconnect.utilization", "fraction", "busy time over run time and links",
            run_ns > 0.0 ? s.busy_ns / (run_ns * s.links) : 0.0);
  }
};

using InterconnectRegistry = Registry<Interconnect, const sc_core::sc_module_name&,
                                      const ChipSettings&, const sc_core::sc_time&>;

}  // namespace cimsim
