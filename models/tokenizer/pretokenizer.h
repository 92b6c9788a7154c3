// Regex pre-tokenizer: splits normalised text into the words that BPE encodes independently
// (tokenizers' Split pre-tokenizer with behavior "Isolated": matches and the gaps between them
// both become words).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pevlm::tokenizer {

// Qwen2 / Qwen2.5 pre-tokenizer pattern (tokenizer.json pre_tokenizer.pretokenizers[0].pattern.Regex);
// digits are split one at a time. See reference/qwen2_5_vl.md, Tokenizer.
inline constexpr const char* kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// GPT-2's pattern, used by a ByteLevel pre-tokenizer with use_regex = true.
inline constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// A compiled PCRE2 pattern (UTF + UCP, so \p{L}, \s follow Unicode like Oniguruma in tokenizers),
// JIT-compiled when available. Thread-safe: each call uses thread-local match data.
class RegexSplitter {
 public:
  // Throws std::invalid_argument naming the pattern and the PCRE2 error on a bad pattern.
  explicit RegexSplitter(std::string pattern);
  ~RegexSplitter();
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;

  // Appends the words of `text` (valid UTF-8) to `out`; their concatenation is `text`.
  void split(std::string_view text, std::vector<std::string_view>& out) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Compiled;
  std::string pattern_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace pevlm::tokenizer
