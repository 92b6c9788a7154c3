// The Qwen decoder every video family runs, on CPU/libtorch: embeddings with the vision embeddings
// spliced in, decoder layers whose attention runs through an AttentionPlan executor, a KV cache,
// decode steps and greedy generation (library pevlm_llm).
//
// Mirrors transformers modeling_qwen2_5_vl.py (Qwen2_5_VLDecoderLayer, Qwen2_5_VLAttention,
// Qwen2_5_VLRMSNorm, Qwen2MLP, Qwen2_5_VLForConditionalGeneration.forward / generate):
//   h = x + o_proj(attn(rope(q), rope(k), v)),  x' = h + down(silu(gate(n)) * up(n)), n = norm2(h)
// with RMSNorm computed in float32 and cast back, scale head_dim^-0.5, GQA. The variants of
// TextConfig (text_config.h): q/k/v bias (Qwen2) or none, q/k RMSNorm over head_dim before RoPE
// (Qwen3Attention's q_norm / k_norm), 1-D / chunked / interleaved M-RoPE (rope.h). Decode positions are
// cache position + rope_delta, i.e. max(prefill positions) + 1 + step on every axis
// (../shared/reference/qwen2_5_vl.md, "M-RoPE positions").
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attention/executor.h"
#include "attention/sparse_dispatch.h"
#include "methods/attention_plan.h"
#include "models/llm/rope.h"
#include "models/llm/text_config.h"
#include "models/llm/weights.h"

