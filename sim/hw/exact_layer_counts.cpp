#include "sim/hw/exact_layer_counts.h"

namespace cimsim {

ExactLayerCounts::ExactLayerCounts(const std::vector<const CrossbarEngine*>& engines) {
  conversions_per_vector_.reserve(engines.size());
  for (const CrossbarEngine* engine : engines) {
    static_counts_ += engine->static_counts();
    const EventCounts per_vector = engine->exact_counts_per_vector();
    per_vector_.add_dynamic(per_vector);
    conversions_per_vector_.push_back(per_vector.conversions);
    const EventCounts per_digit = engine->exact_counts_per_digit();
    for (std::int32_t k : engine->crossbar().gather) {
      const auto input = static_cast<std::size_t>(k);
      if (input >= per_digit_.size()) per_digit_.resize(input + 1);
      per_digit_[input].add_dynamic(per_digit);
    }
  }
}

EventCounts ExactLayerCounts::batch(const DigitStatistics& digits, std::uint64_t vectors,
                                    std::vector<std::uint64_t>& conversions) const {
  EventCounts counts = static_counts_;
  counts.add_dynamic(per_vector_, vectors);
  for (std::size_t k = 0; k < per_digit_.size(); ++k) {
    counts.add_dynamic(per_digit_[k], digits.nonzero[k]);
  }
  conversions.resize(conversions_per_vector_.size());
  for (std::size_t c = 0; c < conversions.size(); ++c) {
    conversions[c] = conversions_per_vector_[c] * vectors;
  }
  return counts;
}

}  // namespace cimsim
