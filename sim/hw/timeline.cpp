#include "sim/hw/timeline.h"

#include <map>

#include <nlohmann/json.hpp>

namespace cimsim {

void Timeline::add(TimelineEvent event) {
  event.start_ns -= origin_ns_;
  events_.push_back(std::move(event));
}

std::string Timeline::to_json(const std::vector<std::string>& layer_names) const {
  using nlohmann::json;
  constexpr double kUsPerNs = 1e-3;
  // Tracks in order of first appearance, each a "thread" of one process named by metadata.
  std::map<std::string, int> track_ids;
  json events = json::array();
  events.push_back(
      {{"ph", "M"}, {"pid", 1}, {"name", "process_name"}, {"args", {{"name", "cimsim chip"}}}});
  for (const TimelineEvent& e : events_) {
    const auto [it, added] = track_ids.emplace(e.track, static_cast<int>(track_ids.size()) + 1);
    if (added) {
      events.push_back({{"ph", "M"},
                        {"pid", 1},
                        {"tid", it->second},
                        {"name", "thread_name"},
                        {"args", {{"name", e.track}}}});
    }
    json args = json::object();
    if (e.layer >= 0) {
      args["layer"] = static_cast<std::size_t>(e.layer) < layer_names.size()
                          ? layer_names[static_cast<std::size_t>(e.layer)]
                          : std::to_string(e.layer);
    }
    if (e.inference >= 0) args["inference"] = e.inference;
    args["start_ns"] = e.start_ns;
    args["duration_ns"] = e.duration_ns;
    events.push_back({{"ph", "X"},
                      {"pid", 1},
                      {"tid", it->second},
                      {"name", e.name},
                      {"cat", e.category},
                      {"ts", e.start_ns * kUsPerNs},
                      {"dur", e.duration_ns * kUsPerNs},
                      {"args", args}});
  }
  return json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump(1) + "\n";
}

}  // namespace cimsim
