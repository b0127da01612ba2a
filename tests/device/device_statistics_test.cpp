// The sampled non-idealities follow their settings: tolerances are 5 standard errors of the
// statistic for the sample size, so a correct sampler fails with probability below 1e-6 per
// check while a wrong sigma, mean or rate (beyond a few per cent) fails for certain.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/device/counter_rng.h"
#include "sim/device/device_model.h"

namespace cimsim {
namespace {

struct Moments {
  double mean = 0.0;
  double variance = 0.0;  // unbiased
};

Moments moments(const std::vector<double>& values) {
  Moments m;
  for (double v : values) m.mean += v;
  m.mean /= static_cast<double>(values.size());
  for (double v : values) m.variance += (v - m.mean) * (v - m.mean);
  m.variance /= static_cast<double>(values.size() - 1);
  return m;
}

// Checks a sample of a normal distribution N(mean, sigma^2): the sample mean within 5 sigma /
// sqrt(n), the sample variance within 5 sigma^2 sqrt(2 / (n - 1)) (its standard error).
void expect_normal_moments(const std::vector<double>& values, double mean, double sigma) {
  const auto n = static_cast<double>(values.size());
  const Moments m = moments(values);
  EXPECT_NEAR(m.mean, mean, 5.0 * sigma / std::sqrt(n));
  EXPECT_NEAR(m.variance, sigma * sigma, 5.0 * sigma * sigma * std::sqrt(2.0 / (n - 1.0)));
}

// A binomial rate: the observed fraction within 5 sqrt(p (1 - p) / n) of p.
void expect_rate(std::uint64_t hits, std::uint64_t n, double p) {
  const double observed = static_cast<double>(hits) / static_cast<double>(n);
  EXPECT_NEAR(observed, p, 5.0 * std::sqrt(p * (1.0 - p) / static_cast<double>(n)))
      << hits << " of " << n;
}

TEST(CounterRng, UniformAndNormalDrawsHaveTheirMoments) {
  const CounterRng rng(12345, RandomStream::kReadNoise);
  constexpr int kCount = 200000;
  std::vector<double> uniform;
  std::vector<double> normal;
  std::uint64_t within_one_sigma = 0;
  for (int i = 0; i < kCount; ++i) {
    uniform.push_back(rng.uniform(7, static_cast<std::uint64_t>(i)));
    normal.push_back(rng.normal(7, static_cast<std::uint64_t>(i)));
    within_one_sigma += std::fabs(normal.back()) < 1.0 ? 1 : 0;
    ASSERT_GT(uniform.back(), 0.0);
    ASSERT_LT(uniform.back(), 1.0);
  }
  // Uniform on (0, 1): mean 1/2, variance 1/12 (standard error of the variance: sqrt(1/180 n)).
  const Moments u = moments(uniform);
  EXPECT_NEAR(u.mean, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / kCount));
  EXPECT_NEAR(u.variance, 1.0 / 12.0, 5.0 * std::sqrt(1.0 / 180.0 / kCount));
  expect_normal_moments(normal, 0.0, 1.0);
  expect_rate(within_one_sigma, kCount, std::erf(1.0 / std::sqrt(2.0)));  // 68.27 %
}

TEST(CounterRng, DrawsArePureFunctionsOfSeedStreamAndCounters) {
  const CounterRng a(1, RandomStream::kProgrammingVariation);
  const CounterRng again(1, RandomStream::kProgrammingVariation);
  const CounterRng other_seed(2, RandomStream::kProgrammingVariation);
  const CounterRng other_stream(1, RandomStream::kStuckAtFault);
  int equal_other_seed = 0;
  int equal_other_stream = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(a.bits(i, 3, 4), again.bits(i, 3, 4));
    equal_other_seed += a.bits(i, 3, 4) == other_seed.bits(i, 3, 4) ? 1 : 0;
    equal_other_stream += a.bits(i, 3, 4) == other_stream.bits(i, 3, 4) ? 1 : 0;
  }
  EXPECT_EQ(equal_other_seed, 0);
  EXPECT_EQ(equal_other_stream, 0);
  // The counters are not interchangeable: (row, column) and (column, row) are different cells.
  EXPECT_NE(a.bits(0, 1, 2), a.bits(0, 2, 1));
}

DeviceSettings ideal() { return DeviceSettings{}; }

TEST(DeviceModel, IdealCellsConductTheirLevelExactly) {
  for (int cell_bits : {1, 2, 4}) {
    const DeviceModel model(ideal(), cell_bits);
    for (int level = 0; level < (1 << cell_bits); ++level) {
      for (std::uint64_t row = 0; row < 50; ++row) {
        EXPECT_EQ(model.conductance(level, 3, row, 5), static_cast<double>(level));
      }
    }
  }
}

