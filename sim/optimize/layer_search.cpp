#include "sim/optimize/layer_search.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include <yaml-cpp/yaml.h>

#include "sim/core/errors.h"

namespace cimsim {
namespace {

using nlohmann::json;

std::string describe(const LayerChoice& c) {
  return c.policy + "/" + std::to_string(c.section_rows) + " adc " + std::to_string(c.adc_bits) +
         " " + c.adc_mode;
}

YAML::Node layers_node(const std::vector<std::string>& names,
                       const std::vector<LayerChoice>& choices) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (std::size_t i = 0; i < names.size(); ++i) {
    YAML::Node entry;
    entry["name"] = names[i];
    YAML::Node set;
    set["mapping.policy"] = choices[i].policy;
    set["mapping.section_rows"] = choices[i].section_rows;
    set["hardware.adc.policy"] = "capped";
    set["hardware.adc.bits"] = choices[i].adc_bits;
    set["hardware.adc.mode"] = choices[i].adc_mode;
    entry["set"] = set;
    list.push_back(entry);
  }
  return list;
}

class Objective {
 public:
  Objective(const SearchSpace& space) : space_(space) {}
  [[nodiscard]] double of(const Measurement& m) const {
    if (space_.objective == "area") return m.area_um2;
    if (space_.objective == "edp") return m.energy_pj * m.latency_ns;
    return m.energy_pj;
  }
  // Simulated top-1 at most the budget below the integer-ideal's, on the same images.
  [[nodiscard]] bool feasible(const Measurement& m) const {
    return 100.0 * (m.ideal_top1 - m.top1) <= space_.top1_budget_pp + 1e-9;
  }

 private:
  const SearchSpace& space_;
};

json point_json(const Point& point, const Measurement& m, const Objective& objective,
                const std::string& id) {
  return {{"label", point.label},
          {"id", id},
          {"objective", objective.of(m)},
          {"energy_pj", m.energy_pj},
          {"top1", m.top1},
          {"ideal_top1", m.ideal_top1},
          {"feasible", objective.feasible(m)}};
}

// Per layer, the index of the mapping candidate to use, from the uniform points' layer figures.
std::vector<std::size_t> pick_mappings(const std::vector<const Measurement*>& uniform,
                                       const std::vector<bool>& usable,
                                       const std::string& objective, std::size_t layers) {
  const auto layer_value = [&](std::size_t c, std::size_t l) {
    const LayerMeasurement& m = uniform[c]->layers[l];
    return objective == "area" ? m.area_um2 : m.energy_pj;
  };
  std::vector<std::size_t> pick(layers, 0);
  for (std::size_t l = 0; l < layers; ++l) {
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < uniform.size(); ++c) {
      if (usable[c] && layer_value(c, l) < best) {
        best = layer_value(c, l);
        pick[l] = c;
      }
    }
  }
  if (objective != "edp") return pick;
  // Energy x latency is not a sum over layers: coordinate descent on (sum E)(sum D).
  const auto total = [&](const std::vector<std::size_t>& p) {
    double e = 0.0;
    double d = 0.0;
    for (std::size_t l = 0; l < layers; ++l) {
      e += uniform[p[l]]->layers[l].energy_pj;
      d += uniform[p[l]]->layers[l].latency_ns;
    }
    return e * d;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t l = 0; l < layers; ++l) {
      for (std::size_t c = 0; c < uniform.size(); ++c) {
        if (!usable[c]) continue;
        std::vector<std::size_t> trial = pick;
        trial[l] = c;
        if (total(trial) < total(pick) * (1.0 - 1e-12)) {
          pick = trial;
          changed = true;
        }
      }
    }
  }
  return pick;
}

}  // namespace

std::string layers_override(const std::vector<std::string>& names,
                            const std::vector<LayerChoice>& choices) {
  YAML::Emitter out;
  out << YAML::Flow << layers_node(names, choices);
  return std::string("layers=") + out.c_str();
}

std::string layers_yaml(const std::vector<std::string>& names,
                        const std::vector<LayerChoice>& choices) {
  YAML::Emitter out;
  out << layers_node(names, choices);
  return out.c_str();
}

std::vector<std::string> calibration_overrides(const SearchSpace& space) {
  return {"compare=~", "workload.split=train_tail",
          "workload.samples=" + std::to_string(space.calibration_samples),
          "hardware.adc.policy=capped"};
}

