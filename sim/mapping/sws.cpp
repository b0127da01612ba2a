// Sorted weight sectioning, per output: each output's rows sorted by |q| ascending, cut into
// sections of section_rows aligned to the largest end; all-zero sections dropped; each kept
// section owns a crossbar with only the low-order slice columns its largest weight needs.
#include <cstdlib>
#include <memory>

#include "sim/encoding/weight_encoding.h"
#include "sim/mapping/layout.h"
#include "sim/mapping/mapping_policy.h"

namespace cimsim {
namespace {

class SwsMapping final : public MappingPolicy {
 public:
  [[nodiscard]] MappedLayer map(const IntMatrix& weights, const MappingGeometry& geometry,
                                const std::string& /*layer_name*/) const override {
    const int k_total = static_cast<int>(weights.rows);
    const int n_total = static_cast<int>(weights.cols);
    const std::vector<int> polarities = weight_encoding(geometry.encoding).polarities();
    MappedLayer layer;
    layer.parts_per_output.assign(static_cast<std::size_t>(n_total), 0);
    std::vector<std::int64_t> magnitude(static_cast<std::size_t>(k_total));
    for (int n = 0; n < n_total; ++n) {
      for (int k = 0; k < k_total; ++k) {
        magnitude[static_cast<std::size_t>(k)] =
            std::abs(weights.at(static_cast<std::size_t>(k), static_cast<std::size_t>(n)));
      }
      const std::vector<std::int32_t> order = stable_order(magnitude);
      const auto ranges = section_ranges(k_total, geometry.section_rows);
      for (std::size_t s = 0; s < ranges.size(); ++s) {
        const auto [begin, end] = ranges[s];
        std::vector<std::int32_t> rows(order.begin() + begin, order.begin() + end);
        // Sorted ascending, so the section's last row holds its largest magnitude.
        if (magnitude[static_cast<std::size_t>(rows.back())] == 0) {
          ++layer.summary.sections_dropped;
          continue;
        }
        std::vector<ColumnSlot> slots;
        (void)append_output_slots(weights, geometry, polarities, rows, n, slots);
        layer.summary.gather_rows += rows.size();
        MappedCrossbar crossbar = build_crossbar(weights, geometry, std::move(rows), slots);
        crossbar.section = static_cast<int>(s);
        layer.crossbars.push_back(std::move(crossbar));
        ++layer.summary.sections_kept;
        ++layer.parts_per_output[static_cast<std::size_t>(n)];
      }
    }
    return layer;
  }
};

const Registrar<MappingPolicy> kRegistrar(
    "sws", "sorted weight sectioning per output: sections of small weights use fewer slices",
    [] { return std::make_unique<SwsMapping>(); });

}  // namespace
}  // namespace cimsim
