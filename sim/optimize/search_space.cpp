#include "sim/optimize/search_space.h"

#include <algorithm>
#include <functional>

#include "sim/config/experiment.h"

namespace cimsim {

SearchSpace search_space(const Experiment& e) {
  const ResolvedConfig& c = e.config;
  SearchSpace space;
  space.objective = c.get_string("optimize.objective");
  // use_lite has no labels: its fidelity is the embeddings' cosine, and its calibration split
  // is a sentence file of its own; the image classifiers score top-1 on training images.
  if (e.workload_kind == "use_lite") {
    space.metric = "embedding_cosine";
    space.split = "calibration_text";
  }
  space.top1_budget_pp = c.get_real("optimize.top1_budget_pp");
  space.embedding_cosine_budget = c.get_real("optimize.embedding_cosine_budget");
  space.calibration_samples = static_cast<int>(c.get_int("optimize.calibration_samples"));
  space.max_crossbars = c.get_string("optimize.max_crossbars");
  space.baseline_section_rows = e.geometry.section_rows;
  space.tie_margin = c.get_real("optimize.tie_margin");
  std::vector<int> rows;
  for (const std::string& text : c.get_list("optimize.section_rows"))
    rows.push_back(std::stoi(text));
  if (rows.empty()) rows.push_back(e.geometry.section_rows);
  for (const std::string& policy : c.get_list("optimize.policies")) {
    // The unsorted baseline has no sections: its length is not a parameter.
    for (int length : policy == "baseline" ? std::vector<int>{e.geometry.section_rows} : rows) {
      LayerChoice choice;
      choice.policy = policy;
      choice.section_rows = length;
      choice.adc_bits = e.macro.adc.bits;
      choice.adc_mode = e.macro.adc.mode;
      if (std::find(space.mappings.begin(), space.mappings.end(), choice) == space.mappings.end())
        space.mappings.push_back(choice);
    }
  }
  for (const std::string& text : c.get_list("optimize.adc_bits"))
    space.adc_bits.push_back(std::stoi(text));
  if (space.adc_bits.empty()) {
    for (int bits = e.macro.adc.bits - 1; bits >= 1; --bits) space.adc_bits.push_back(bits);
  }
  std::sort(space.adc_bits.begin(), space.adc_bits.end(), std::greater<>());
  space.adc_bits.erase(std::unique(space.adc_bits.begin(), space.adc_bits.end()),
                       space.adc_bits.end());
  space.adc_modes = c.get_list("optimize.adc_modes");
  return space;
}

}  // namespace cimsim
