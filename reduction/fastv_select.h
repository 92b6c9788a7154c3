// FastV's token selection (ECCV 2024; github pkunlp-icler/FastV), torch-free so it is tested by hand.
//
// Reference: src/transformers/src/transformers/models/llama/modeling_llama.py (LlamaModel.forward, the
// `USE_FAST_V and FASTV_INPLACE` branch, ~L729-761) and src/FastV/lmms-eval/fastv_kvcache.py
// (FastVLlamaModel.forward, ~L112-125):
//   image_attention_score = last_attention.mean(dim=1)[0][-1][sys : sys + image]   (mean over heads,
//                                                                                    the last token's row)
//   top = image_attention_score.topk(int(image * ratio)).indices + sys
//   keep = cat(arange(sys), top, arange(sys + image, L)).sort()        (sequence order)
//   hidden_states = hidden_states[:, keep];  position_ids = keep          (original, gapped positions)
// taken at layer K from the attention of layer K-1 (K = 2, R = 50 % in the paper; `ratio` is the kept
// fraction 1 - R). The "image" tokens are the video's Frame spans here (their union, in order; a frame's
// trailing newline token is part of its span, as LLaVA's image_newline is part of the image features).
#pragma once

#include <cstdint>
#include <vector>

#include "methods/token_layout.h"

namespace pevlm::reduction {

// The number of visual tokens FastV keeps: int(visual * (1 - r)) in double arithmetic, i.e. Python's
// int(576 * ratio) truncation (fastv_kvcache.py L125). Throws std::invalid_argument unless 0 <= r < 1.
int64_t fastv_keep_count(int64_t visual, double r);

// The kept tokens of `layout` (every non-frame token + the fastv_keep_count(N_v, r) frame tokens with the
// highest `scores`), strictly increasing. scores[i] is the score of token i (size layout.length; only the
// frame tokens' entries are read). Ties are broken towards the earlier token (torch.topk leaves the order of
// equal values unspecified). Throws std::invalid_argument when scores has the wrong size.
std::vector<int64_t> fastv_select(const TokenLayout& layout, const std::vector<float>& scores, double r);

}  // namespace pevlm::reduction
