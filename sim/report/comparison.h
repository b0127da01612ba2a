// A comparison run: several variants of one experiment side by side, each measured against its
// named baseline variant, with changes in % of ADC energy, total energy, conversions, latency,
// crossbars and accuracy (negative = less than the baseline).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cimsim {

struct VariantReport {
  std::string name;
  std::string baseline;
  nlohmann::json report;  // the variant's report.json
};

// bugprone-exception-escape: a clang-tidy-14 false positive on every class with an nlohmann::json
// member (json's move constructor is noexcept).
// NOLINTNEXTLINE(bugprone-exception-escape)
struct Comparison {
  nlohmann::json json;
  std::string csv;
  std::string console;
};

[[nodiscard]] Comparison compare_variants(const std::vector<VariantReport>& variants);

}  // namespace cimsim
