// A user-given table of energy per conversion (and optionally latency and area) per bit-width,
// for ADCs measured or modelled elsewhere. Lookup is by exact bits: interpolating between rows
// would invent a scaling law, which is exactly what choosing a model is about.
#include <cmath>
#include <map>

#include "sim/energy/adc_energy_model.h"

namespace cimsim {
namespace {

constexpr const char* kName = "table";
constexpr const char* kKey = "hardware.adc.energy.table";

bool positive(const std::optional<double>& value) {
  return !value || (*value > 0.0 && std::isfinite(*value));
}

class TableAdcModel final : public AdcEnergyModel {
 public:
  explicit TableAdcModel(const AdcEnergyParams& params) {
    if (params.table.empty()) {
      throw ConfigError(std::string(kKey) +
                        " is empty; the 'table' ADC energy model needs one "
                        "row {bits, energy_pj} per resolution it converts at");
    }
    for (const auto& row : params.table) {
      const std::string where = std::string(kKey) + " row bits=" + std::to_string(row.bits);
      if (row.bits < 1) throw ConfigError(where + ": bits must be at least 1");
      if (!(row.energy_pj >= 0.0) || !std::isfinite(row.energy_pj)) {
        throw ConfigError(where + ": energy_pj must be finite and non-negative, got " +
                          format_number(row.energy_pj));
      }
      if (!positive(row.latency_ns) || !positive(row.area_um2)) {
        throw ConfigError(where + ": latency_ns and area_um2 must be positive when given");
      }
      if (!rows_.emplace(row.bits, row).second) throw ConfigError(where + ": duplicate bits");
    }
  }

  [[nodiscard]] double conversion_energy_pj(int bits, double /*sample_rate_hz*/,
                                            ModelWarnings& /*warnings*/) const override {
    return row(bits).energy_pj;
  }

  [[nodiscard]] std::optional<double> area_um2(int bits, double /*sample_rate_hz*/) const override {
    return row(bits).area_um2;
  }

  [[nodiscard]] std::optional<double> latency_ns(int bits) const override {
    return row(bits).latency_ns;
  }

  [[nodiscard]] nlohmann::json describe() const override {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& [bits, entry] : rows_) {
      nlohmann::json json_row = {{"bits", bits}, {"energy_pj", entry.energy_pj}};
      if (entry.latency_ns) json_row["latency_ns"] = *entry.latency_ns;
      if (entry.area_um2) json_row["area_um2"] = *entry.area_um2;
      rows.push_back(json_row);
    }
    return {{"model", kName}, {"parameters", {{"table", rows}}}};
  }

 private:
  [[nodiscard]] const AdcTableRow& row(int bits) const {
    check_conversion_bits(kName, bits);
    const auto it = rows_.find(bits);
    if (it == rows_.end()) {
      throw ConfigError("ADC energy model 'table' has no row for " + std::to_string(bits) +
                        "-bit conversions (table bits: " + table_bits() +
                        "); add a row with "
                        "bits: " +
                        std::to_string(bits) + " to " + kKey);
    }
    return it->second;
  }

  [[nodiscard]] std::string table_bits() const {
    std::string out;
    for (const auto& [bits, entry] : rows_) out += (out.empty() ? "" : ", ") + std::to_string(bits);
    return out;
  }

  std::map<int, AdcTableRow> rows_;
};

const Registrar<AdcEnergyModel, const AdcEnergyParams&> kRegistrar(
    kName, "user table of energy_pj (optional latency_ns, area_um2) per exact bit-width",
    [](const AdcEnergyParams& params) { return std::make_unique<TableAdcModel>(params); });

}  // namespace
}  // namespace cimsim
