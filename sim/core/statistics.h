// Statistics that simulation modules declare where they are implemented: a name, a unit, a
// description and a value. A module appends its own to a StatisticSet; the report writes every
// statistic of the set (report.json's `chip` block with its units, and summary.csv columns)
// without a list of names of its own.
#pragma once

#include <string>
#include <vector>

namespace cimsim {

struct Statistic {
  std::string name;  // dotted, e.g. "interconnect.busy_ns"
  std::string unit;  // "ns", "B", "fraction", ...
  std::string description;
  double value = 0.0;
};

class StatisticSet {
 public:
  void add(std::string name, std::string unit, std::string description, double value) {
    items_.push_back({std::move(name), std::move(unit), std::move(description), value});
  }
  [[nodiscard]] const std::vector<Statistic>& items() const { return items_; }

 private:
  std::vector<Statistic> items_;
};

}  // namespace cimsim
