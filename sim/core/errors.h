// Typed errors of cimsim. Library code throws these; only main() catches them (style guide:
// typed exceptions, caught once) and maps them to exit codes: 2 for usage and configuration
// errors, 1 for everything that fails while running.
#pragma once

#include <stdexcept>
#include <string>

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
