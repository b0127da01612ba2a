// Energy and cycles of a small macro under each mapping, computed by hand from the counts of
// crossbar-model.md section 8 and the per-event energies of energy-models.md, with a `table` ADC
// model of 0.5 pJ per conversion bit. The matrix is that of hand_made_mapping_test.cpp:
// output 0 = [0, 5, 0, -1, 2, 0], output 1 = 0; one input vector of six 1s with 2-bit inputs, so
// cycle 0 drives every row and cycle 1 none. y = [6, 0].
#include <gtest/gtest.h>

#include "sim/energy/energy_pricing.h"
#include "sim/hw/accelerator.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/workload/run_timing.h"
#include "tests/systemc_test.h"

namespace cimsim {
namespace {

class EnergyPerMapping : public testing::SystemCTest {
 protected:
  EnergyPerMapping() : weights_(6, 2), inputs_(1, 6) {
    const std::int32_t output0[6] = {0, 5, 0, -1, 2, 0};
    for (std::size_t k = 0; k < 6; ++k) weights_.at(k, 0) = output0[k];
    std::fill(inputs_.data.begin(), inputs_.data.end(), 1);
    geometry_.rows = 4;
    geometry_.cols = 12;
    geometry_.weight_bits = 4;
    geometry_.input_bits = 2;
    geometry_.section_rows = 2;
    for (int bits = 1; bits <= 8; ++bits) adc_.table.push_back({bits, 0.5 * bits, {}, {}});
    adc_.model = "table";
    components_.input_bits_per_read = 2;
  }

  struct Outcome {
    LayerResult result;
    EnergyBreakdown energy;
  };

  Outcome run(const std::string& policy, const std::string& adc_policy) {
    layer_ = map_layer(policy, weights_, geometry_, "m");
    MacroSettings settings;
    settings.adc.policy = adc_policy;
    settings.adc.per_crossbar = 12;  // one ADC per column
    fresh_context();
    Accelerator top("top", {&layer_}, settings);
    Outcome out;
    out.result = top.run_layer(0, inputs_);
    (void)top.simulate(chained_schedule({inputs_.rows}, 1), {&out.result});
    ModelWarnings warnings;
    const auto model = make_adc_energy_model(adc_);
    out.energy = price_events(
        out.result.counts, *model, components_, [](int) { return 1e8; }, warnings);
    return out;
  }

  IntMatrix weights_;
  IntMatrix inputs_;
  MappingGeometry geometry_;
  AdcEnergyParams adc_;
  ComponentEnergyParams components_;
  MappedLayer layer_;
};

TEST_F(EnergyPerMapping, SortedSections) {
  // Crossbars {5, 3} (one column, (-,0)) and {4, 1} (three columns, (+,0..2)); every bound is 1,
  // so capped ADCs convert at 1 bit: (1 + 3) columns x 2 cycles = 8 conversions of 0.5 pJ.
  const Outcome o = run("sws", "capped");
  EXPECT_EQ(o.result.outputs.data, (std::vector<std::int64_t>{6, 0}));
  EXPECT_DOUBLE_EQ(o.energy.adc_pj, 8 * 0.5);
  EXPECT_DOUBLE_EQ(o.energy.dac_pj, 4 * 3.5e-3);                      // 4 rows driven in cycle 0
  EXPECT_DOUBLE_EQ(o.energy.crossbar_pj, (2 * 1 + 2 * 3) * 1.83e-3);  // digits x columns
  EXPECT_DOUBLE_EQ(o.energy.sample_hold_pj, 8 * 0.98e-3);
  EXPECT_DOUBLE_EQ(o.energy.shift_add_pj, 8 * 45e-3);
  EXPECT_DOUBLE_EQ(o.energy.buffer_pj, 4 * 0.25 * components_.input_buffer_read_fj_per_byte * 1e-3);
  EXPECT_DOUBLE_EQ(o.energy.partial_sum_pj, 1 * components_.partial_sum_add_fj * 1e-3);
  // Each crossbar: t_adc = 1 ns (1 bit, own ADC), V = 2: 10 + 10 + 1 = 21 ns; 2 parts: +1 ns.
  EXPECT_DOUBLE_EQ(o.result.latency_ns, 22.0);
}

TEST_F(EnergyPerMapping, SharedRowSections) {
  // The same two sections for the group {0, 1}; output 1 adds the group's two parts too.
  const Outcome o = run("sws_shared", "capped");
  EXPECT_DOUBLE_EQ(o.energy.adc_pj, 8 * 0.5);
  EXPECT_DOUBLE_EQ(o.energy.partial_sum_pj, 2 * components_.partial_sum_add_fj * 1e-3);
  EXPECT_DOUBLE_EQ(o.result.latency_ns, 22.0);
}

TEST_F(EnergyPerMapping, UnsortedBaselineWithFixedAdcs) {
  // Tile 0 (rows 0-3) converts (+,0), (+,2), (-,0) of output 0; tile 1 (rows 4-5) converts (+,1);
  // every other column is all zero and gated. Fixed 8-bit: 4 x 2 conversions of 4 pJ.
  const Outcome o = run("baseline", "fixed");
  EXPECT_EQ(o.result.outputs.data, (std::vector<std::int64_t>{6, 0}));
  EXPECT_DOUBLE_EQ(o.energy.adc_pj, 8 * 4.0);
  EXPECT_DOUBLE_EQ(o.energy.dac_pj, 6 * 3.5e-3);
  EXPECT_DOUBLE_EQ(o.energy.crossbar_pj, (4 * 12 + 2 * 12) * 1.83e-3);
  EXPECT_DOUBLE_EQ(o.energy.shift_add_pj, 8 * 45e-3);
  EXPECT_DOUBLE_EQ(o.energy.buffer_pj, 6 * 0.25 * components_.input_buffer_read_fj_per_byte * 1e-3);
  EXPECT_DOUBLE_EQ(o.energy.partial_sum_pj, 2 * components_.partial_sum_add_fj * 1e-3);
  // Tile 0: three 8-bit columns on their own ADCs, t_adc = 8 ns: 10 + 10 + 8 = 28 ns; +1 ns.
  EXPECT_DOUBLE_EQ(o.result.latency_ns, 29.0);
  // Capped ADCs on the same mapping convert the same columns at 1 bit.
  EXPECT_DOUBLE_EQ(run("baseline", "capped").energy.adc_pj, 8 * 0.5);
}

}  // namespace
}  // namespace cimsim