namespace pevlm::llm {

// Time spent per phase (milliseconds of device work: steady clock on the CPU, CUDA events on a GPU;
// attention/device_timer.h).
struct Timings {
  double prefill_attention_ms = 0;  // inside Executor::prefill, all layers
  double prefill_other_ms = 0;      // the rest of the prefill (projections, RoPE, norms, MLP, head)
  double decode_ms = 0;             // all decode steps (incl. their attention)
  double prefill_observer_ms = 0;   // PrefillOptions::observe_qk callbacks (not in the prefill figures)
  double prefill_reduction_ms = 0;  // PrefillOptions::reduce's selection (not in the prefill figures)
  // Of the prefill figures, the part after an in-LLM reduction (the layers on the kept rows, and the head):
  // the two phases of FastV's cost (N tokens up to layer K, N' after).
  double prefill_after_reduction_ms = 0;
  double prefill_attention_after_reduction_ms = 0;
  int64_t prefill_tokens = 0;
  int64_t prefill_tokens_reduced = 0;  // rows of the layers after an in-LLM reduction (0: none)
  int64_t decode_steps = 0;
  const char* clock = "steady_clock";  // how the times were taken (DeviceTimer::kind)
  // Data-dependent methods (issue 25): per-layer kept density, estimator FLOPs/time (inside
  // prefill_attention_ms); empty for static plans.
  attention::SparseLog sparse;
  double prefill_ms() const { return prefill_attention_ms + prefill_other_ms; }
};

// Which logits the prefill computes (the lm_head over 150k words is costly for every row).
enum class LogitRows { Last, All, None };

struct PrefillOptions {
  LogitRows logits = LogitRows::Last;
  // Keep the hidden states as transformers' output_hidden_states: [0] the input embeddings,
  // [n] after layer n, the last one after the final norm. float32 [L, hidden] each.
  bool keep_hidden_states = false;
  // Split the prefill time into attention and the rest per layer (two timer marks per layer; on CUDA
  // two event records, no synchronisation). false: only the total, reported as prefill_other_ms.
  bool split_timing = true;
  // Called once per layer after the projections with that layer's rotated q [L, Hq, D] and k
  // [L, Hkv, D] (StD's top-K selection reads the question rows' attention from them). Its time is
  // Timings::prefill_observer_ms and is left out of prefill_attention_ms / prefill_other_ms.
  std::function<void(int64_t layer, const at::Tensor& q_LHD, const at::Tensor& k_LHD)> observe_qk;
  // Called with the hidden states [L, hidden] (compute dtype) as transformers' output_hidden_states
  // numbers them: n = 0 the input embeddings, n = 1..num_layers after layer n (before the final norm),
  // without keeping them (ParallelVLM's UV-Prune reads layers 0 and L). Timed like observe_qk.
  std::function<void(int64_t n, const at::Tensor& h_LD)> observe_hidden;
  // In-LLM token reduction (reduction/in_llm.h, FastV; issue 26). When `reduce.select` is set, it is called
  // at layer `reduce.after_layer` with that layer's plan and rotated q/k; layers after it run on the returned
  // rows only, their KV included (a real subset), under the returned plan's attention; the kept rows keep the
  // rotary positions they had (FastV: `position_ids = keep_indexs`), so the returned plan's own positions are not
  // read. Its time is Timings::prefill_reduction_ms (left out of prefill_attention_ms / prefill_other_ms).
  struct TokenDrop {
    std::vector<int64_t> kept;  // strictly increasing rows of the prefill input (the last row included)
    AttentionPlan plan;         // the plan of the kept rows (their original positions)
  };
  struct InLlmReduction {
    int64_t after_layer = -1;
    std::function<TokenDrop(const AttentionPlan& plan, const at::Tensor& q_LHD, const at::Tensor& k_LHD)> select;
  };
  InLlmReduction reduce;
};

// The KV cache of one prompt: per layer k/v [capacity, Hkv, D] (rotary applied to k), the first
// `length` rows valid. The prefill reserves 256 rows for decoding; beyond that it grows by 1/8.
struct KvCache {
  std::vector<at::Tensor> k_LHD;
  std::vector<at::Tensor> v_LHD;
  int64_t length = 0;
  // After an in-LLM reduction (PrefillOptions::reduce): layers >= reduced_from_layer hold `dropped_rows`
  // fewer rows (the dropped tokens' KV was never computed there) and decode attends to them under
  // `reduced_plan`, as FastV's KV-cache variant (lmms-eval/fastv_kvcache.py: earlier layers keep every token).
  int64_t reduced_from_layer = -1;
  int64_t dropped_rows = 0;
  std::shared_ptr<const AttentionPlan> reduced_plan;
  int64_t rows(int64_t layer) const {
    return reduced_from_layer >= 0 && layer >= reduced_from_layer ? length - dropped_rows : length;
  }
};

// One prompt's state: the plan it was prefilled with (decode follows plan.decode_keys), the
// executor, the cache, the next decode position and the timings so far.
struct Session {
  AttentionPlan plan;
  attention::Executor* executor = nullptr;  // not owned; must outlive the session
  KvCache cache;
  int64_t next_position = 0;             // position (all axes) of the next decoded token
  at::Tensor logits_LV;                  // float32, rows as PrefillOptions::logits (last row: [1, V])
  std::vector<at::Tensor> hidden_states; // when PrefillOptions::keep_hidden_states
  Timings timings;
};

struct GenerationOptions {
  int64_t max_new_tokens = 16;
  std::vector<int64_t> stop_ids;  // generation ends after emitting one of these (it is kept)
  bool keep_logits = false;       // keep the logits each token was chosen from
};

struct GenerationResult {
  std::vector<int64_t> tokens;    // generated ids (incl. the stop token when one ended it)
  bool stopped = false;           // ended on a stop id (else on max_new_tokens)
  at::Tensor logits_NV;           // float32 [tokens, V] when keep_logits
};

struct DecoderOptions {
  // Compute dtype of weights, activations and KV cache: bfloat16 for real checkpoints,
  // float32 for fp32 weights / golden tests. RMSNorm is always computed in float32.
  at::ScalarType dtype = at::kBFloat16;
  // Where weights, activations and the KV cache live (load() puts the weights there; a Decoder built
  // from weights takes their device, which must be this one).
  at::Device device = at::kCPU;
  // The SwiGLU MLP runs over at most this many rows at a time: its [rows, intermediate] activations
  // (7B: 18944 wide) would otherwise take 2 x 4 GB at 106k tokens in bf16. Row-wise, so exact.
  int64_t mlp_chunk_rows = 8192;
};

class Decoder {
 public:
  // Throws std::invalid_argument naming the value when the dtype, the layer count or the rope
  // variant (validate_rope) does not fit.
  Decoder(TextConfig text, Weights weights, DecoderOptions options = {});

  const TextConfig& text() const { return text_; }
  const Weights& weights() const { return weights_; }
  at::ScalarType dtype() const { return options_.dtype; }
  const at::Device& device() const { return options_.device; }

