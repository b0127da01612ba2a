#include "sim/config/resolved_config.h"

#include <sstream>

#include "sim/core/errors.h"

namespace cimsim {

const ConfigValue& ResolvedConfig::at(const std::string& path) const {
  auto it = values.find(path);
  if (it == values.end()) throw ConfigError("internal: configuration key '" + path + "' unknown");
  return it->second;
}

bool ResolvedConfig::is_set(const std::string& path) const {
  auto it = values.find(path);
  return it != values.end() && it->second.node && !it->second.node.IsNull();
}

long long ResolvedConfig::get_int(const std::string& path) const {
  return at(path).node.as<long long>();
}

double ResolvedConfig::get_real(const std::string& path) const {
  return at(path).node.as<double>();
}

std::optional<double> ResolvedConfig::get_optional_real(const std::string& path) const {
  if (!is_set(path)) return std::nullopt;
  return get_real(path);
}

bool ResolvedConfig::get_bool(const std::string& path) const { return at(path).node.as<bool>(); }

std::string ResolvedConfig::get_string(const std::string& path) const {
  if (!is_set(path)) return "";
  return at(path).node.as<std::string>();
}

std::vector<std::string> ResolvedConfig::get_list(const std::string& path) const {
  std::vector<std::string> out;
  if (!is_set(path)) return out;
  for (const auto& item : at(path).node) out.push_back(item.as<std::string>());
  return out;
}

const YAML::Node& ResolvedConfig::node(const std::string& path) const { return at(path).node; }

const std::string& ResolvedConfig::origin(const std::string& path) const { return at(path).origin; }

std::string ResolvedConfig::error_at(const std::string& path, const std::string& message) const {
  const std::string& where = origin(path);
  const std::string place =
      (where == "default" || where == "derived") ? file.string() + " (" + where + " value)" : where;
  return place + ": " + path + ": " + message;
}

YAML::Node ResolvedConfig::to_yaml() const {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& [path, value] : values) {
    // Walk down the dotted path, creating mappings as needed.
    std::vector<std::string> keys;
    std::stringstream stream(path);
    for (std::string key; std::getline(stream, key, '.');) keys.push_back(key);
    YAML::Node cursor = root;
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
      if (!cursor[keys[i]]) cursor[keys[i]] = YAML::Node(YAML::NodeType::Map);
      cursor.reset(cursor[keys[i]]);
    }
    cursor[keys.back()] = value.node ? YAML::Clone(value.node) : YAML::Node();
  }
  return root;
}

}  // namespace cimsim

namespace cimsim {

std::string ResolvedConfig::to_yaml_text() const {
  YAML::Emitter out;
  out.SetDoublePrecision(15);
  out.SetFloatPrecision(15);
  out << to_yaml();
  return std::string(out.c_str()) + "\n";
}

}  // namespace cimsim
