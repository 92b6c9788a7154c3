// A TokenLayout after token reduction (DESIGN.md "Token reduction as a stage"; issue 26): the kept
// tokens, in sequence order, keep their original full-attention position ids (gapped), as every
// reference implementation does (FastV modeling_llama.py: `position_ids = keep_indexs.unsqueeze(0)`;
// FastVID keeps the original ids of the kept and merged tokens). Spans shrink to their kept tokens; a
// span with none left vanishes (a frame may vanish), so any method's plan (PEVLM, Block, APE, Star) is
// built on the reduced layout unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "methods/token_layout.h"

namespace pevlm::reduction {

// `kept`: strictly increasing token indices of `layout`. Throws std::invalid_argument naming the
// offending entry when an index is out of range or the list is not strictly increasing, and when the
// question's last token (the one every reduction keeps: its logits answer) is dropped.
TokenLayout subset_layout(const TokenLayout& layout, const std::vector<int64_t>& kept);

// The token indices of every Frame span (the visual tokens a reduction may drop), in order.
std::vector<int64_t> frame_tokens(const TokenLayout& layout);

// Token counts of a layout for result rows: {"total", "visual", "frames"}.
nlohmann::json layout_counts(const TokenLayout& layout);

// kept + every non-frame token of `layout`, sorted: the full kept list of a reduction that selected
// `kept_visual` among the frame tokens. Throws when an entry of kept_visual is not a frame token.
std::vector<int64_t> with_non_visual(const TokenLayout& layout, const std::vector<int64_t>& kept_visual);

// Reductions treat every Frame-span token as a visual token they may drop or merge. Throws
// std::invalid_argument naming `who` (the reduction's label) and the first offending token when a frame span
// holds a token that is not one of the prompt's visual embedding slots: Qwen3-VL's frame spans carry their
// timestamp text and vision start/end tokens, which the references never prune (not supported yet).
void check_frame_tokens_are_visual(const TokenLayout& layout, const std::vector<int64_t>& visual_slots, const std::string& who);

}  // namespace pevlm::reduction
