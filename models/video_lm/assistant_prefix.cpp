#include "models/video_lm/assistant_prefix.h"

#include <cctype>
#include <stdexcept>

#include "models/tokenizer/tokenizer.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {

void append_assistant_prefix(VideoPrompt& prompt, const tokenizer::Tokenizer& tokenizer, const std::string& prefix) {
  if (prefix.empty()) return;
  if (std::isspace(static_cast<unsigned char>(prefix.front())))
    throw std::invalid_argument("assistant prefix \"" + prefix +
                                "\" starts with whitespace: its tokens would differ from the rendered prompt's");
  TokenLayout& layout = prompt.layout;
  if (layout.length < 1 || int64_t(prompt.ids.size()) != layout.length)
    throw std::invalid_argument("assistant prefix \"" + prefix + "\": the prompt has " + std::to_string(prompt.ids.size()) +
                                " ids and a layout of " + std::to_string(layout.length) + " tokens");
  const std::vector<int32_t> added = tokenizer.encode(prefix, /*allow_special=*/false);
  const int64_t old_len = layout.length;
  const int64_t new_len = old_len + int64_t(added.size());
  PositionIds positions(layout.positions.axes, new_len);
  for (int a = 0; a < positions.axes; ++a) {
    for (int64_t i = 0; i < old_len; ++i) positions.at(a, i) = layout.positions.at(a, i);
    const int64_t last = layout.positions.at(a, old_len - 1);
    for (int64_t j = 0; j < int64_t(added.size()); ++j) positions.at(a, old_len + j) = last + 1 + j;
  }
  // Text after the video keeps the same id on every axis (get_rope_index), so the continuation must start
  // from one id; a prompt ending inside the video would need the max + 1 rule instead.
  for (int a = 1; a < positions.axes; ++a)
    if (layout.positions.at(a, old_len - 1) != layout.positions.at(0, old_len - 1))
      throw std::invalid_argument("assistant prefix \"" + prefix + "\": the prompt does not end with text (its last token's position ids differ per axis)");
  layout.positions = std::move(positions);
  if (layout.spans.empty() || layout.spans.back().kind != SpanKind::Question)
    layout.spans.push_back(Span{SpanKind::Question, old_len, old_len, -1});
  layout.spans.back().end = new_len;
  layout.length = new_len;
  for (int32_t id : added) prompt.ids.push_back(id);
  prompt.text += prefix;
  layout.validate();
}

}  // namespace pevlm
