// A fully resolved experiment configuration: every declared parameter (param_schema.h) with its
// validated value and where that value came from (a file position, a --set override, a preset or
// the default). Built by load_config(); turned into typed settings by experiment.h.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace cimsim {

// bugprone-exception-escape: YAML::Node has no move operations, and its copy assignment throws
// only for an invalid node, which a loaded value never is.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct ConfigValue {
  YAML::Node node;     // normalized value; Null when not set
  std::string origin;  // "exp.yaml:7:5", "--set hardware.adc.bits=6", "default", ...
};

// One override of a key, its value parsed once: from `--set key=value` text, or a comparison
// variant's `set:` entry, taken from the experiment file as it is (never printed and read back).
// NOLINTNEXTLINE(bugprone-exception-escape): as ConfigValue's (YAML::Node).
struct Override {
  std::string key;
  YAML::Node value;
  std::string origin;  // "--set hardware.adc.bits=6", or the entry's file:line:col
};

// `--set` text as an Override; ConfigError when it is not key.path=value or not YAML.
[[nodiscard]] Override parse_override(const std::string& text);

class ResolvedConfig {
 public:
  std::filesystem::path file;       // the experiment file
  std::vector<Override> overrides;  // the overrides it was loaded with, in order
  std::map<std::string, ConfigValue> values;

  [[nodiscard]] bool is_set(const std::string& path) const;
  [[nodiscard]] long long get_int(const std::string& path) const;
  [[nodiscard]] double get_real(const std::string& path) const;
  [[nodiscard]] std::optional<double> get_optional_real(const std::string& path) const;
  [[nodiscard]] bool get_bool(const std::string& path) const;
  [[nodiscard]] std::string get_string(const std::string& path) const;
  [[nodiscard]] std::vector<std::string> get_list(const std::string& path) const;
  [[nodiscard]] const YAML::Node& node(const std::string& path) const;
  [[nodiscard]] const std::string& origin(const std::string& path) const;

  // "origin: path: message", the form of every configuration error.
  [[nodiscard]] std::string error_at(const std::string& path, const std::string& message) const;

  // The nested YAML document of every value (null values included as ~).
  [[nodiscard]] YAML::Node to_yaml() const;
  // to_yaml() as text, numbers with 15 significant digits (exact for any decimal a user types).
  [[nodiscard]] std::string to_yaml_text() const;

 private:
  [[nodiscard]] const ConfigValue& at(const std::string& path) const;
};

// Loads an experiment file, its hardware preset and the --set overrides ("key.path=value"),
// validates every key against the schema, fills the defaults and checks the cross-field rules.
// Throws ConfigError with file:line:col, the dotted key path, what was expected and the choices.
[[nodiscard]] ResolvedConfig load_config(const std::filesystem::path& file,
                                         const std::vector<std::string>& overrides = {});
// The same with overrides already parsed (later ones win).
[[nodiscard]] ResolvedConfig load_config_with(const std::filesystem::path& file,
                                              const std::vector<Override>& overrides);

// Closest candidate within a small edit distance, or "".
[[nodiscard]] std::string closest_match(const std::string& word,
                                        const std::vector<std::string>& candidates);

}  // namespace cimsim
