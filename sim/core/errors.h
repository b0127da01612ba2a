// Typed errors of cimsim. Library code throws these; only main() catches them (style guide:
// typed exceptions, caught once) and maps them to exit codes: 2 for usage and configuration
// errors, 1 for everything that fails while running.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace cimsim {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A command line the program does not understand (exit code 2).
class UsageError : public Error {
 public:
  using Error::Error;
};

// An experiment file or override that does not validate (exit code 2).
class ConfigError : public Error {
 public:
  using Error::Error;
};

// A configuration that validated but cannot run once the mapping meets the chip (a mapping
// larger than the chip, a buffer smaller than a vector): it names the key at fault so that the
// command can point at where that key was set (file:line:col).
class KeyedConfigError : public ConfigError {
 public:
  KeyedConfigError(std::string key, const std::string& message)
      : ConfigError(key + ": " + message), key_(std::move(key)), message_(message) {}
  [[nodiscard]] const std::string& key() const { return key_; }
  [[nodiscard]] const std::string& message() const { return message_; }

 private:
  std::string key_;
  std::string message_;
};

// A data file (npy, IDX, model weights, sectioned trace) that is missing or malformed (exit 1).
class DataError : public Error {
 public:
  using Error::Error;
};

// A run that cannot continue: an accumulator overflow, an interrupted run, an I/O failure (exit 1).
class RuntimeError : public Error {
 public:
  using Error::Error;
};

// A run stopped by SIGINT or SIGTERM (exit code 1).
class InterruptedError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

}  // namespace cimsim
