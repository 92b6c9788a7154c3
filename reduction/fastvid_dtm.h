// FastVID's density-based token merging (DTM), the two steps every reference variant shares (files and line
// numbers in fastvid_select.h):
//  - the density-peak score of a frame's candidate tokens (Qwen2.5-VL L1982-2013, LLaVA-Video L979-1006,
//    LLaVA-OneVision L974-987): distances / sqrt(D); density = exp(-mean of the 4 nearest squared distances) +
//    U(0, 1) * 1e-6; a token's indicator = its distance to the nearest denser token (the frame's largest distance
//    for the densest); score = indicator * density;
//  - the merge of a context set (Qwen L2023-2086, LLaVA-Video L1016-1056, LLaVA-OneVision L993-1006 and
//    L1043-1056): every token of a merge set goes to its most cosine-similar context token (argmax: the first on
//    ties); a context token becomes avg_w * itself + (1 - avg_w) * the mean of its tokens, avg_w =
//    max(1 / (count + 1), beta).
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace pevlm::reduction {

// The values of an integer tensor (indices), on the host.
std::vector<int64_t> fastvid_index_vector(const at::Tensor& t);

// x_ND [n, D] float32 -> score [n]. The noise draws n numbers from `gen` (one frame's row of the reference's
// torch.rand; the references draw frame after frame, or all frames' rows at once: the same stream). Below 4
// tokens the reference's topk(k=4) raises; here the nearest min(4, n).
at::Tensor fastvid_density_score(const at::Tensor& x_ND, at::Generator& gen);

struct ContextMerge {
  at::Tensor tokens_KD;  // the merged context tokens, in `context` order
  // Per context token: empty (nothing assigned: the token itself) or (token, weight) pairs over `tokens_ND`'s rows
  // -- avg_w on itself, (1 - avg_w) / count on each token assigned to it (itself too where the merge set holds it).
  std::vector<std::vector<std::pair<int64_t, float>>> sources;
};
// tokens_ND [N, D] float32 and its L2-normalised rows unit_ND; `merge` and `context` index its rows (Long).
ContextMerge fastvid_merge_context(const at::Tensor& tokens_ND, const at::Tensor& unit_ND, const at::Tensor& merge,
                                   const at::Tensor& context, double beta);

}  // namespace pevlm::reduction
