// The event counts of an exact layer (Accelerator::layer_is_exact: every crossbar one integer
// product) for a batch, without visiting its crossbars. Every dynamic count of an exact crossbar
// is linear in the batch's vectors and in its rows' nonzero digits (CrossbarEngine::
// count_cycles), so the layer keeps the counts of one vector (all crossbars) and, per input k,
// those of one nonzero digit of k (every crossbar that has a row of k), both made once by the
// engines' own counting; a batch then costs one pass over the layer's inputs. SWS layers have
// thousands of crossbars, and visiting each engine per batch (a cache miss per object and per
// map) was a quarter of an exact sws run.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/event_counts.h"
#include "sim/macro/crossbar_engine.h"

namespace cimsim {

class ExactLayerCounts {
 public:
  explicit ExactLayerCounts(const std::vector<const CrossbarEngine*>& engines);

  // The layer's counts for `vectors` vectors whose input digits are `digits`: its static counts
  // and the batch's dynamic ones. conversions[c] becomes crossbar c's ADC conversions.
  [[nodiscard]] EventCounts batch(const DigitStatistics& digits, std::uint64_t vectors,
                                  std::vector<std::uint64_t>& conversions) const;

 private:
  EventCounts static_counts_;  // every crossbar's static counts, summed
  EventCounts per_vector_;     // every crossbar's counts for one vector without nonzero digits
  std::vector<EventCounts> per_digit_;                 // [k]: one nonzero digit of input k
  std::vector<std::uint64_t> conversions_per_vector_;  // [crossbar]
};

}  // namespace cimsim
