// A registry of named implementations of one component interface (ADC energy model, mapping
// policy, weight encoding, ...). Each implementation registers itself from its own .cpp file with
// a static Registrar, so adding a kind of component touches one file. The library is an OBJECT
// library so that the linker keeps those registrars.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/errors.h"

namespace cimsim {

template <typename Interface, typename... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Interface>(Args...)>;

  struct Entry {
    std::string name;
    std::string description;
    Factory factory;
  };

  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  void add(const std::string& name, const std::string& description, Factory factory) {
    entries_[name] = Entry{name, description, std::move(factory)};
  }

  [[nodiscard]] bool contains(const std::string& name) const { return entries_.count(name) > 0; }

  [[nodiscard]] std::unique_ptr<Interface> create(const std::string& name, Args... args) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      throw ConfigError("unknown " + std::string(Interface::kKind) + " '" + name +
                        "'; registered: " + joined_names());
    }
    return it->second.factory(std::forward<Args>(args)...);
  }

  [[nodiscard]] std::vector<Entry> entries() const {
    std::vector<Entry> out;
    for (const auto& [name, entry] : entries_) out.push_back(entry);
    return out;
  }

  [[nodiscard]] std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }

  [[nodiscard]] std::string joined_names() const {
    std::string out;
    for (const auto& [name, entry] : entries_) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

 private:
  std::map<std::string, Entry> entries_;
};

// Registers one implementation at static-initialisation time:
//   static const Registrar<AdcEnergyModel, const Params&> reg("walden", "...", factory);
template <typename Interface, typename... Args>
struct Registrar {
  Registrar(const std::string& name, const std::string& description,
            typename Registry<Interface, Args...>::Factory factory) {
    Registry<Interface, Args...>::instance().add(name, description, std::move(factory));
  }
};

}  // namespace cimsim
