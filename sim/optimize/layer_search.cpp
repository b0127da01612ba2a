#include "sim/optimize/layer_search.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>

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
  explicit Objective(const SearchSpace& space) : space_(space) {}
  [[nodiscard]] double of(const Measurement& m) const {
    if (space_.objective == "area") return m.area_um2;
    if (space_.objective == "edp") return m.energy_pj * m.latency_ns;
    return m.energy_pj;
  }
  // The calibration figure the budget limits: top-1, or the mean embedding cosine.
  [[nodiscard]] double fidelity(const Measurement& m) const {
    return space_.metric == "embedding_cosine" ? m.embedding_cosine : m.top1;
  }
  // Within the budget of the integer-ideal network on the same samples (simulated top-1 at
  // most top1_budget_pp points below, or the mean cosine at most embedding_cosine_budget
  // below).
  [[nodiscard]] bool accurate(const Measurement& m) const {
    if (space_.metric == "embedding_cosine")
      return m.ideal_embedding_cosine - m.embedding_cosine <=
             space_.embedding_cosine_budget + 1e-12;
    return 100.0 * (m.ideal_top1 - m.top1) <= space_.top1_budget_pp + 1e-9;
  }
  // Accurate, and within the crossbar bound once it is known.
  [[nodiscard]] bool feasible(const Measurement& m) const {
    return accurate(m) && (!crossbar_limit || m.crossbars <= *crossbar_limit);
  }
  std::optional<std::uint64_t> crossbar_limit;

 private:
  const SearchSpace& space_;
};

json point_json(const Point& point, const Measurement& m, const Objective& objective,
                const std::string& id) {
  json j = {{"label", point.label},
            {"id", id},
            {"objective", objective.of(m)},
            {"energy_pj", m.energy_pj},
            {"crossbars", m.crossbars}};
  if (m.has_embedding_cosine()) {
    j["embedding_cosine"] = m.embedding_cosine;
    j["ideal_embedding_cosine"] = m.ideal_embedding_cosine;
  } else {
    j["top1"] = m.top1;
    j["ideal_top1"] = m.ideal_top1;
  }
  j["feasible"] = objective.feasible(m);
  return j;
}

// Per layer, the candidate of least layer value (energy or area; the earlier one on ties).
std::vector<std::size_t> least_per_layer(const std::vector<const Measurement*>& uniform,
                                         const std::vector<bool>& usable,
                                         const std::string& objective, std::size_t layers) {
  std::vector<std::size_t> pick(layers, 0);
  for (std::size_t l = 0; l < layers; ++l) {
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < uniform.size(); ++c) {
      const LayerMeasurement& m = uniform[c]->layers[l];
      const double value = objective == "area" ? m.area_um2 : m.energy_pj;
      if (usable[c] && value < best) {
        best = value;
        pick[l] = c;
      }
    }
  }
  return pick;
}

// The same with the layers' crossbars summing to at most `limit`: a multiple-choice knapsack,
// solved exactly by dynamic programming over the crossbar count (layers x limit x candidates
// steps; a few million at most). Empty when no combination fits.
std::vector<std::size_t> least_within(const std::vector<const Measurement*>& uniform,
                                      const std::vector<bool>& usable, const std::string& objective,
                                      std::size_t layers, std::uint64_t limit) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::size_t width = static_cast<std::size_t>(limit) + 1;
  // least[b]: the least value of the layers so far using exactly b crossbars.
  std::vector<double> least(width, inf);
  least[0] = 0.0;
  std::vector<std::vector<std::size_t>> choice(layers, std::vector<std::size_t>(width, 0));
  for (std::size_t l = 0; l < layers; ++l) {
    std::vector<double> next(width, inf);
    for (std::size_t b = 0; b < width; ++b) {
      if (least[b] == inf) continue;
      for (std::size_t c = 0; c < uniform.size(); ++c) {
        if (!usable[c]) continue;
        const LayerMeasurement& m = uniform[c]->layers[l];
        const std::uint64_t total = b + m.crossbars;
        if (total > limit) continue;
        const double value = least[b] + (objective == "area" ? m.area_um2 : m.energy_pj);
        if (value < next[total]) {
          next[total] = value;
          choice[l][total] = c;
        }
      }
    }
    least = std::move(next);
  }
  std::size_t best = width;
  for (std::size_t b = 0; b < width; ++b) {
    if (least[b] < inf && (best == width || least[b] < least[best])) best = b;
  }
  if (best == width) return {};
  std::vector<std::size_t> pick(layers, 0);
  for (std::size_t l = layers; l-- > 0;) {
    pick[l] = choice[l][best];
    best -= uniform[pick[l]]->layers[l].crossbars;
  }
  return pick;
}

