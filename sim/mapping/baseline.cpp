// The unsorted baseline mapping: K in natural order in row tiles of R rows, consecutive outputs
// floor(C / cols_per_output) to a crossbar, every slice column allocated.
#include <algorithm>
#include <memory>
#include <numeric>

#include "sim/encoding/weight_encoding.h"
#include "sim/mapping/layout.h"
#include "sim/mapping/mapping_policy.h"

namespace cimsim {
namespace {

class BaselineMapping final : public MappingPolicy {
 public:
  [[nodiscard]] MappedLayer map(const IntMatrix& weights, const MappingGeometry& geometry,
                                const std::string& /*layer_name*/) const override {
    const int k_total = static_cast<int>(weights.rows);
    const int n_total = static_cast<int>(weights.cols);
    const int outputs_per_crossbar = geometry.cols / geometry.cols_per_output();
    const std::vector<int> polarities = weight_encoding(geometry.encoding).polarities();
    MappedLayer layer;
    const int tiles = (k_total + geometry.rows - 1) / geometry.rows;
    for (int tile = 0; tile < tiles; ++tile) {
      const int row_begin = tile * geometry.rows;
      std::vector<std::int32_t> gather(
          static_cast<std::size_t>(std::min(k_total, row_begin + geometry.rows) - row_begin));
      std::iota(gather.begin(), gather.end(), row_begin);
      for (int first = 0; first < n_total; first += outputs_per_crossbar) {
        std::vector<ColumnSlot> slots;
        for (int n = first; n < std::min(n_total, first + outputs_per_crossbar); ++n) {
          for (int polarity : polarities) {
            for (int slice = 0; slice < geometry.slices(); ++slice) {
              slots.push_back(
                  {n, static_cast<std::int8_t>(polarity), static_cast<std::int8_t>(slice)});
            }
          }
        }
        MappedCrossbar crossbar = build_crossbar(weights, geometry, gather, slots);
        crossbar.row_tile = tile;
        layer.crossbars.push_back(std::move(crossbar));
      }
    }
    layer.parts_per_output.assign(static_cast<std::size_t>(n_total), tiles);
    layer.summary.sections_kept = layer.crossbars.size();  // every row tile is kept
    return layer;
  }
};

const Registrar<MappingPolicy> kRegistrar(
    "baseline", "unsorted: row tiles of R rows in natural order, every slice column allocated",
    [] { return std::make_unique<BaselineMapping>(); });

}  // namespace
}  // namespace cimsim
