// Packed sorted sectioning (docs/mapping_packed.md): sorted sections of small output groups, each
// reduced to the rows where its group has a nonzero weight, packed first-fit into shared
// crossbars (a crossbar's rows are the union of its sections' rows; a column's cells outside its
// own section are zero). The group size is the smallest that keeps the layer within the
// baseline's crossbar count, so sorting is as fine as that budget allows.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <tuple>

#include "sim/encoding/weight_encoding.h"
#include "sim/mapping/layout.h"
#include "sim/mapping/mapping_policy.h"

namespace cimsim {
namespace {

// [crossbars] First-fit tries only the most recently opened crossbars, at most this many: it
// bounds mapping time (sections x window x (R + Rs) row comparisons; the 9216 x 128 layer of the
// MNIST CNN maps in about a second per group size) and is part of the policy's definition.
constexpr std::size_t kPackWindow = 128;

struct Section {
  int index = 0;                      // section index within its group (0 = smallest magnitudes)
  std::vector<std::int32_t> rows;     // inputs with a nonzero weight in the group, ascending
  std::vector<ColumnSlot> slots;      // needed slice columns, in layout order
  std::vector<std::int32_t> outputs;  // outputs with at least one column, ascending
};

struct Bin {
  std::vector<std::int32_t> rows;     // union of its sections' rows, ascending
  std::vector<std::int32_t> outputs;  // union of its sections' outputs, ascending
  std::size_t columns = 0;
  std::vector<std::size_t> sections;  // indices into the section list, in placement order
};

struct Candidate {
  std::vector<Section> sections;
  std::vector<Bin> bins;
  std::uint64_t dropped = 0;
};

// Sections of groups of `group` consecutive outputs (crossbar-model.md section 7, sws_shared, with
// any group size), each reduced to its nonzero rows.
void cut_sections(const IntMatrix& weights, const MappingGeometry& geometry, int group,
                  Candidate& out) {
  const int k_total = static_cast<int>(weights.rows);
  const int n_total = static_cast<int>(weights.cols);
  const std::vector<int> polarities = weight_encoding(geometry.encoding).polarities();
  const auto ranges = section_ranges(k_total, geometry.section_rows);
  std::vector<std::int64_t> key(static_cast<std::size_t>(k_total));
  for (int first = 0; first < n_total; first += group) {
    const int last = std::min(n_total, first + group);
    for (int k = 0; k < k_total; ++k) {
      std::int64_t largest = 0;
      for (int n = first; n < last; ++n) {
        largest = std::max<std::int64_t>(
            largest,
            std::abs(weights.at(static_cast<std::size_t>(k), static_cast<std::size_t>(n))));
      }
      key[static_cast<std::size_t>(k)] = largest;
    }
    const std::vector<std::int32_t> order = stable_order(key);
    for (std::size_t s = 0; s < ranges.size(); ++s) {
      const auto [begin, end] = ranges[s];
      if (key[static_cast<std::size_t>(order[static_cast<std::size_t>(end - 1)])] == 0) {
        ++out.dropped;
        continue;
      }
      Section section;
      section.index = static_cast<int>(s);
      for (int i = begin; i < end; ++i) {
        const std::int32_t k = order[static_cast<std::size_t>(i)];
        if (key[static_cast<std::size_t>(k)] != 0) section.rows.push_back(k);
      }
      std::sort(section.rows.begin(), section.rows.end());
      for (int n = first; n < last; ++n) {
        if (append_output_slots(weights, geometry, polarities, section.rows, n, section.slots)) {
          section.outputs.push_back(n);
        }
      }
      out.sections.push_back(std::move(section));
    }
  }
}

// Rows of `rows` not in `present` (both ascending).
std::size_t new_rows(const std::vector<std::int32_t>& present,
                     const std::vector<std::int32_t>& rows) {
  std::size_t count = 0;
  auto it = present.begin();
  for (std::int32_t r : rows) {
    it = std::lower_bound(it, present.end(), r);
    if (it == present.end() || *it != r) ++count;
  }
  return count;
}

bool share_an_output(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return true;
    if (*i < *j) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

std::vector<std::int32_t> merged(const std::vector<std::int32_t>& a,
                                 const std::vector<std::int32_t>& b) {
  std::vector<std::int32_t> out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// First-fit packing of the sections in order; stops early once more than `limit` crossbars open
// (the candidate is then over budget anyway). Returns false when it stopped early.
bool pack(const MappingGeometry& geometry, std::size_t limit, Candidate& c) {
  const auto rows_max = static_cast<std::size_t>(geometry.rows);
  const auto cols_max = static_cast<std::size_t>(geometry.cols);
  for (std::size_t i = 0; i < c.sections.size(); ++i) {
    const Section& section = c.sections[i];
    const std::size_t start = c.bins.size() > kPackWindow ? c.bins.size() - kPackWindow : 0;
    Bin* target = nullptr;
    for (std::size_t b = start; b < c.bins.size(); ++b) {
      Bin& bin = c.bins[b];
      if (bin.columns + section.slots.size() > cols_max) continue;
      if (share_an_output(bin.outputs, section.outputs)) continue;
      if (bin.rows.size() + new_rows(bin.rows, section.rows) > rows_max) continue;
      target = &bin;
      break;
    }
    if (target == nullptr) {
      if (c.bins.size() >= limit) return false;
      c.bins.emplace_back();
      target = &c.bins.back();
    }
    target->rows = merged(target->rows, section.rows);
    target->outputs = merged(target->outputs, section.outputs);
    target->columns += section.slots.size();
    target->sections.push_back(i);
  }
  return true;
}

// A crossbar from a bin: gather = the union of rows; each column holds its own section's cells
// and zeros on the other rows.
MappedCrossbar build_bin(const IntMatrix& weights, const MappingGeometry& geometry,
                         const Candidate& c, const Bin& bin) {
  const WeightEncoding& encoding = weight_encoding(geometry.encoding);
  const std::uint32_t level_mask = (1U << geometry.cell_bits) - 1U;
  struct Placed {
    ColumnSlot slot;
    const Section* section;
  };
  std::vector<Placed> placed;
  for (std::size_t s : bin.sections) {
    for (const ColumnSlot& slot : c.sections[s].slots) placed.push_back({slot, &c.sections[s]});
  }
  std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
    return std::make_tuple(a.slot.output, -a.slot.polarity, a.slot.slice) <
           std::make_tuple(b.slot.output, -b.slot.polarity, b.slot.slice);
  });
  MappedCrossbar crossbar;
  crossbar.gather = bin.rows;
  crossbar.section = c.sections[bin.sections.front()].index;
  crossbar.outputs = bin.outputs;
  for (const Placed& p : placed) {
    MappedColumn column;
    column.output = p.slot.output;
    column.polarity = p.slot.polarity;
    column.slice = p.slot.slice;
    column.cells.assign(crossbar.gather.size(), 0);
    const unsigned shift = static_cast<unsigned>(p.slot.slice * geometry.cell_bits);
    const std::vector<std::int32_t>& own = p.section->rows;
    std::size_t r = 0;
    for (std::int32_t k : own) {
      while (crossbar.gather[r] != k) ++r;  // own rows are a subset of the ascending gather
      const std::int32_t q =
          weights.at(static_cast<std::size_t>(k), static_cast<std::size_t>(p.slot.output));
      const std::uint32_t stored = encoding.stored_value(q, p.slot.polarity, geometry.weight_bits);
      column.cells[r] = static_cast<std::uint8_t>((stored >> shift) & level_mask);
    }
    compute_column_bound(column, geometry.dac_bits);
    crossbar.columns.push_back(std::move(column));
  }
  return crossbar;
}

class PackedSwsMapping final : public MappingPolicy {
 public:
  [[nodiscard]] MappedLayer map(const IntMatrix& weights, const MappingGeometry& geometry,
                                const std::string& /*layer_name*/) const override {
    const int k_total = static_cast<int>(weights.rows);
    const int n_total = static_cast<int>(weights.cols);
    const int group_max = geometry.cols / geometry.cols_per_output();
    // The baseline's crossbars for this layer (crossbar-model.md section 7): the budget.
    const auto budget = static_cast<std::size_t>((k_total + geometry.rows - 1) / geometry.rows) *
                        static_cast<std::size_t>((n_total + group_max - 1) / group_max);
    Candidate chosen;
    for (int group = 1; group <= group_max; ++group) {
      Candidate c;
      cut_sections(weights, geometry, group, c);
      const bool complete = pack(geometry, group == group_max ? SIZE_MAX : budget, c);
      if ((complete && c.bins.size() <= budget) || group == group_max) {
        chosen = std::move(c);
        break;
      }
    }

    MappedLayer layer;
    layer.parts_per_output.assign(static_cast<std::size_t>(n_total), 0);
    layer.crossbars.reserve(chosen.bins.size());
    for (const Bin& bin : chosen.bins) {
      layer.crossbars.push_back(build_bin(weights, geometry, chosen, bin));
      layer.summary.gather_rows += bin.rows.size();
      for (std::int32_t n : bin.outputs) ++layer.parts_per_output[static_cast<std::size_t>(n)];
    }
    layer.summary.sections_kept = chosen.sections.size();
    layer.summary.sections_dropped = chosen.dropped;
    return layer;
  }
};

const Registrar<MappingPolicy> kRegistrar(
    "sws_packed",
    "sorted sections of the smallest output groups that fit the baseline's crossbar count, zero "
    "rows left out, packed into shared crossbars",
    [] { return std::make_unique<PackedSwsMapping>(); });

}  // namespace
}  // namespace cimsim
