// Roofline cost model of one Qwen2.5-VL-style sample: FLOPs and bytes of every op of the vision
// tower, of LLM prefill under a method's token plan, and of decode. Time of an op on a device =
// max(FLOPs / (peak x efficiency of its kind), bytes / (bandwidth x bandwidth efficiency)).
// Shapes: transformers modeling_qwen2_5_vl.py (qwen2_5_vl.md in ../shared/reference).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/simulate/device_profile.h"

namespace pevlm {

struct VisionDims {
  int64_t depth = 32, hidden = 1280, heads = 16, intermediate = 3420;
  int64_t fullatt_blocks = 4;   // blocks with full attention over one temporal grid step
  int64_t window_tokens = 64;   // patches per attention window (112 px / 14 px = 8 per side)
  int64_t patch_dim = 1176;     // 3 x 2 x 14 x 14 (Conv3d as a matmul)
  int64_t merge = 4;            // 2 x 2 patches per LLM token
};

struct ModelDims {
  int64_t hidden = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0, intermediate = 0, vocab = 0;
  VisionDims vision;
  bool has_vision = false;  // model.config.vision was given
};

// From a result row's model.config (keys as in the row schema). Throws naming the row and key.
ModelDims model_dims_from_row(const nlohmann::json& row);
// Qwen2.5-VL-7B-Instruct (qwen2_5_vl.md).
ModelDims qwen2_5_vl_7b_dims();

// Who attends to whom, from a row's token counts: sink causal; each context block sees the sink
// plus itself causally; the question sees everything before it plus itself causally. A row
// without blocks and sink (full attention) is causal over all L tokens. `redundant_blocks`
// anchors re-encoded (Star recompute_anchor): each adds `sink` tokens of linear work and a causal
// sink square of attention.
struct PlanTokens {
  int64_t total = 0;
  int64_t sink = 0;
  std::vector<int64_t> blocks;
  int64_t question = 0;
  int64_t redundant_blocks = 0;
  // Data-dependent methods (issue 25; row "sparse"): the measured kept density (mean over layers and
  // heads) scales the causal pairs, and the estimator's FLOPs per layer are an attention-kind op.
  double kept_density = 1.0;
  double estimator_flops_per_layer = 0.0;
  int64_t processed_tokens() const { return total + redundant_blocks * sink; }
};
// Throws std::runtime_error naming `where` when sink + blocks + question != total (with blocks).
PlanTokens plan_tokens_from_row(const nlohmann::json& row);
// Exact (query, key) pairs attended in prefill, causal halves counted exactly (i >= j).
double attention_pairs(const PlanTokens& plan);
inline double causal_pairs(double n) { return n * (n + 1) / 2; }

enum class OpKind { Matmul, Attention, Memory };
struct OpCost {
  std::string name;
  OpKind kind = OpKind::Matmul;
  double flops = 0;
  double bytes = 0;
  double count = 1;  // identical repeats (e.g. per layer)
};

// A linear layer y = x W^T (+ b) over `tokens` rows: 2*tokens*in*out FLOPs; bytes = weights (+bias)
// + input + output, `bpe` bytes per element.
OpCost linear_op(const std::string& name, double tokens, int64_t in, int64_t out, bool bias, double bpe);

// One decoder layer of LLM prefill (counted once; the caller multiplies by layers): q/k/v, o,
// gate/up/down, attention (4 * heads * head_dim * pairs FLOPs; Q, K, V, O read/written once),
// elementwise (norms, RoPE, residuals, SiLU*up) as memory traffic.
std::vector<OpCost> decoder_layer_prefill_ops(const ModelDims& d, const PlanTokens& plan, double bpe);
// One decoder layer for one generated token with `context` cached tokens.
std::vector<OpCost> decoder_layer_decode_ops(const ModelDims& d, double context, double bpe);
// The vision tower for `patches` patches over `grid_steps` temporal grid steps.
std::vector<OpCost> vision_ops(const VisionDims& v, int64_t llm_hidden, double patches, double grid_steps, double bpe);

double op_seconds(const OpCost& op, const DeviceProfile& dev);

struct SampleCost {
  double vision_ms = 0, prefill_attention_ms = 0, prefill_other_ms = 0, decode_ms = 0;
  double vision_flops = 0, prefill_attention_flops = 0, prefill_other_flops = 0, decode_flops = 0;
  double total_ms() const { return vision_ms + prefill_attention_ms + prefill_other_ms + decode_ms; }
  double llm_prefill_ms() const { return prefill_attention_ms + prefill_other_ms; }
  nlohmann::json to_json() const;
};

struct SampleShape {
  ModelDims dims;
  PlanTokens plan;
  double vision_patches = 0;  // 0: no vision work (text only)
  double grid_steps = 1;
  int64_t generated_tokens = 1;
  // An in-LLM token reduction (FastV, reduction/): layers >= reduced_from_layer run `plan_after` (the kept
  // tokens), prefill and decode; -1: every layer runs `plan`. (A pre-LLM reduction needs nothing here: its
  // rows' tokens are already the reduced prompt's.)
  int64_t reduced_from_layer = -1;
  PlanTokens plan_after;
};
// From a result row: model.config, tokens, vision_patches, grid steps (row "grid" {t,h,w} or
// [t,h,w], else ceil(frames / 2): Qwen2.5-VL's temporal patch is 2 frames), generated_tokens
// (default 1), and for an in-LLM reduction its layer (reduction.from_layer) and the kept tokens' plan
// (tokens.after_reduction). Throws naming the row's key.
SampleShape sample_shape_from_row(const nlohmann::json& row);
SampleCost predict_sample(const SampleShape& shape, const DeviceProfile& dev);

}  // namespace pevlm
