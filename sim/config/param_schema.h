// The declared parameters of an experiment file: every key's dotted path, type, unit, default,
// valid range or choices, and description. Validation (config_loader) rejects anything not
// declared here, so this table is also the reference of the YAML format (docs/config.md).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cimsim {

enum class ParamType {
  kInt,         // integer scalar
  kReal,        // floating-point scalar
  kBool,        // true / false
  kString,      // free text
  kEnum,        // one of `choices`
  kPath,        // file or folder, relative to the experiment file
  kStringList,  // a list of strings (a single string is a list of one)
  kCountOrAll,  // a positive integer or "all"
  kAdcTable,    // list of {bits, energy_pj, latency_ns?, area_um2?}
  kVariants,    // list of {name, baseline?, set: {dotted.key: value}} (comparison runs)
  kLayers,      // list of {name, set: {dotted.key: value}}: per-layer settings (layer_settings.h)
};

struct ParamSpec {
  std::string path;  // dotted key path, e.g. "hardware.adc.bits"
  ParamType type = ParamType::kString;
  std::string default_yaml;  // default as YAML text; empty: see `required` / `derived`
  std::string unit;          // "ns", "bit", "pJ", ... ("" for dimensionless)
  std::string description;
  std::optional<double> min;  // inclusive bounds for kInt / kReal / kCountOrAll
  std::optional<double> max;
  std::vector<long long> allowed_ints;                // kInt: the only allowed values
  std::function<std::vector<std::string>()> choices;  // kEnum
  bool required = false;                              // must be given (no default)
  bool nullable = false;                              // may be absent or null ("not set")
  bool allow_infinity = false;  // kReal: also accepts inf (.inf in the resolved config)
  std::string derived;          // how the default follows from other keys, when it does
};

// Parameters a component declares where it is implemented (the chip's, in sim/hw): a static
// ParamDeclaration adds them to the schema under `group` (groups in name order, after the
// hardware keys of this file). ParamSpec builders for such declarations follow.
struct ParamDeclaration {
  ParamDeclaration(const std::string& group, std::function<void(std::vector<ParamSpec>&)> declare);
};
[[nodiscard]] ParamSpec int_param(std::string path, std::string def, std::string unit, double lo,
                                  double hi, std::string description);
[[nodiscard]] ParamSpec real_param(std::string path, std::string def, std::string unit, double lo,
                                   std::string description);
// A rate or capacity that may be .inf (unlimited), its default.
[[nodiscard]] ParamSpec unlimited_param(std::string path, std::string unit, double lo,
                                        std::string description);
[[nodiscard]] ParamSpec choice_param(std::string path, std::string def,
                                     std::function<std::vector<std::string>()> of,
                                     std::string description);

// The keys an entry of `layers` may set for one layer (each validated as its own declaration).
[[nodiscard]] const std::vector<std::string>& per_layer_keys();

// Items separated by ", ".
[[nodiscard]] std::string joined(const std::vector<std::string>& items);
// What a value of the spec must be ("an integer", "one of: a, b"), for errors and docs/config.md.
[[nodiscard]] std::string type_name(const ParamSpec& spec);
// Its valid range and unit ("in 1..16 [bit]"), or "" when it has none.
[[nodiscard]] std::string range_text(const ParamSpec& spec);

// docs/config.md: every parameter of the schema as Markdown tables, one per top-level section
// (`cimsim validate --print-schema`; tests/scripts check that the committed file equals it).
[[nodiscard]] std::string schema_markdown();

// Every declared parameter, in documentation order.
[[nodiscard]] const std::vector<ParamSpec>& parameter_schema();

// The spec at `path`, or nullptr.
[[nodiscard]] const ParamSpec* find_param(const std::string& path);

// Whether `path` is a section (a proper prefix of some parameter path).
[[nodiscard]] bool is_section(const std::string& path);

// The direct child key names of a section ("" = top level).
[[nodiscard]] std::vector<std::string> section_children(const std::string& section);

}  // namespace cimsim
