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

// `kept`: strictly increasing token indices of `layout`; a frame's kept non-visual tokens stay its
// lead / tail, a frame left without visual tokens becomes text. Throws std::invalid_argument naming the
// offending entry when an index is out of range or the list is not strictly increasing, and when the
// question's last token (the one every reduction keeps: its logits answer) is dropped.
TokenLayout subset_layout(const TokenLayout& layout, const std::vector<int64_t>& kept);

// The visual token indices of every Frame span ([visual_begin, visual_end): what a reduction may
// drop), in order.
std::vector<int64_t> frame_tokens(const TokenLayout& layout);

// Token counts of a layout for result rows: {"total", "visual", "frames"}.
nlohmann::json layout_counts(const TokenLayout& layout);

// kept + every non-frame token of `layout`, sorted: the full kept list of a reduction that selected
// `kept_visual` among the frame tokens. Throws when an entry of kept_visual is not a frame token.
std::vector<int64_t> with_non_visual(const TokenLayout& layout, const std::vector<int64_t>& kept_visual);

// Reductions drop or merge the visual tokens of frame spans ([visual_begin, visual_end): Qwen3-VL's
// timestamp and vision start/end tokens stay, as its pads are what a pruning method prunes). Throws
// std::invalid_argument naming `who` (the reduction's label) and the first offending token when one of
// those is not one of the prompt's visual embedding slots (a layout that does not mark its non-visual
// frame tokens).
void check_frame_tokens_are_visual(const TokenLayout& layout, const std::vector<int64_t>& visual_slots, const std::string& who);

}  // namespace pevlm::reduction
