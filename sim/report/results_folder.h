// A results folder that appears only complete: files are written into a hidden staging folder
// beside the destination, which is renamed into place by commit(). A run that fails or is
// interrupted leaves at most a ".<name>.partial-<pid>" folder, never a complete-looking one.
#pragma once

#include <filesystem>
#include <string>

namespace cimsim {

// Writes a whole file or throws RuntimeError naming it.
void write_text_file(const std::filesystem::path& file, const std::string& content);
// Writes a whole file beside its destination and renames it into place: a reader sees the old
// file or the new one, never half of one (weight traces, the optimizer's journal and chosen file).
void write_text_file_atomically(const std::filesystem::path& file, const std::string& content);

class ResultsFolder {
 public:
  explicit ResultsFolder(const std::filesystem::path& destination);
  ~ResultsFolder();
  ResultsFolder(const ResultsFolder&) = delete;
  ResultsFolder& operator=(const ResultsFolder&) = delete;

  [[nodiscard]] const std::filesystem::path& staging() const { return staging_; }
  [[nodiscard]] const std::filesystem::path& destination() const { return destination_; }
  // Publishes the folder, replacing an earlier one at the destination.
  void commit();

 private:
  std::filesystem::path destination_;
  std::filesystem::path staging_;
  bool committed_ = false;
};

}  // namespace cimsim
