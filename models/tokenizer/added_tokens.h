// Added tokens (tokenizer.json "added_tokens"): matched in the raw text before normalisation and
// pre-tokenisation, leftmost-longest, never split. Compare tokenizers/src/tokenizer/added_vocabulary.rs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pevlm::tokenizer {

struct AddedToken {
  int32_t id = -1;
  std::string content;
  bool special = false;  // special tokens can be skipped when decoding and disabled when encoding
};

class AddedTokenMatcher {
 public:
  void build(const std::vector<AddedToken>& tokens);

  struct Match {
    size_t begin = std::string_view::npos;  // npos = no match
    size_t length = 0;
    int32_t id = -1;
  };
  // Leftmost-longest match in text[from..]; tokens with special = true are skipped unless
  // `allow_special`. Non-special added tokens always match (as in tokenizers with
  // split_special_tokens = true).
  Match find(std::string_view text, size_t from, bool allow_special) const;

 private:
  std::vector<AddedToken> by_length_;   // longest first
  std::array<bool, 256> first_byte_{};  // quick reject of positions
};

}  // namespace pevlm::tokenizer
