#include "sim/encoding/weight_encoding.h"

#include <map>
#include <memory>
#include <mutex>

namespace cimsim {

const WeightEncoding& weight_encoding(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<WeightEncoding>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[name];
  if (!slot) slot = WeightEncodingRegistry::instance().create(name);
  return *slot;
}

}  // namespace cimsim
