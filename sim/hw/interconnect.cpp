#include "sim/hw/interconnect.h"

namespace cimsim {
namespace {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

class Bus final : public Interconnect {
 public:
  Bus(const sc_core::sc_module_name& name, const ChipSettings& chip, const sc_time& clock)
      : Interconnect(name), link_(chip.link_bytes_per_ns, clock), hop_(ns_time(chip.hop_ns)) {}

  sc_time fetch(int /*hops*/, double bytes) override {
    stats_.bytes_in += bytes;
    stats_.byte_hops += bytes;
    return link_.serve(bytes, sc_time_stamp()) + hop_;
  }
  sc_time send(int /*hops*/, double bytes) override {
    stats_.bytes_out += bytes;
    stats_.byte_hops += bytes;
    return link_.serve(bytes, sc_time_stamp()) + hop_;
  }
  [[nodiscard]] InterconnectStats stats() const override {
    InterconnectStats s = stats_;
    s.busy_ns = to_ns(link_.busy());
    s.wait_ns = to_ns(link_.waited());
    s.links = 1;
    return s;
  }

 private:
  Link link_;
  sc_time hop_;
  InterconnectStats stats_;
};

class Mesh final : public Interconnect {
 public:
  Mesh(const sc_core::sc_module_name& name, const ChipSettings& chip, const sc_time& clock)
      : Interconnect(name),
        injection_(chip.link_bytes_per_ns, clock),
        ejection_(chip.link_bytes_per_ns, clock),
        hop_(ns_time(chip.hop_ns)) {}

  sc_time fetch(int hops, double bytes) override {
    stats_.bytes_in += bytes;
    stats_.byte_hops += bytes * hops;
    return injection_.serve(bytes, sc_time_stamp()) + times(static_cast<std::uint64_t>(hops), hop_);
  }
  sc_time send(int hops, double bytes) override {
    stats_.bytes_out += bytes;
    stats_.byte_hops += bytes * hops;
    // The partial sums reach the ejection link after their hops, then queue for it.
    const sc_time arrive = sc_time_stamp() + times(static_cast<std::uint64_t>(hops), hop_);
    return ejection_.serve(bytes, arrive);
  }
  [[nodiscard]] InterconnectStats stats() const override {
    InterconnectStats s = stats_;
    s.busy_ns = to_ns(injection_.busy() + ejection_.busy());
    s.wait_ns = to_ns(injection_.waited() + ejection_.waited());
    s.links = 2;
    return s;
  }

 private:
  Link injection_;
  Link ejection_;
  sc_time hop_;
  InterconnectStats stats_;
};

template <typename Kind>
std::unique_ptr<Interconnect> make(const sc_core::sc_module_name& name, const ChipSettings& chip,
                                   const sc_time& clock) {
  return std::make_unique<Kind>(name, chip, clock);
}

const Registrar<Interconnect, const sc_core::sc_module_name&, const ChipSettings&, const sc_time&>
    kBus("bus", "one shared link for every transfer, one hop", make<Bus>);
const Registrar<Interconnect, const sc_core::sc_module_name&, const ChipSettings&, const sc_time&>
    kMesh("mesh", "2-D mesh, XY routing, global buffer and accumulator at router (0, 0)",
          make<Mesh>);

}  // namespace
}  // namespace cimsim
