#include "sim/report/results_folder.h"

#include <unistd.h>

#include <fstream>

#include "sim/core/errors.h"

namespace cimsim {

namespace fs = std::filesystem;

ResultsFolder::ResultsFolder(const fs::path& destination)
    : destination_(fs::absolute(destination).lexically_normal()) {
  if (destination_.filename().empty()) destination_ = destination_.parent_path();
  const std::string suffix = ".partial-" + std::to_string(::getpid());
  staging_ = destination_.parent_path() / ("." + destination_.filename().string() + suffix);
  std::error_code error;
  fs::remove_all(staging_, error);
  fs::create_directories(staging_, error);
  if (error) {
    throw RuntimeError("cannot create the results folder " + staging_.string() + ": " +
                       error.message());
  }
}

ResultsFolder::~ResultsFolder() {
  if (committed_) return;
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

void write_text_file(const fs::path& file, const std::string& content) {
  std::ofstream out(file, std::ios::binary);
  out << content;
  out.close();
  if (!out) throw RuntimeError("cannot write " + file.string());
}

void write_text_file_atomically(const fs::path& file, const std::string& content) {
  const fs::path staging = file.string() + ".partial-" + std::to_string(::getpid());
  std::error_code error;
  try {
    write_text_file(staging, content);
  } catch (const RuntimeError&) {
    fs::remove(staging, error);
    throw;
  }
  fs::rename(staging, file, error);
  if (error) {
    fs::remove(staging, error);
    throw RuntimeError("cannot rename " + staging.string() + " to " + file.string());
  }
}

void ResultsFolder::commit() {
  std::error_code error;
  fs::path previous;
  if (fs::exists(destination_)) {
    previous = destination_.parent_path() /
               ("." + destination_.filename().string() + ".old-" + std::to_string(::getpid()));
    fs::remove_all(previous, error);
    fs::rename(destination_, previous, error);
    if (error) {
      throw RuntimeError("cannot move the earlier results " + destination_.string() +
                         " aside: " + error.message());
    }
  }
  fs::rename(staging_, destination_, error);
  if (error) {
    throw RuntimeError("cannot publish the results folder " + destination_.string() + ": " +
                       error.message());
  }
  committed_ = true;
  if (!previous.empty()) fs::remove_all(previous, error);
}

}  // namespace cimsim
