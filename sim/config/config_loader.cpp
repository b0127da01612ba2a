#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "sim/config/cross_checks.h"
#include "sim/config/param_schema.h"
#include "sim/config/resolved_config.h"
#include "sim/core/errors.h"

namespace cimsim {
namespace {

namespace fs = std::filesystem;

std::string where(const std::string& file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// A mapping key as text; YAML allows lists and mappings as keys, an experiment does not.
std::string plain_key(const YAML::Node& key, const std::string& where, const std::string& path) {
  if (!key.IsScalar()) {
    throw ConfigError(where + ": " + (path.empty() ? "top level" : path) +
                      ": expected a plain key, got a " + (key.IsMap() ? "mapping" : "list"));
  }
  return key.Scalar();
}

class Validator {
 public:
  explicit Validator(std::map<std::string, ConfigValue>& values) : values_(values) {}

  // Validates every key of a mapping node under `prefix` and records its values.
  void walk(const YAML::Node& node, const std::string& prefix, const std::string& file) {
    if (!node.IsMap()) {
      throw ConfigError(where(file, node) + ": " + (prefix.empty() ? "top level" : prefix) +
                        ": expected a mapping of keys");
    }
    for (const auto& item : node) {
      const std::string key = plain_key(item.first, where(file, item.first), prefix);
      const std::string path = prefix.empty() ? key : fmt::format("{}.{}", prefix, key);
      if (const ParamSpec* spec = find_param(path)) {
        set(*spec, item.second, where(file, item.first), file);
      } else if (is_section(path)) {
        walk(item.second, path, file);
      } else {
        const std::string suggestion = closest_match(key, section_children(prefix));
        throw ConfigError(where(file, item.first) + ": unknown key '" + path + "'" +
                          (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                          "; valid keys here: " + joined(section_children(prefix)));
      }
    }
  }

  void set(const ParamSpec& spec, const YAML::Node& value, const std::string& origin,
           const std::string& file) {
    values_[spec.path] = ConfigValue{normalize(spec, value, origin, file), origin};
  }

 private:
  [[noreturn]] static void fail(const std::string& origin, const ParamSpec& spec,
                                const std::string& message) {
    throw ConfigError(origin + ": " + spec.path + ": " + message);
  }

  static std::string scalar(const ParamSpec& spec, const YAML::Node& value,
                            const std::string& origin) {
    if (!value.IsScalar())
      fail(origin, spec,
           "expected " + type_name(spec) + ", got a " + (value.IsMap() ? "mapping" : "list"));
    return value.Scalar();
  }

  static YAML::Node normalize(const ParamSpec& spec, const YAML::Node& value,
                              const std::string& origin, const std::string& file) {
    if (value.IsNull()) {
      if (spec.nullable) return YAML::Node();
      fail(origin, spec, "expected " + type_name(spec) + ", got nothing");
    }
    switch (spec.type) {
      case ParamType::kInt:
        return YAML::Node(parse_int(spec, scalar(spec, value, origin), origin));
      case ParamType::kReal: {
        // Kept as text with 15 significant digits so the resolved config reads as typed.
        const double number = parse_real(spec, scalar(spec, value, origin), origin);
        if (std::isinf(number)) return YAML::Node(std::string(".inf"));
        char text[32];
        std::snprintf(text, sizeof text, "%.15g", number);
        return YAML::Node(std::string(text));
      }
      case ParamType::kBool: {
        bool flag = false;
        if (!YAML::convert<bool>::decode(value, flag)) {
          fail(origin, spec, "expected true or false, got '" + scalar(spec, value, origin) + "'");
        }
        return YAML::Node(flag);
      }
      case ParamType::kEnum: {
        const std::string text = scalar(spec, value, origin);
        const std::vector<std::string> choices = spec.choices();
        if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
          const std::string suggestion = closest_match(text, choices);
          fail(origin, spec,
               "'" + text + "' is not valid" +
                   (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                   "; expected one of: " + joined(choices));
        }
        return YAML::Node(text);
      }
      case ParamType::kPath: {
        const std::string text = scalar(spec, value, origin);
        if (text.empty()) fail(origin, spec, "expected a file path, got an empty string");
        fs::path resolved(text);
        if (resolved.is_relative()) {
          const fs::path base = file.empty() ? fs::current_path() : fs::path(file).parent_path();
          resolved = fs::absolute(base / resolved).lexically_normal();
        }
        return YAML::Node(resolved.string());
      }
      case ParamType::kStringList:
        return string_list(spec, value, origin);
      case ParamType::kCountOrAll: {
        const std::string text = scalar(spec, value, origin);
        if (text == "all") return YAML::Node(text);
        return YAML::Node(parse_int(spec, text, origin));
      }
      case ParamType::kAdcTable:
        return adc_table(spec, value, origin);
      case ParamType::kVariants:
        return variants(spec, value, origin);
      case ParamType::kLayers:
        return layers(spec, value, origin, file);
      case ParamType::kString:
        return YAML::Node(scalar(spec, value, origin));
    }
    return value;
  }

  static long long parse_int(const ParamSpec& spec, const std::string& text,
                             const std::string& origin) {
    static const std::regex kInteger("[+-]?[0-9]+");
    if (!std::regex_match(text, kInteger)) {
      fail(origin, spec, "expected " + type_name(spec) + ", got '" + text + "'");
    }
    errno = 0;
    const long long number = std::strtoll(text.c_str(), nullptr, 10);
    const bool in_range = errno == 0 && (!spec.min || number >= *spec.min) &&
                          (!spec.max || number <= *spec.max) &&
                          (spec.allowed_ints.empty() ||
                           std::count(spec.allowed_ints.begin(), spec.allowed_ints.end(), number));
    if (!in_range) fail(origin, spec, text + " is out of range: expected " + range_text(spec));
    return number;
  }

  static double parse_real(const ParamSpec& spec, const std::string& text,
                           const std::string& origin) {
    if (spec.allow_infinity) {
      static const std::regex kInfinity("\\+?\\.?(inf|Inf|INF|infinity)");
      if (std::regex_match(text, kInfinity)) return std::numeric_limits<double>::infinity();
    }
    char* end = nullptr;
    const double number = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(number)) {
      fail(origin, spec, "expected " + type_name(spec) + ", got '" + text + "'");
    }
    if ((spec.min && number < *spec.min) || (spec.max && number > *spec.max)) {
      fail(origin, spec, text + " is out of range: expected " + range_text(spec));
    }
    return number;
  }

  static YAML::Node string_list(const ParamSpec& spec, const YAML::Node& value,
                                const std::string& origin) {
    YAML::Node list(YAML::NodeType::Sequence);
    std::vector<YAML::Node> items;
    if (value.IsSequence()) {
      for (const auto& item : value) items.push_back(item);
    } else {
      items.push_back(value);
    }
    const std::vector<std::string> choices =
        spec.choices ? spec.choices() : std::vector<std::string>{};
    for (const auto& item : items) {
      const std::string text = scalar(spec, item, origin);
      if (!choices.empty() && std::find(choices.begin(), choices.end(), text) == choices.end()) {
        fail(origin, spec, "'" + text + "' is not valid; expected items from: " + joined(choices));
      }
      list.push_back(text);
    }
    return list;
  }

  static YAML::Node adc_table(const ParamSpec& spec, const YAML::Node& value,
                              const std::string& origin) {
    if (!value.IsSequence() || value.size() == 0) {
      fail(origin, spec, "expected " + type_name(spec) + " with at least one row");
    }
    YAML::Node table(YAML::NodeType::Sequence);
    for (std::size_t i = 0; i < value.size(); ++i) {
      const YAML::Node& row = value[i];
      const std::string row_origin = origin + " (row " + std::to_string(i) + ")";
      if (!row.IsMap()) fail(row_origin, spec, "expected a mapping {bits, energy_pj, ...}");
      YAML::Node out;
      for (const auto& item : row) {
        const std::string key = plain_key(item.first, row_origin, spec.path);
        ParamSpec field;
        field.path = spec.path + "[" + std::to_string(i) + "]." + key;
        if (key == "bits") {
          field.min = 1;
          field.max = 16;
          out[key] = parse_int(field, scalar(field, item.second, row_origin), row_origin);
        } else if (key == "energy_pj" || key == "latency_ns" || key == "area_um2") {
          field.min = 0;
          out[key] = parse_real(field, scalar(field, item.second, row_origin), row_origin);
        } else {
          const std::string suggestion =
              closest_match(key, {"bits", "energy_pj", "latency_ns", "area_um2"});
          fail(row_origin, spec,
               "unknown key '" + key + "'" +
                   (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                   "; expected bits, energy_pj, latency_ns, area_um2");
        }
      }
      if (!out["bits"] || !out["energy_pj"]) {
        fail(row_origin, spec, "each row needs bits and energy_pj");
      }
      table.push_back(out);
    }
    return table;
  }

  // Shape only: each variant's keys are validated like --set overrides when it is resolved.
  static YAML::Node variants(const ParamSpec& spec, const YAML::Node& value,
                             const std::string& origin) {
    if (!value.IsSequence() || value.size() == 0) {
      fail(origin, spec, "expected " + type_name(spec) + " with at least one variant");
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const YAML::Node& variant = value[i];
      const std::string where = origin + " (variant " + std::to_string(i) + ")";
      if (!variant.IsMap()) fail(where, spec, "expected a mapping {name, baseline, set}");
      for (const auto& item : variant) {
        const std::string key = plain_key(item.first, where, spec.path);
        if (key != "name" && key != "baseline" && key != "set") {
          const std::string suggestion = closest_match(key, {"name", "baseline", "set"});
          fail(where, spec,
               "unknown key '" + key + "'" +
                   (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                   "; expected name, baseline, set");
        }
      }
      if (!variant["name"] || !variant["name"].IsScalar() || variant["name"].Scalar().empty()) {
        fail(where, spec, "each variant needs a name");
      }
      const std::string name = variant["name"].Scalar();
      static const std::regex kSafeName("[A-Za-z0-9_.-]+");
      if (!std::regex_match(name, kSafeName)) {
        fail(where, spec,
             "variant name '" + name +
                 "' must be letters, digits, '_', '-' or '.' "
                 "(it names a results subfolder)");
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        fail(where, spec, "variant name '" + name + "' is used twice");
      }
      names.push_back(name);
      if (variant["set"] && !variant["set"].IsMap()) {
        fail(where, spec, "set: expected a mapping of dotted keys to values");
      }
      if (variant["set"]) {
        for (const auto& item : variant["set"])
          (void)plain_key(item.first, where, spec.path + ".set");
      }
      if (variant["baseline"] && !variant["baseline"].IsScalar()) {
        fail(where, spec, "baseline: expected the name of a variant");
      }
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i]["baseline"]) {
        const std::string base = value[i]["baseline"].as<std::string>();
        if (std::find(names.begin(), names.end(), base) == names.end()) {
          fail(origin + " (variant " + std::to_string(i) + ")", spec,
               "baseline '" + base + "' is not a variant; variants: " + joined(names));
        }
      }
    }
    return YAML::Clone(value);
  }

  // Each entry's keys are checked here, each value against its own key's declaration, so that
  // an error points at the value (file:line:col) as for any other key.
  static YAML::Node layers(const ParamSpec& spec, const YAML::Node& value,
                           const std::string& origin, const std::string& file) {
    if (!value.IsSequence() || value.size() == 0) {
      fail(origin, spec, "expected " + type_name(spec) + " with at least one layer");
    }
    const auto at = [&](const YAML::Node& node) {
      return file.empty() || node.Mark().line < 0 ? origin : where(file, node);
    };
    YAML::Node out(YAML::NodeType::Sequence);
    std::vector<std::string> names;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const YAML::Node& entry = value[i];
      const std::string here = at(entry) + " (layer entry " + std::to_string(i) + ")";
      if (!entry.IsMap()) fail(here, spec, "expected a mapping {name, set}");
      for (const auto& item : entry) {
        const std::string key = plain_key(item.first, here, spec.path);
        if (key != "name" && key != "set") {
          const std::string suggestion = closest_match(key, {"name", "set"});
          fail(at(item.first), spec,
               "unknown key '" + key + "'" +
                   (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                   "; expected name, set");
        }
      }
      if (!entry["name"] || !entry["name"].IsScalar() || entry["name"].Scalar().empty()) {
        fail(here, spec, "each entry needs the name of a layer");
      }
      const std::string name = entry["name"].Scalar();
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        fail(at(entry["name"]), spec, "layer '" + name + "' has two entries");
      }
      names.push_back(name);
      if (!entry["set"] || !entry["set"].IsMap() || entry["set"].size() == 0) {
        fail(here, spec, "set: expected a mapping of per-layer keys to values");
      }
      YAML::Node settings(YAML::NodeType::Map);
      for (const auto& item : entry["set"]) {
        const std::string key = plain_key(item.first, here, spec.path + ".set");
        const std::vector<std::string>& allowed = per_layer_keys();
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
          const std::string suggestion = closest_match(key, allowed);
          fail(at(item.first), spec,
               "'" + key + "' cannot be set per layer" +
                   (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                   "; per-layer keys: " + joined(allowed));
        }
        settings[key] = normalize(*find_param(key), item.second, at(item.first), file);
      }
      YAML::Node normalized(YAML::NodeType::Map);
      normalized["name"] = name;
      normalized["set"] = settings;
      out.push_back(normalized);
    }
    return out;
  }

  std::map<std::string, ConfigValue>& values_;
};

YAML::Node load_yaml(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file.string() + ": cannot open the experiment file");
  try {
    return YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file.string() + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
}

fs::path find_preset(const std::string& name, const fs::path& experiment_file,
                     const std::string& origin) {
  std::vector<fs::path> candidates;
  if (name.find('/') != std::string::npos || fs::path(name).extension() == ".yaml") {
    candidates.push_back(experiment_file.parent_path() / name);
    candidates.emplace_back(name);
  } else {
    if (const char* dir = std::getenv("CIMSIM_CONFIG_DIR")) {
      candidates.push_back(fs::path(dir) / "hardware" / (name + ".yaml"));
    }
    candidates.push_back(fs::path(CIMSIM_SOURCE_DIR) / "configs" / "hardware" / (name + ".yaml"));
  }
  // The error_code overload: a name the file system refuses (too long, a symlink loop, an
  // unreadable folder) is a preset that is not there, not a filesystem_error escaping the loader.
  for (const auto& candidate : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  std::string searched;
  for (const auto& candidate : candidates) searched += " " + candidate.string();
  throw ConfigError(origin + ": hardware.preset: no preset '" + name + "'; looked for:" + searched);
}

void apply_override(Validator& validator, const Override& o) {
  const std::string& key = o.key;
  const std::string& origin = o.origin;
  const ParamSpec* spec = find_param(key);
  if (spec == nullptr) {
    const std::string last = key.substr(key.rfind('.') + 1);
    const std::string section =
        key.find('.') == std::string::npos ? "" : key.substr(0, key.rfind('.'));
    const std::string suggestion = closest_match(last, section_children(section));
    throw ConfigError(
        origin + ": unknown key '" + key + "'" +
        (suggestion.empty() ? "" : " (did you mean '" + section + "." + suggestion + "'?)"));
  }
  validator.set(*spec, o.value, origin, "");
}

void fill_defaults(std::map<std::string, ConfigValue>& values, const fs::path& file) {
  for (const ParamSpec& spec : parameter_schema()) {
    if (values.count(spec.path) != 0) continue;
    if (spec.required) {
      throw ConfigError(file.string() + ": missing required key '" + spec.path + "' (" +
                        spec.description + ")");
    }
    YAML::Node node;
    if (!spec.default_yaml.empty()) {
      Validator validator(values);
      validator.set(spec, YAML::Load(spec.default_yaml), "default", file.string());
      values[spec.path].origin = "default";
      continue;
    }
    if (spec.path == "name") node = YAML::Node(file.stem().string());
    if (spec.path == "hardware.adc.per_crossbar") node = values.at("hardware.crossbar.cols").node;
    if (spec.path == "mapping.section_rows") node = values.at("hardware.crossbar.rows").node;
    if (spec.path == "outputs.dir") {
      node = YAML::Node((fs::current_path() / "out" / values.at("name").node.as<std::string>())
                            .lexically_normal()
                            .string());
    }
    values[spec.path] = ConfigValue{node, spec.derived.empty() ? "default" : "derived"};
  }
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // Levenshtein distance: small enough to write here; no Debian library offers it for C++.
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    // A word that is the start of a key ("energy" for "energy_pj") is as good as a near miss.
    const bool prefix = word.size() >= 3 && candidate.rfind(word, 0) == 0;
    const std::size_t d = prefix ? 1 : distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

Override parse_override(const std::string& text) {
  const std::string origin = "--set " + text;
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw ConfigError(origin + ": expected key.path=value");
  Override o{text.substr(0, eq), YAML::Node(), origin};
  try {
    o.value = YAML::Load(text.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError(origin + ": cannot parse the value: " + e.msg);
  }
  return o;
}

ResolvedConfig load_config(const fs::path& file, const std::vector<std::string>& overrides) {
  std::vector<Override> parsed;
  parsed.reserve(overrides.size());
  for (const std::string& text : overrides) parsed.push_back(parse_override(text));
  return load_config_with(file, parsed);
}

ResolvedConfig load_config_with(const fs::path& file, const std::vector<Override>& overrides) {
  ResolvedConfig config;
  config.file = fs::absolute(file).lexically_normal();
  config.overrides = overrides;
  const YAML::Node root = load_yaml(config.file);
  if (root.IsNull()) throw ConfigError(file.string() + ": the experiment file is empty");

  // Precedence, lowest first: defaults, the hardware preset, the experiment file, --set.
  std::map<std::string, ConfigValue> from_file;
  Validator(from_file).walk(root, "", config.file.string());
  std::map<std::string, ConfigValue> overridden;
  Validator override_validator(overridden);
  for (const Override& o : overrides) apply_override(override_validator, o);

  std::map<std::string, ConfigValue>& values = config.values;
  const auto preset = overridden.count("hardware.preset")  ? overridden.at("hardware.preset")
                      : from_file.count("hardware.preset") ? from_file.at("hardware.preset")
                                                           : ConfigValue{};
  if (preset.node && !preset.node.IsNull()) {
    const fs::path preset_file =
        find_preset(preset.node.as<std::string>(), config.file, preset.origin);
    const YAML::Node preset_root = load_yaml(preset_file);
    if (!preset_root.IsMap() || !preset_root["hardware"]) {
      throw ConfigError(preset_file.string() + ": a hardware preset holds one 'hardware:' mapping");
    }
    YAML::Node hardware_only;
    hardware_only["hardware"] = preset_root["hardware"];
    Validator(values).walk(hardware_only, "", preset_file.string());
    if (values.count("hardware.preset")) {
      throw ConfigError(values.at("hardware.preset").origin +
                        ": hardware.preset: a preset cannot include another preset");
    }
  }
  for (auto& [path, value] : from_file) values[path] = value;
  for (auto& [path, value] : overridden) values[path] = value;
  fill_defaults(values, config.file);
  check_cross_field_rules(config);
  return config;
}

}  // namespace cimsim
