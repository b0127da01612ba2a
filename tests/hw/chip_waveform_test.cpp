// The chip's waveform: values read from the VCD at hand-computed times, not only signal names.
// The layer of chip_timing_test.cpp (two row-tile crossbars, P = 2 cycles, t_read 10 ns) on two
// tiles (one crossbar each) that share a 1 B/ns bus: tile0 receives its 4 B of inputs at 4 ns,
// computes 4-24 and drains to 26 (busiest ADC 2 ns); tile1 waits for the bus until 8 ns,
// computes 8-28 and drains to 31. The traced macro xbar0 steps its cycles on tile0's schedule:
// cycle 0 from 4 ns, cycle 1 from 24 ns (4 + 10 + 10), idle from 26 ns.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "sim/hw/accelerator.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/workload/run_timing.h"
#include "tests/hw/tiny_layer.h"
#include "tests/systemc_test.h"

namespace cimsim {
namespace {

// Value changes of a VCD: per full signal name, (time [ps], value as a signed integer).
class VcdValues {
 public:
  explicit VcdValues(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::vector<std::string> scopes;
    std::map<std::string, std::string> names;  // id -> name
    std::string line;
    std::uint64_t time = 0;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string first;
      words >> first;
      if (first == "$scope") {
        std::string kind;
        std::string name;
        words >> kind >> name;
        scopes.push_back(name);
      } else if (first == "$upscope") {
        scopes.pop_back();
      } else if (first == "$var") {
        std::string type;
        std::string width;
        std::string id;
        std::string name;
        words >> type >> width >> id >> name;
        std::string full;
        // SystemC puts every signal under a top scope of its own.
        for (const auto& scope : scopes) full += scope == "SystemC" ? "" : scope + ".";
        names[id] = full + name;
      } else if (!first.empty() && first[0] == '#') {
        time = std::stoull(first.substr(1));
      } else if (!first.empty() && first[0] == 'b') {
        std::string id;
        words >> id;
        record(names, id, time, bits_to_int(first.substr(1)));
      } else if (!first.empty() && (first[0] == '0' || first[0] == '1') && first.size() > 1) {
        record(names, first.substr(1), time, first[0] - '0');
      }
    }
  }

  // The value of `name` at `ns` (after every change at that instant).
  [[nodiscard]] long long at(const std::string& name, double ns) const {
    const auto it = changes_.find(name);
    if (it == changes_.end()) throw std::runtime_error("no signal " + name);
    const auto ps = static_cast<std::uint64_t>(ns * 1000.0 + 0.5);
    long long value = 0;
    bool seen = false;
    for (const auto& [time, v] : it->second) {
      if (time > ps) break;
      value = v;
      seen = true;
    }
    if (!seen) throw std::runtime_error(name + " has no value at " + std::to_string(ns));
    return value;
  }

