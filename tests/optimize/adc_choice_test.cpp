// The rule that keeps an ADC stage's point (keep_of, docs/optimize.md): the least feasible
// objective by default, and with optimize.tie_margin the best calibration fidelity among the
// points within that relative margin of the least.
#include <gtest/gtest.h>

#include "sim/optimize/layer_search.h"

namespace cimsim {
namespace {

Measurement point(double energy_pj, double top1, std::uint64_t crossbars = 100) {
  Measurement m;
  m.energy_pj = energy_pj;
  m.top1 = top1;
  m.ideal_top1 = 0.98;
  m.crossbars = crossbars;
  return m;
}

Measurement sentence_point(double energy_pj, double cosine) {
  Measurement m;
  m.energy_pj = energy_pj;
  m.embedding_cosine = cosine;
  m.ideal_embedding_cosine = 0.9993;
  return m;
}

TEST(AdcChoice, WithoutATieMarginTheLeastFeasibleEnergyWinsWhateverItsTopOneCosts) {
  SearchSpace space;  // budget 0.5 points, tie margin 0
  const Measurement current = point(1000.0, 0.98);
  const Measurement clip = point(999.9, 0.979);   // 0.1 points lost
  const Measurement scale = point(999.8, 0.976);  // 0.4 points lost: within the budget
  const Measurement lossy = point(900.0, 0.97);   // 1 point lost: outside
  EXPECT_EQ(keep_of(current, {&clip, &scale, &lossy}, space, std::nullopt), 1U);
  // Nothing below the current point: it stays.
  const Measurement dearer = point(1000.5, 0.98);
  EXPECT_EQ(keep_of(current, {&dearer}, space, std::nullopt), 1U);
  // Equal energy: the earlier trial.
  const Measurement twin = point(999.8, 0.98);
  EXPECT_EQ(keep_of(current, {&scale, &twin}, space, std::nullopt), 0U);
}

TEST(AdcChoice, WithinTheTieMarginTheBetterTopOneWins) {
  SearchSpace space;
  space.tie_margin = 0.001;  // 1 uJ of 1000
  const Measurement current = point(1000.0, 0.977);
  const Measurement clip = point(999.9, 0.979);
  const Measurement scale = point(999.8, 0.976);
  EXPECT_EQ(keep_of(current, {&clip, &scale}, space, std::nullopt), 0U);
  // As good as the current point at the same energy: the current point stays; at less energy
  // the trial is taken.
  const Measurement same = point(1000.0, 0.977);
  EXPECT_EQ(keep_of(current, {&same}, space, std::nullopt), 1U);
  const Measurement same_cheaper = point(999.5, 0.977);
  EXPECT_EQ(keep_of(current, {&same_cheaper}, space, std::nullopt), 0U);
  // Equal top-1 within the margin: the lower energy.
  const Measurement cheaper_twin = point(999.0, 0.979);
  EXPECT_EQ(keep_of(current, {&clip, &cheaper_twin}, space, std::nullopt), 1U);
  // A saving beyond the margin is taken though it costs top-1.
  const Measurement cheap = point(990.0, 0.976);
  EXPECT_EQ(keep_of(current, {&clip, &cheap}, space, std::nullopt), 1U);
}

TEST(AdcChoice, TheEmbeddingCosineBudgetAndTheCrossbarLimitBound) {
  SearchSpace space;
  space.metric = "embedding_cosine";
  space.embedding_cosine_budget = 0.001;
  const Measurement current = sentence_point(800.0, 0.9993);
  const Measurement within = sentence_point(799.0, 0.9985);   // 0.0008 lost
  const Measurement outside = sentence_point(790.0, 0.9980);  // 0.0013 lost
  EXPECT_EQ(keep_of(current, {&within, &outside}, space, std::nullopt), 0U);
  SearchSpace classifier;
  const Measurement big = point(900.0, 0.98, 200);
  EXPECT_EQ(keep_of(point(1000.0, 0.98, 100), {&big}, classifier, std::nullopt), 0U);
  EXPECT_EQ(keep_of(point(1000.0, 0.98, 100), {&big}, classifier, 150), 1U);
}

}  // namespace
}  // namespace cimsim