std::uint64_t crossbars_of(const std::vector<const Measurement*>& uniform,
                           const std::vector<std::size_t>& pick) {
  std::uint64_t total = 0;
  for (std::size_t l = 0; l < pick.size(); ++l) total += uniform[pick[l]]->layers[l].crossbars;
  return total;
}

// Per layer, the index of the mapping candidate to use, from the uniform points' layer figures,
// within the crossbar limit when there is one (empty: no combination fits it).
std::vector<std::size_t> pick_mappings(const std::vector<const Measurement*>& uniform,
                                       const std::vector<bool>& usable,
                                       const std::string& objective, std::size_t layers,
                                       const std::optional<std::uint64_t>& limit) {
  std::vector<std::size_t> pick = limit ? least_within(uniform, usable, objective, layers, *limit)
                                        : least_per_layer(uniform, usable, objective, layers);
  if (objective != "edp" || pick.empty()) return pick;
  // Energy x latency is not a sum over layers: coordinate descent on (sum E)(sum D), from the
  // least energy, keeping within the crossbar limit.
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
        if (limit && crossbars_of(uniform, trial) > *limit) continue;
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

std::size_t keep_of(const Measurement& current, const std::vector<const Measurement*>& trials,
                    const SearchSpace& space, std::optional<std::uint64_t> crossbar_limit) {
  Objective objective(space);
  objective.crossbar_limit = crossbar_limit;
  std::size_t chosen = trials.size();
  double best = objective.of(current);
  for (std::size_t t = 0; t < trials.size(); ++t) {
    if (objective.feasible(*trials[t]) && objective.of(*trials[t]) < best) {
      best = objective.of(*trials[t]);
      chosen = t;
    }
  }
  if (space.tie_margin <= 0.0) return chosen;
  const double bound = best * (1.0 + space.tie_margin);
  const auto within = [&](const Measurement& m) { return objective.of(m) <= bound; };
  // Better fidelity first, then the lower objective; the current point competes whenever it
  // is within the margin, and wins exact ties, as the earlier trial does over a later one.
  const auto better = [&](const Measurement& a, const Measurement& b) {
    if (objective.fidelity(a) != objective.fidelity(b))
      return objective.fidelity(a) > objective.fidelity(b);
    return objective.of(a) < objective.of(b);
  };
  chosen = trials.size();
  const Measurement* kept = within(current) ? &current : nullptr;
  for (std::size_t t = 0; t < trials.size(); ++t) {
    if (!objective.feasible(*trials[t]) || !within(*trials[t])) continue;
    if (kept == nullptr || better(*trials[t], *kept)) {
      kept = trials[t];
      chosen = t;
    }
  }
  return chosen;
}

std::vector<std::string> calibration_overrides(const SearchSpace& space) {
  return {"compare=~", "workload.split=" + space.split,
          "workload.samples=" + std::to_string(space.calibration_samples),
          "hardware.adc.policy=capped"};
}

SearchResult search_layers(const SearchSpace& space, PointEvaluator& evaluator) {
  Objective objective(space);
  const std::vector<std::string> calibration = calibration_overrides(space);
  SearchResult result;

  // Stage 1: every layer mapped alike, one point per candidate.
  const auto uniform_point = [&calibration](const LayerChoice& c) {
    Point p;
    p.label = "all layers " + c.policy + "/" + std::to_string(c.section_rows);
    p.overrides = calibration;
    p.overrides.push_back("mapping.policy=" + c.policy);
    p.overrides.push_back("mapping.section_rows=" + std::to_string(c.section_rows));
    return p;
  };
  std::vector<Point> uniform_points;
  for (const LayerChoice& c : space.mappings) uniform_points.push_back(uniform_point(c));
  std::vector<Point> stage_points = uniform_points;
  // max_crossbars baseline: the `baseline` mapping's count on this network, measured as a
  // point (the same point as the baseline candidate when that is searched).
  LayerChoice baseline;
  baseline.policy = "baseline";
  baseline.section_rows = space.baseline_section_rows;
  const Point baseline_point = uniform_point(baseline);
  if (space.max_crossbars == "baseline") stage_points.push_back(baseline_point);
  if (!evaluator.evaluate(stage_points, "mapping")) return result;
  if (space.max_crossbars == "baseline") {
    objective.crossbar_limit = evaluator.at(baseline_point).crossbars;
  } else if (space.max_crossbars != "none") {
    objective.crossbar_limit = std::stoull(space.max_crossbars);
  }
  std::vector<const Measurement*> uniform;
  std::vector<bool> usable;
  json stage = {{"stage", "mapping"}, {"points", json::array()}};
  if (objective.crossbar_limit) stage["max_crossbars"] = *objective.crossbar_limit;
  for (const Point& p : uniform_points) {
    uniform.push_back(&evaluator.at(p));
    // A candidate that loses accuracy at the chip's full ADC resolution clips somewhere: its
    // layers are not independent, so it is left out rather than combined on a guess. Its
    // crossbar count does not matter here: its layers may still be part of a combination
    // within the bound.
    usable.push_back(objective.accurate(*uniform.back()));
    stage["points"].push_back(point_json(p, *uniform.back(), objective, evaluator.point_id(p)));
  }
  if (std::none_of(usable.begin(), usable.end(), [](bool u) { return u; })) {
    throw RuntimeError("optimize: no mapping candidate keeps the " + space.metric +
                       " within the budget at the chip's full ADC resolution");
  }
  for (const LayerMeasurement& l : uniform.front()->layers) result.layer_names.push_back(l.name);
  const std::size_t layers = result.layer_names.size();
  const std::vector<std::size_t> pick =
      pick_mappings(uniform, usable, space.objective, layers, objective.crossbar_limit);
  if (pick.empty()) {
    std::vector<std::size_t> fewest(layers, 0);
    for (std::size_t l = 0; l < layers; ++l) {
      for (std::size_t c = 0; c < uniform.size(); ++c) {
        if (usable[c] && (!usable[fewest[l]] || uniform[c]->layers[l].crossbars <
                                                    uniform[fewest[l]]->layers[l].crossbars))
          fewest[l] = c;
      }
    }
    throw RuntimeError("optimize: no combination of the mapping candidates fits " +
                       std::to_string(*objective.crossbar_limit) +
                       " crossbars (optimize.max_crossbars); the fewest is " +
                       std::to_string(crossbars_of(uniform, fewest)));
  }
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
    // Cannot happen where nothing clips; fall back on the best feasible uniform point.
    std::size_t best = uniform.size();
    for (std::size_t c = 0; c < uniform.size(); ++c) {
      if (objective.feasible(*uniform[c]) &&
          (best == uniform.size() || objective.of(*uniform[c]) < objective.of(*uniform[best])))
        best = c;
    }
    if (best == uniform.size()) {
      throw RuntimeError(
          "optimize: the combination of the layers' mappings is not feasible, nor is any "
          "single mapping");
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
    std::vector<const Measurement*> measured;
    for (const Point& trial : trials) {
      measured.push_back(&evaluator.at(trial));
      adc_stage["points"].push_back(
          point_json(trial, *measured.back(), objective, evaluator.point_id(trial)));
    }
    const std::size_t chosen =
        keep_of(evaluator.at(current), measured, space, objective.crossbar_limit);
    if (chosen < trials.size()) {
      result.chosen[l] = trial_choices[chosen];
      current = trials[chosen];
    }
    adc_stage["chosen"] = current.label;
    result.stages.push_back(adc_stage);
    std::printf("[optimize] %s: keeps %s\n", name.c_str(), describe(result.chosen[l]).c_str());
  }
  result.calibration = evaluator.at(current);
  result.crossbar_limit = objective.crossbar_limit;
  result.complete = true;
  return result;
}

}  // namespace cimsim
