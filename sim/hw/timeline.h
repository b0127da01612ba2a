// The run's schedule as a Chrome trace-event file (docs/architecture.md, "Timeline"): one track
// per tile and one for the interconnect, with complete ("X") events for computing, waiting (and
// why) and transfers. Perfetto (ui.perfetto.dev) and chrome://tracing open it. Opt-in from YAML
// (outputs.timeline.enabled); when off, nothing is recorded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cimsim {

struct TimelineEvent {
  std::string track;     // a tile's module name, or "interconnect"
  std::string name;      // "compute", "wait input", "fetch", "send", ...
  std::string category;  // "busy", "wait", "transfer"
  double start_ns = 0.0;
  double duration_ns = 0.0;
  int layer = -1;
  std::int64_t inference = -1;
};

class Timeline {
 public:
  // Events are given in simulated time; the file counts from `origin_ns` (the schedule's start).
  void set_origin_ns(double origin_ns) { origin_ns_ = origin_ns; }
  void add(TimelineEvent event);
  [[nodiscard]] const std::vector<TimelineEvent>& events() const { return events_; }
  // The trace-event JSON (timestamps in us, as the format requires; the layer's name and the
  // inference in each event's arguments). The workload writes it into the results folder.
  [[nodiscard]] std::string to_json(const std::vector<std::string>& layer_names) const;

 private:
  std::vector<TimelineEvent> events_;
  double origin_ns_ = 0.0;
};

}  // namespace cimsim