  // Token embeddings [L, hidden] in the compute dtype. Throws std::invalid_argument naming the
  // position and id when an id is outside [0, vocab).
  at::Tensor embed(const std::vector<int64_t>& ids) const;
  // Same, with vision_ND [N, hidden] placed at the N positions holding `pad_id` (the family's
  // placeholder, e.g. Qwen2.5-VL's <|video_pad|>), in order. Throws std::invalid_argument when the
  // counts differ or the width is wrong.
  at::Tensor embed_with_vision(const std::vector<int64_t>& ids, const at::Tensor& vision_ND, int64_t pad_id) const;

  // Runs every layer over x_LD [L, hidden] under `plan` (its positions and its attention) and
  // returns the session holding the KV cache and the requested logits. plan.length must equal L.
  // x_LD may be [L, hidden * (1 + k)]: column block j + 1 is added to the hidden states after layer j
  // (Qwen3-VL's DeepStack, modeling_qwen3_vl.py _deepstack_process; zeros at rows without an add), so
  // the adds travel with their tokens through every caller.
  Session prefill(const at::Tensor& x_LD, const AttentionPlan& plan, attention::Executor& executor,
                     const PrefillOptions& options = {}) const;

  // Continues `prefix`, a session prefilled over the prompt's first P rows under prefix_plan(plan, P)
  // (methods/prefix_plan.h; several questions of one video share it), with the rest of the prompt:
  // suffix_SD = rows [P, plan.length) of the embeddings (with DeepStack column blocks, as prefill()). The
  // prefix's KV cache is copied (the prefix stays usable for the next question); the suffix rows run every layer at plan's positions and attend through
  // Executor::decode on the prefix plan, which is what `plan` computes for them; the returned session
  // decodes under `plan`. Logits: options.logits (Last or None); no observers (llm_prefix.cpp).
  Session prefill_suffix(const Session& prefix, const at::Tensor& suffix_SD, const AttentionPlan& plan,
                            const PrefillOptions& options = {}) const;

  // Appends `ids` to the session (positions next_position..), attending to the whole cache through
  // Executor::decode; returns float32 logits [ids.size(), V].
  at::Tensor decode(Session& session, const std::vector<int64_t>& ids) const;

  // The decode step on any cache: runs `ids` through every layer at positions [position, position + n),
  // appends their k/v at rows [cache.length, cache.length + n) (growing the cache when needed) and
  // attends through executor.decode under `plan` (plan.length <= cache.length: keys beyond the plan
  // are generated keys). Returns float32 logits [n, V]. decode() is this on the session's cache;
  // speculative decoders run it on a draft cache of selected rows.
  at::Tensor forward_cached(KvCache& cache, const AttentionPlan& plan, attention::Executor& executor, int64_t position,
                            const std::vector<int64_t>& ids) const;

  // Greedy generation from the session's last prefill logits.
  GenerationResult generate(Session& session, const GenerationOptions& options) const;

  // lm_head over final-normed hidden states hn_LD (rows as given): float32 [rows, V].
  at::Tensor lm_head(const at::Tensor& hn_LD) const;
  // RMSNorm as transformers: float32 normalise, cast to the compute dtype, times weight.
  at::Tensor rms_norm(const at::Tensor& x_LD, const at::Tensor& weight_D) const;

 private:
  struct Qkv {
    at::Tensor q_LHD, k_LHD, v_LHD;  // q, k rotated
  };
  // input_layernorm, q/k/v projections (bias when text.qkv_bias), q/k RMSNorm (text.qk_norm) and
  // rotary for layer `n`.
  Qkv attention_inputs(int64_t n, const at::Tensor& x_LD, const RotaryTables& rope) const;
  // o_proj + residual, then post_attention_layernorm + SwiGLU MLP + residual.
  at::Tensor finish_layer(int64_t n, const at::Tensor& x_LD, const at::Tensor& attn_LHD) const;
  // Writes k/v rows [at, at + L) of layer n, growing the cache when needed.
  void store_kv(KvCache& cache, int64_t n, int64_t at, const Qkv& qkv) const;

  TextConfig text_;
  Weights weights_;
  DecoderOptions options_;
};

}  // namespace pevlm::llm