SearchResult search_layers(const SearchSpace& space, PointEvaluator& evaluator) {
  const Objective objective(space);
  const std::vector<std::string> calibration = calibration_overrides(space);
  SearchResult result;

  // Stage 1: every layer mapped alike, one point per candidate.
  std::vector<Point> uniform_points;
  for (const LayerChoice& c : space.mappings) {
    Point p;
    p.label = "all layers " + c.policy + "/" + std::to_string(c.section_rows);
    p.overrides = calibration;
    p.overrides.push_back("mapping.policy=" + c.policy);
    p.overrides.push_back("mapping.section_rows=" + std::to_string(c.section_rows));
    uniform_points.push_back(p);
  }
  if (!evaluator.evaluate(uniform_points, "mapping")) return result;
  std::vector<const Measurement*> uniform;
  std::vector<bool> usable;
  json stage = {{"stage", "mapping"}, {"points", json::array()}};
  for (const Point& p : uniform_points) {
    uniform.push_back(&evaluator.at(p));
    // A candidate that loses accuracy at the chip's full ADC resolution clips somewhere: its
    // layers are not independent, so it is left out rather than combined on a guess.
    usable.push_back(objective.feasible(*uniform.back()));
    stage["points"].push_back(point_json(p, *uniform.back(), objective, evaluator.point_id(p)));
  }
  if (std::none_of(usable.begin(), usable.end(), [](bool u) { return u; })) {
    throw RuntimeError(
        "optimize: no mapping candidate keeps the top-1 within the budget at "
        "the chip's full ADC resolution");
  }
  for (const LayerMeasurement& l : uniform.front()->layers) result.layer_names.push_back(l.name);
  const std::size_t layers = result.layer_names.size();
  const std::vector<std::size_t> pick = pick_mappings(uniform, usable, space.objective, layers);
  for (std::size_t l = 0; l < layers; ++l) result.chosen.push_back(space.mappings[pick[l]]);

  Point current;
  if (std::all_of(pick.begin(), pick.end(), [&pick](std::size_t c) { return c == pick[0]; })) {
    current = uniform_points[pick[0]];  // one candidate for every layer: already measured
  } else {
    current.label = "per-layer mappings";
    current.overrides = calibration;
    current.overrides.push_back(layers_override(result.layer_names, result.chosen));
    if (!evaluator.evaluate({current}, "mapping")) return result;
    stage["points"].push_back(
        point_json(current, evaluator.at(current), objective, evaluator.point_id(current)));
  }
  if (!objective.feasible(evaluator.at(current))) {
    // Cannot happen where nothing clips; fall back on the best usable uniform point.
    std::size_t best = 0;
    for (std::size_t c = 0; c < uniform.size(); ++c) {
      if (usable[c] && (!usable[best] || objective.of(*uniform[c]) < objective.of(*uniform[best])))
        best = c;
    }
    result.chosen.assign(layers, space.mappings[best]);
    current = uniform_points[best];
  }
  stage["chosen"] = current.label;
  result.stages.push_back(stage);

  // Stage 2: the ADC cap and mode, layer by layer, largest ADC energy first.
  std::vector<std::size_t> order(layers);
  for (std::size_t l = 0; l < layers; ++l) order[l] = l;
  const Measurement& start = evaluator.at(current);
  std::stable_sort(order.begin(), order.end(), [&start](std::size_t a, std::size_t b) {
    return start.layers[a].adc_energy_pj > start.layers[b].adc_energy_pj;
  });
  for (std::size_t l : order) {
    const std::string name = "adc " + result.layer_names[l];
    std::vector<Point> trials;
    std::vector<LayerChoice> trial_choices;
    for (int bits : space.adc_bits) {
      if (bits >= result.chosen[l].adc_bits) continue;
      for (const std::string& mode : space.adc_modes) {
        std::vector<LayerChoice> choices = result.chosen;
        choices[l].adc_bits = bits;
        choices[l].adc_mode = mode;
        Point p;
        p.label = result.layer_names[l] + " " + describe(choices[l]);
        p.overrides = calibration;
        p.overrides.push_back(layers_override(result.layer_names, choices));
        trials.push_back(p);
        trial_choices.push_back(choices[l]);
      }
    }
    if (!evaluator.evaluate(trials, name)) return result;
    json adc_stage = {{"stage", name}, {"points", json::array()}};
    double best = objective.of(evaluator.at(current));
    std::size_t chosen = trials.size();
    for (std::size_t t = 0; t < trials.size(); ++t) {
      const Measurement& m = evaluator.at(trials[t]);
      adc_stage["points"].push_back(
          point_json(trials[t], m, objective, evaluator.point_id(trials[t])));
      if (objective.feasible(m) && objective.of(m) < best) {
        best = objective.of(m);
        chosen = t;
      }
    }
    if (chosen < trials.size()) {
      result.chosen[l] = trial_choices[chosen];
      current = trials[chosen];
    }
    adc_stage["chosen"] = current.label;
    result.stages.push_back(adc_stage);
    std::printf("[optimize] %s: keeps %s\n", name.c_str(), describe(result.chosen[l]).c_str());
  }
  result.calibration = evaluator.at(current);
  result.complete = true;
  return result;
}

}  // namespace cimsim
