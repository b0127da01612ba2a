// What `cimsim optimize` searches (optimize.* keys, docs/optimize.md): per layer a mapping
// policy and section length, and an ADC resolution cap with its transfer mode.
#pragma once

#include <string>
#include <vector>

namespace cimsim {

struct Experiment;

// One layer's configuration: the keys of its `layers` entry.
struct LayerChoice {
  std::string policy;
  int section_rows = 128;
  int adc_bits = 8;  // capped ADCs: the layer's resolution cap [bit]
  std::string adc_mode = "clip";

  friend bool operator==(const LayerChoice& a, const LayerChoice& b) {
    return a.policy == b.policy && a.section_rows == b.section_rows && a.adc_bits == b.adc_bits &&
           a.adc_mode == b.adc_mode;
  }
};

struct SearchSpace {
  std::string objective = "energy";  // energy | edp | area
  // What the budget limits: top1 (image classifiers) or embedding_cosine (use_lite, the mean
  // cosine of the sentence embeddings with the float encoder's).
  std::string metric = "top1";
  std::string split = "train_tail";        // workload.split of the calibration runs
  double top1_budget_pp = 0.5;             // [percentage points] below the integer-ideal top-1
  double embedding_cosine_budget = 0.001;  // below the integer-ideal encoder's mean cosine
  int calibration_samples = 1000;          // last training images / first calibration sentences
  std::string max_crossbars = "none";      // none | baseline | a count
  int baseline_section_rows = 128;         // mapping.section_rows of the `baseline` point
  double tie_margin = 0.0;                 // relative objective margin of the ADC stages
  std::vector<LayerChoice> mappings;       // policy x section length, at the chip's full ADC bits
  std::vector<int> adc_bits;               // caps tried below the chip's, descending [bit]
  std::vector<std::string> adc_modes;
};

[[nodiscard]] SearchSpace search_space(const Experiment& experiment);

}  // namespace cimsim
