#include "sim/hw/exact_layer_counts.h"

namespace cimsim {

ExactLayerCounts::ExactLayerCounts(const std::vector<const CrossbarEngine*>& engines) {
  crossbars_.reserve(engines.size());
  for (const CrossbarEngine* engine : engines) {
    static_counts_ += engine->static_counts();
    const EventCounts per_vector = engine->exact_counts_per_vector();
    per_vector_.add_dynamic(per_vector);
    crossbars_.push_back(
        {&engine->crossbar().gather, engine->exact_counts_per_digit(), per_vector.conversions});
  }
}

EventCounts ExactLayerCounts::batch(const DigitStatistics& digits, std::uint64_t vectors,
                                    std::vector<std::uint64_t>& conversions) const {
  EventCounts counts = static_counts_;
  counts.add_dynamic(per_vector_, vectors);
  conversions.resize(crossbars_.size());
  for (std::size_t c = 0; c < crossbars_.size(); ++c) {
    const Crossbar& crossbar = crossbars_[c];
    std::uint64_t nonzero_digits = 0;
    for (std::int32_t k : *crossbar.gather)
      nonzero_digits += digits.nonzero[static_cast<std::size_t>(k)];
    counts.add_dynamic(crossbar.per_digit, nonzero_digits);
    conversions[c] = crossbar.conversions_per_vector * vectors;
  }
  return counts;
}

}  // namespace cimsim