TEST(DeviceModel, FiniteOnOffRatioMakesLevelZeroConductAndKeepsTheTopLevel) {
  DeviceSettings s;
  s.on_off_ratio = 10.0;
  const DeviceModel model(s, 2);  // levels 0..3, G_max = 3
  EXPECT_DOUBLE_EQ(model.conductance(0, 0, 0, 0), 0.3);
  EXPECT_DOUBLE_EQ(model.conductance(3, 0, 0, 0), 3.0);
  EXPECT_DOUBLE_EQ(model.conductance(3, 0, 0, 0) / model.conductance(0, 0, 0, 0), 10.0);
  // Linear in between: equal steps of (3 - 0.3) / 3.
  EXPECT_DOUBLE_EQ(model.conductance(1, 0, 0, 0), 0.3 + 0.9);
  EXPECT_DOUBLE_EQ(model.conductance(2, 0, 0, 0), 0.3 + 1.8);
}

// Relative deviations (g / target - 1) of `count` cells of one level.
std::vector<double> relative_deviations(const DeviceModel& model, int level, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) {
    const auto row = static_cast<std::uint64_t>(i % 128);
    const auto column = static_cast<std::uint64_t>(i / 128);
    out.push_back(model.conductance(level, 9, row, column) / model.target(level) - 1.0);
  }
  return out;
}

TEST(DeviceModel, GaussianVariationHasTheConfiguredRelativeSigma) {
  for (double sigma : {0.02, 0.1, 0.25}) {
    DeviceSettings s;
    s.variation = "gaussian";
    s.variation_sigma = sigma;
    const DeviceModel model(s, 4);
    SCOPED_TRACE(sigma);
    // Level 9 of a 4-bit cell; at these sigmas a clamp at 0 (z < -1 / sigma) is negligible.
    expect_normal_moments(relative_deviations(model, 9, 100000), 0.0, sigma);
  }
}

TEST(DeviceModel, LognormalVariationHasTheConfiguredLogSigma) {
  DeviceSettings s;
  s.variation = "lognormal";
  s.variation_sigma = 0.3;
  const DeviceModel model(s, 1);
  std::vector<double> logs;
  for (double d : relative_deviations(model, 1, 100000)) logs.push_back(std::log1p(d));
  expect_normal_moments(logs, 0.0, 0.3);
}

TEST(DeviceModel, VariationIsFixedPerCellAndDiffersBetweenCells) {
  DeviceSettings s;
  s.variation = "gaussian";
  s.variation_sigma = 0.1;
  const DeviceModel model(s, 1);
  EXPECT_EQ(model.conductance(1, 4, 10, 2), model.conductance(1, 4, 10, 2));
  EXPECT_NE(model.conductance(1, 4, 10, 2), model.conductance(1, 4, 11, 2));
  EXPECT_NE(model.conductance(1, 4, 10, 2), model.conductance(1, 5, 10, 2));
  s.seed = 2;
  EXPECT_NE(DeviceModel(s, 1).conductance(1, 4, 10, 2), model.conductance(1, 4, 10, 2));
  // A cell at level 0 with an ideal OFF state conducts nothing, whatever the variation.
  EXPECT_EQ(model.conductance(0, 4, 10, 2), 0.0);
}

TEST(DeviceModel, StuckAtFaultRatesMatchTheirSettings) {
  DeviceSettings s;
  s.stuck_at_on = 0.01;
  s.stuck_at_off = 0.05;
  s.on_off_ratio = 20.0;
  s.variation = "gaussian";
  s.variation_sigma = 0.1;
  const DeviceModel model(s, 2);
  constexpr std::uint64_t kCells = 400000;
  std::uint64_t on = 0;
  std::uint64_t off = 0;
  for (std::uint64_t i = 0; i < kCells; ++i) {
    const CellFault fault = model.fault(i / 4096, i % 4096 / 64, i % 64);
    const double g = model.conductance(2, i / 4096, i % 4096 / 64, i % 64);
    if (fault == CellFault::kStuckOn) {
      ++on;
      EXPECT_EQ(g, model.g_max());  // exactly G_max: no variation on a stuck cell
    } else if (fault == CellFault::kStuckOff) {
      ++off;
      EXPECT_EQ(g, model.g_off());
    }
  }
  expect_rate(on, kCells, 0.01);
  expect_rate(off, kCells, 0.05);
}

}  // namespace
}  // namespace cimsim
