// Sorted weight sectioning with one row order per crossbar group: outputs grouped as in the
// baseline, rows sorted by the group's largest |q|, sections aligned to the largest end, needed
// low-order slices allocated per (section, output, polarity), sections zero for the group dropped.
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "sim/encoding/weight_encoding.h"
#include "sim/mapping/layout.h"
#include "sim/mapping/mapping_policy.h"

namespace cimsim {
namespace {

class SharedRowSwsMapping final : public MappingPolicy {
 public:
  [[nodiscard]] MappedLayer map(const IntMatrix& weights, const MappingGeometry& geometry,
                                const std::string& /*layer_name*/) const override {
    const int k_total = static_cast<int>(weights.rows);
    const int n_total = static_cast<int>(weights.cols);
    const int outputs_per_crossbar = geometry.cols / geometry.cols_per_output();
    const std::vector<int> polarities = weight_encoding(geometry.encoding).polarities();
    MappedLayer layer;
    layer.parts_per_output.assign(static_cast<std::size_t>(n_total), 0);
    for (int first = 0; first < n_total; first += outputs_per_crossbar) {
      const int last = std::min(n_total, first + outputs_per_crossbar);
      std::vector<std::int64_t> magnitude(static_cast<std::size_t>(k_total), 0);
      for (int k = 0; k < k_total; ++k) {
        for (int n = first; n < last; ++n) {
          const std::int64_t q =
              std::abs(weights.at(static_cast<std::size_t>(k), static_cast<std::size_t>(n)));
          magnitude[static_cast<std::size_t>(k)] =
              std::max(magnitude[static_cast<std::size_t>(k)], q);
        }
      }
      const std::vector<std::int32_t> order = stable_order(magnitude);
      const auto ranges = section_ranges(k_total, geometry.section_rows);
      int kept = 0;
      for (std::size_t s = 0; s < ranges.size(); ++s) {
        const auto [begin, end] = ranges[s];
        std::vector<std::int32_t> rows(order.begin() + begin, order.begin() + end);
        if (magnitude[static_cast<std::size_t>(rows.back())] == 0) {
          ++layer.summary.sections_dropped;
          continue;
        }
        std::vector<ColumnSlot> slots;
        for (int n = first; n < last; ++n) {
          (void)append_output_slots(weights, geometry, polarities, rows, n, slots);
        }
        layer.summary.gather_rows += rows.size();
        MappedCrossbar crossbar = build_crossbar(weights, geometry, std::move(rows), slots);
        crossbar.section = static_cast<int>(s);
        layer.crossbars.push_back(std::move(crossbar));
        ++layer.summary.sections_kept;
        ++kept;
      }
      for (int n = first; n < last; ++n) layer.parts_per_output[static_cast<std::size_t>(n)] = kept;
    }
    return layer;
  }
};

const Registrar<MappingPolicy> kRegistrar(
    "sws_shared",
    "sorted weight sectioning with one row order per crossbar's output group (no per-output "
    "gather)",
    [] { return std::make_unique<SharedRowSwsMapping>(); });

}  // namespace
}  // namespace cimsim
