#include "models/tokenizer/added_tokens.h"

#include <algorithm>

namespace pevlm::tokenizer {

void AddedTokenMatcher::build(const std::vector<AddedToken>& tokens) {
  by_length_.clear();
  first_byte_.fill(false);
  for (const auto& t : tokens) {
    if (t.content.empty()) continue;
    by_length_.push_back(t);
    first_byte_[static_cast<uint8_t>(t.content[0])] = true;
  }
  std::stable_sort(by_length_.begin(), by_length_.end(),
                   [](const AddedToken& a, const AddedToken& b) { return a.content.size() > b.content.size(); });
}

AddedTokenMatcher::Match AddedTokenMatcher::find(std::string_view text, size_t from, bool allow_special) const {
  if (by_length_.empty()) return {};
  for (size_t i = from; i < text.size(); ++i) {
    if (!first_byte_[static_cast<uint8_t>(text[i])]) continue;
    const std::string_view rest = text.substr(i);
    for (const auto& t : by_length_) {
      if (t.special && !allow_special) continue;
      if (rest.size() >= t.content.size() && rest.compare(0, t.content.size(), t.content) == 0)
        return {i, t.content.size(), t.id};
    }
  }
  return {};
}

}  // namespace pevlm::tokenizer
