// FastVID's parameters and its per-frame token budgets (STPrune), torch-free so they are tested by hand.
//
// Reference: github LunarShen/FastVID (a40a109). The two families differ in the reference and both are kept:
//  - Qwen2.5-VL: fastvid_qwen25vl/lmms-eval/lmms_eval/models/qwenvlutils/modeling_qwen2_5_vl.py,
//    Qwen2_5_VLForConditionalGeneration.forward L1919-1968. A "frame" is a temporal patch (2 video frames: the
//    reference segments and prunes video_grid_thw's t axis). Context >= 1 per segment; inside a multi-frame
//    segment the frames are grouped again where adjacent similarity < `ignore` (0.95) and only the LAST frame of
//    each such sub-segment gets tokens (salient split evenly over sub-segments, context over every p-th
//    sub-segment counted from the end, each capped at frame_tokens // 2, salient at frame_tokens - context).
//    Defaults: fastvid_qwen25vl/scripts/eval.sh (retention 0.27, c 8, tau 0.84, ignore 0.95, d 0.4, p 4,
//    beta 0.6; "a 27 % retention ratio ended up retaining 24.1 % of tokens in practice").
//  - LLaVA-Video: fastvid_llavavideo/LLaVA-NeXT/llava/model/language_model/modeling_qwen2.py, Qwen2Model.forward
//    L933-967: salient split evenly over every frame of the segment, context over every p-th frame counted from
//    the end, no caps, no `ignore`. Defaults: fastvid_llavavideo/scripts/eval.sh and lmms_eval/models/
//    llava_vid.py L78-83 (retention 0.10, c 8, tau 0.9, d 0.4, p 4, beta 0.6) -- the same as the
//    LLaVA-OneVision code (fastvid_llavaonevision/scripts/eval.sh).
//  - LLaVA-OneVision: fastvid_llavaonevision/LLaVA-NeXT/llava/model/language_model/modeling_qwen2.py,
//    Qwen2Model.forward L926-954, for the bilinear-pooled frames with one newline after the video: every frame
//    keeps frame_retain - int(frame_retain * d) salient tokens; the rest (frame_context) becomes context tokens
//    on every p-th frame of a segment counted from its end, frame_context * len // ceil(len / p) each
//    (fastvid_onevision_budget). Same defaults as LLaVA-Video.
// Python's int() truncation and floor // and % are kept (a budget can go negative when retention rounds a
// frame's budget to 0 in the Qwen code, whose context is at least 1; such frames then keep nothing).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm::reduction {

enum class FastvidVariant { Qwen2_5VL, LlavaVideo, LlavaOnevision };
const char* fastvid_variant_name(FastvidVariant variant);

struct FastvidParams {
  FastvidVariant variant = FastvidVariant::Qwen2_5VL;
  double retention = 0.27;  // fastvid_retention_ratio: kept fraction of each frame's tokens
  int64_t c = 8;            // fastvid_DySeg_c: at least c segments (cuts at the c - 1 lowest similarities)
  double tau = 0.84;        // fastvid_DySeg_tau: also cut where adjacent similarity < tau
  double ignore = 0.95;     // fastvid_DySeg_ignore (Qwen2.5-VL only): sub-segments inside a segment
  double d = 0.4;           // fastvid_STPrune_d: context share of a segment's budget
  int64_t p = 4;            // fastvid_DTM_p: context tokens on every p-th frame
  double beta = 0.6;        // fastvid_DTM_beta: a merged context token keeps at least beta of itself
  uint64_t seed = 0;        // the density tie-break noise (torch.rand * 1e-6) draws from a CPU generator seeded so
};
// The reference's defaults for the family (see above).
FastvidParams fastvid_defaults(FastvidVariant variant);

// The reference's defaults (above) overridden by `params` keys retention, c, tau, ignore, d, p, beta, seed.
// `reference` is a VideoLM family name ("qwen2_5_vl", "llava_video") or the variant a model's signals name
// ("llava_onevision", VideoLM::encode_with_fastvid_signals); others are an error naming the families.
FastvidParams fastvid_params(const std::string& reference, const nlohmann::json& params);
// {"variant", "retention", "c", "tau", "ignore" (Qwen2.5-VL only), "d", "p", "beta", "seed"} (rows record it).
nlohmann::json fastvid_params_json(const FastvidParams& params);

// int(frame_tokens * retention), both references (Qwen L1919, LLaVA-Video L933).
int64_t fastvid_frame_retain(const FastvidParams& params, int64_t frame_tokens);

struct FrameBudgets {
  std::vector<int64_t> salient;  // per frame of the segment
  std::vector<int64_t> context;
};
// The per-frame salient and context counts of one segment of `segment_frames` frames of `frame_tokens` tokens.
// `sub_segments`: the sizes of the segment's `ignore` sub-segments (Qwen2.5-VL, read when segment_frames > 1;
// they sum to segment_frames). Throws std::invalid_argument when they do not, or when p < 1.
FrameBudgets fastvid_frame_budgets(const FastvidParams& params, int64_t segment_frames, int64_t frame_tokens,
                                   const std::vector<int64_t>& sub_segments);

// The LLaVA-OneVision variant's counts for a video of `segment_sizes` (DySeg) frames of `frame_tokens` tokens.
struct OnevisionBudget {
  int64_t salient = 0;                 // per frame, every frame
  int64_t frame_context = 0;           // a single-frame segment's context count
  std::vector<int64_t> context;        // per frame: frame_context * len // ceil(len / p) on the anchors, else 0
};
OnevisionBudget fastvid_onevision_budget(const FastvidParams& params, const std::vector<int64_t>& segment_sizes,
                                         int64_t frame_tokens);

}  // namespace pevlm::reduction
