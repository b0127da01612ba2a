// The search of `cimsim optimize` (docs/optimize.md): per layer, the mapping (policy, section
// length) and then the ADC resolution cap and transfer mode, for the least objective whose
// calibration top-1 stays within the budget of the integer-ideal network's.
//
// Stage "mapping": one point per mapping candidate, every layer mapped alike, ADCs capped at the
// chip's resolution. Where nothing clips each layer computes the exact product, so a layer's
// inputs, and with them its energy, latency and area, are the same whatever the other layers'
// mappings: each layer takes the candidate with its least energy (area; edp: coordinate descent
// on the sums of layer energy and latency), and the combination is measured as a point.
// Stages "adc <layer>": layers in order of their ADC energy, largest first; each tries every
// cap below its current one with every mode, the others held, and keeps the feasible point of
// least objective if it is below the current one (coordinate descent, one pass).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/optimize/point_evaluator.h"
#include "sim/optimize/search_space.h"

namespace cimsim {

struct SearchResult {
  bool complete = false;  // false: points were left to a Slurm job array
  std::vector<std::string> layer_names;
  std::vector<LayerChoice> chosen;
  Measurement calibration;                      // the chosen configuration on the calibration split
  std::optional<std::uint64_t> crossbar_limit;  // optimize.max_crossbars, resolved
  nlohmann::json stages = nlohmann::json::array();
};

// The overrides that give every layer its choice (one `layers` entry per layer).
[[nodiscard]] std::string layers_override(const std::vector<std::string>& names,
                                          const std::vector<LayerChoice>& choices);
// The `layers` list itself, for an experiment file.
[[nodiscard]] std::string layers_yaml(const std::vector<std::string>& names,
                                      const std::vector<LayerChoice>& choices);

// The overrides that turn the base experiment into a calibration run.
[[nodiscard]] std::vector<std::string> calibration_overrides(const SearchSpace& space);

// Of the current point and the trials of an ADC stage, the one to keep (trials.size(): the
// current one). tie_margin 0: the feasible trial of least objective if strictly below the
// current point's, the earlier one on ties. tie_margin m > 0: of the current point and the
// feasible trials whose objective is within a factor (1 + m) of the least among them, the one
// of best calibration fidelity (top-1 or embedding cosine); on equal fidelity the one of least
// objective; on equal both the current point, then the earlier trial.
[[nodiscard]] std::size_t keep_of(const Measurement& current,
                                  const std::vector<const Measurement*>& trials,
                                  const SearchSpace& space,
                                  std::optional<std::uint64_t> crossbar_limit);

[[nodiscard]] SearchResult search_layers(const SearchSpace& space, PointEvaluator& evaluator);

}  // namespace cimsim