 private:
  static long long bits_to_int(const std::string& bits) {
    long long value = 0;
    for (char bit : bits) value = value * 2 + (bit == '1' ? 1 : 0);
    // 32-bit two's complement (sc_trace of an int writes all 32 bits).
    if (bits.size() == 32 && bits[0] == '1') value -= (1LL << 32);
    return value;
  }
  void record(const std::map<std::string, std::string>& names, const std::string& id,
              std::uint64_t time, long long value) {
    const auto it = names.find(id);
    if (it != names.end()) changes_[it->second].emplace_back(time, value);
  }
  std::map<std::string, std::vector<std::pair<std::uint64_t, long long>>> changes_;
};

class ChipWaveform : public testing::SystemCTest {};

TEST_F(ChipWaveform, TileAndMacroSignalsFollowTheHandComputedSchedule) {
  const testing::TinyLayer tiny = testing::tiny_layer();
  const MappedLayer layer = map_layer("baseline", tiny.weights, tiny.geometry, "tiny");
  MacroSettings settings = tiny.settings;
  settings.chip.link_bytes_per_ns = 1.0;
  IntMatrix x(1, 8);
  std::fill(x.data.begin(), x.data.end(), 3);
  x.data[0] = 2;  // so that the two input cycles of xbar0 convert different sums
  char pattern[] = "/tmp/cimsim-vcd-XXXXXX";
  const std::filesystem::path dir = mkdtemp(pattern);
  const std::filesystem::path vcd = dir / "waves.vcd";
  {
    Accelerator top("top", {&layer}, settings, {"top.chip.tile*", "top.tiny.xbar0"}, vcd.string());
    LayerResult r = top.run_layer(0, x);
    EXPECT_EQ(top.simulate(chained_schedule({1}, 1), {&r}).inference_ns, 33.0);
  }
  const VcdValues v(vcd);
  std::filesystem::remove_all(dir);
  // The traced macro steps its two input cycles while the layer is computed: read 0-10 ns, the
  // second read 10-20 while the first converts, the last conversion (2 ns) drains to 22 ns.
  EXPECT_EQ(v.at("top.tiny.xbar0.busy", 0.0), 1);
  EXPECT_EQ(v.at("top.tiny.xbar0.input_cycle", 0.0), 0);
  EXPECT_EQ(v.at("top.tiny.xbar0.input_cycle", 19.0), 0);
  EXPECT_EQ(v.at("top.tiny.xbar0.input_cycle", 20.0), 1);
  EXPECT_EQ(v.at("top.tiny.xbar0.busy", 22.0), 0);
  // Then the schedule runs from 22 ns. On a 1 B/ns bus tile0's 4 B of inputs arrive 4 ns later
  // and it computes for 20 ns; tile1's fetch waits for tile0's, so it computes 8-28 ns after.
  constexpr double t0 = 22.0;
  EXPECT_EQ(v.at("top.chip.tile0.waiting_input", t0), 1);
  EXPECT_EQ(v.at("top.chip.tile0.waiting_input", t0 + 4.0), 0);
  EXPECT_EQ(v.at("top.chip.tile0.computing", t0 + 3.0), 0);
  EXPECT_EQ(v.at("top.chip.tile0.computing", t0 + 4.0), 1);
  EXPECT_EQ(v.at("top.chip.tile0.computing", t0 + 23.0), 1);
  EXPECT_EQ(v.at("top.chip.tile0.computing", t0 + 24.0), 0);
  EXPECT_EQ(v.at("top.chip.tile0.adc_pool.busy_adcs", t0 + 10.0), 3);  // 3 converting columns
  EXPECT_EQ(v.at("top.chip.tile0.layer", t0 + 10.0), 0);
  EXPECT_EQ(v.at("top.chip.tile0.layer", t0 + 24.0), -1);
  EXPECT_EQ(v.at("top.chip.tile1.waiting_input", t0 + 7.0), 1);
  EXPECT_EQ(v.at("top.chip.tile1.computing", t0 + 7.0), 0);
  EXPECT_EQ(v.at("top.chip.tile1.computing", t0 + 8.0), 1);
  EXPECT_EQ(v.at("top.chip.tile1.computing", t0 + 27.0), 1);
  EXPECT_EQ(v.at("top.chip.tile1.computing", t0 + 28.0), 0);
  EXPECT_EQ(v.at("top.chip.tile1.adc_pool.busy_adcs", t0 + 10.0), 1);
  // xbar0 holds rows 0-3, weights {3, 1, 0, -2} (differential, 2 magnitude bits in 1-bit cells):
  // columns +slice0 = {1, 1, 0, 0}, +slice1 = {1, 0, 0, 0}, -slice0 = {0, 0, 0, 0} (gated),
  // -slice1 = {0, 0, 0, 1}. Inputs {2, 3, 3, 3}: cycle 0 drives bit 0 = {0, 1, 1, 1}, so the
  // sums (codes) are 1, 0, -, 1; cycle 1 drives bit 1 = {1, 1, 1, 1}: 2, 1, -, 1. Codes appear
  // after each cycle's read (10 ns, 20 ns); the accumulator, (1 - 2) + 2 (2 + 2 - 2) = 3 =
  // 2 * 3 + 3 * 1 - 3 * 2, when the vector is done (22 ns).
  for (const auto& [column, cycle0, cycle1] :
       std::vector<std::tuple<int, int, int>>{{0, 1, 2}, {1, 0, 1}, {2, 0, 0}, {3, 1, 1}}) {
    const std::string col = "top.tiny.xbar0.adc.col" + std::to_string(column);
    EXPECT_EQ(v.at(col + ".code", 10.0), cycle0) << col;
    EXPECT_EQ(v.at(col + ".code", 19.0), cycle0) << col;
    EXPECT_EQ(v.at(col + ".code", 20.0), cycle1) << col;
    EXPECT_EQ(v.at(col + ".enable", 10.0), column == 2 ? 0 : 1) << col;
  }
  EXPECT_EQ(v.at("top.tiny.xbar0.acc.out0", 21.0), 0);
  EXPECT_EQ(v.at("top.tiny.xbar0.acc.out0", 22.0), 3);
}

}  // namespace
}  // namespace cimsim
