#include "models/use_lite/tokenizer.h"

#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>

#include "sim/core/errors.h"
#include "sim/io/sha256.h"

namespace cimsim {
namespace {

const std::string kWordStart = "\xE2\x96\x81";  // U+2581, sentencepiece's word boundary

// Bytes of the UTF-8 character that starts with `lead` (1 for a stray continuation byte).
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Control pieces that must never match ordinary text ("<s>", "</s>", extra_token_id_N).
bool is_control(const std::string& piece) {
  return piece == "<s>" || piece == "</s>" || piece.rfind("extra_token_id_", 0) == 0;
}

}  // namespace

UseTokenizer::UseTokenizer(const std::filesystem::path& vocab_file,
                           const std::string& expected_sha256) {
  std::ifstream in(vocab_file, std::ios::binary);
  if (!in) {
    throw DataError(vocab_file.string() +
                    ": cannot open the vocabulary; re-run scripts/setup.sh, which fetches it");
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!expected_sha256.empty()) {
    check_sha256(vocab_file, sha256_hex(text.data(), text.size()), expected_sha256,
                 "re-run scripts/setup.sh, which fetches the model");
  }
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(vocab_file.string() + ": not valid JSON: " + e.what());
  }
  if (!root.is_array() || root.empty()) {
    throw DataError(vocab_file.string() + ": expected a non-empty list of [piece, score] pairs");
  }
  for (std::size_t i = 0; i < root.size(); ++i) {
    const nlohmann::json& entry = root[i];
    // The published vocab.json has null scores for some pieces with ':' (an artefact of its
    // conversion); JavaScript's tokenizer adds null as 0, and so does this one.
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() ||
        !(entry[1].is_number() || entry[1].is_null())) {
      throw DataError(vocab_file.string() + ": entry " + std::to_string(i) +
                      " is not a [string, number] pair");
    }
    pieces_.push_back(entry[0].get<std::string>());
    scores_.push_back(entry[1].is_null() ? 0.0 : entry[1].get<double>());
    if (i != static_cast<std::size_t>(kUnknown) && !is_control(pieces_.back()) &&
        !pieces_.back().empty()) {
      ids_.emplace(pieces_.back(), static_cast<int>(i));  // the first of duplicates wins
      longest_piece_ = std::max(longest_piece_, pieces_.back().size());
    }
  }
}

std::vector<int> UseTokenizer::encode(const std::string& text) const {
  std::string input = kWordStart;
  for (char c : text) input += c == ' ' ? kWordStart : std::string(1, c);
  const std::size_t n = input.size();
  constexpr double kUnreached = -std::numeric_limits<double>::infinity();
  // An unknown character costs more than any piece, so that pieces win wherever they cover.
  constexpr double kUnknownScore = -100.0;
  std::vector<double> best(n + 1, kUnreached);
  std::vector<std::size_t> from(n + 1, 0);
  std::vector<int> token(n + 1, kUnknown);
  best[0] = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (best[i] == kUnreached) continue;
    for (std::size_t len = 1; len <= longest_piece_ && i + len <= n; ++len) {
      const auto it = ids_.find(input.substr(i, len));
      if (it == ids_.end()) continue;
      const double score = best[i] + scores_[static_cast<std::size_t>(it->second)];
      if (score > best[i + len]) {
        best[i + len] = score;
        from[i + len] = i;
        token[i + len] = it->second;
      }
    }
    const std::size_t step = std::min(n - i, utf8_length(static_cast<unsigned char>(input[i])));
    if (best[i] + kUnknownScore > best[i + step]) {
      best[i + step] = best[i] + kUnknownScore;
      from[i + step] = i;
      token[i + step] = kUnknown;
    }
  }
  std::vector<int> reversed;
  for (std::size_t end = n; end > 0; end = from[end]) {
    if (!(token[end] == kUnknown && !reversed.empty() && reversed.back() == kUnknown)) {
      reversed.push_back(token[end]);
    }
  }
  return {reversed.rbegin(), reversed.rend()};
}

}  // namespace cimsim
