// The sentencepiece (unigram) vocabulary of the Universal Sentence Encoder lite (vocab.json:
// 8000 [piece, log-probability] pairs; the embedding table has 8002 rows) and a segmentation of
// text into its token ids.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace cimsim {

class UseTokenizer {
 public:
  static constexpr int kUnknown = 0;  // vocab.json's first piece stands for unknown characters

  // Reads vocab.json; DataError naming the file when it is not a list of [string, number or
  // null] pairs.
  // When `expected_sha256` is not empty the file must have that hash.
  explicit UseTokenizer(const std::filesystem::path& vocab_file,
                        const std::string& expected_sha256 = "");

  // Token ids of `text`: spaces become U+2581 and a U+2581 is prepended, as sentencepiece does;
  // then the segmentation with the largest sum of piece log-probabilities (Viterbi over all
  // pieces that match). A character that no piece covers becomes kUnknown, and a run of them
  // one kUnknown. Text is taken as UTF-8 without Unicode normalization.
  [[nodiscard]] std::vector<int> encode(const std::string& text) const;

  [[nodiscard]] const std::string& piece(int id) const {
    return pieces_.at(static_cast<std::size_t>(id));
  }
  [[nodiscard]] std::size_t size() const { return pieces_.size(); }

 private:
  std::vector<std::string> pieces_;
  std::vector<double> scores_;
  std::unordered_map<std::string, int> ids_;
  std::size_t longest_piece_ = 0;  // [bytes]
};

}  // namespace cimsim
