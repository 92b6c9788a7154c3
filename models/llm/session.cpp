// The Qwen decoder: prefill under an AttentionPlan, KV-cache decode and greedy generation;
// see decoder.h. Compare transformers modeling_qwen2_5_vl.py Qwen2_5_VLTextModel.forward and
// Qwen2_5_VLForConditionalGeneration (decode position = cache_position + rope_deltas).
#include <ATen/ATen.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>
#include <cmath>
#include <stdexcept>
#include <string>

#include "attention/device_timer.h"
#include "models/llm/decoder.h"

namespace pevlm::llm {
namespace {

// The rotary tables on the compute device in the compute dtype, once per call rather than per layer.
RotaryTables on_device(RotaryTables t, const at::TensorOptions& options) {
  return {t.cos_LD.to(options), t.sin_LD.to(options)};
}

void check_prefill_input(const TextConfig& text, const at::Tensor& x_LD, const AttentionPlan& plan) {
  // [L, hidden], or [L, hidden * (1 + k)] carrying per-token adds after layers 0..k-1 (DeepStack; decoder.h).
  const int64_t H = text.hidden_size;
  const bool width_ok = x_LD.defined() && x_LD.dim() == 2 && x_LD.size(1) % H == 0 && x_LD.size(1) / H >= 1 &&
                        x_LD.size(1) / H - 1 <= text.num_layers;
  if (!width_ok)
    throw std::invalid_argument("prefill: embeddings must be [L, " + std::to_string(H) + " * (1 + k)], k <= layers, got " +
                                (x_LD.defined() ? c10::str(x_LD.sizes()) : "undefined"));
  if (plan.length != x_LD.size(0))
    throw std::invalid_argument("prefill: plan '" + plan.method + "' has length " + std::to_string(plan.length) +
                                " but the prompt has " + std::to_string(x_LD.size(0)) + " tokens");
  if (plan.positions.length != plan.length)
    throw std::invalid_argument("prefill: plan '" + plan.method + "' has " + std::to_string(plan.positions.length) +
                                " position ids for " + std::to_string(plan.length) + " tokens");
}

// The reduction hook's answer: strictly increasing rows within [0, L), the last one kept, and a plan of that size.
void check_token_drop(const PrefillOptions::TokenDrop& drop, int64_t L) {
  const auto& k = drop.kept;
  for (size_t i = 0; i < k.size(); ++i)
    if (k[i] < 0 || k[i] >= L || (i > 0 && k[i] <= k[i - 1]))
      throw std::logic_error("prefill: the in-LLM reduction returned kept row " + std::to_string(k[i]) + " at entry " +
                             std::to_string(i) + " (rows must be strictly increasing within [0, " + std::to_string(L) + "))");
  if (k.empty() || k.back() != L - 1)
    throw std::logic_error("prefill: the in-LLM reduction dropped the last row (its logits answer)");
  if (drop.plan.length != int64_t(k.size()) || drop.plan.positions.length != drop.plan.length)
    throw std::logic_error("prefill: the in-LLM reduction's plan has length " + std::to_string(drop.plan.length) +
                           " for " + std::to_string(k.size()) + " kept rows");
}

}  // namespace

Session Decoder::prefill(const at::Tensor& x_in_LD, const AttentionPlan& plan, attention::Executor& executor,
                            const PrefillOptions& options) const {
  check_prefill_input(text_, x_in_LD, plan);
  const auto timer = attention::DeviceTimer::make(options_.device);
  const int start = timer->mark();
  std::vector<std::pair<int, int>> attention_marks, observer_marks, reduction_marks;
  const int64_t L = x_in_LD.size(0);
  Session s;
  s.plan = plan;
  s.executor = &executor;
  s.cache.k_LHD.resize(size_t(text_.num_layers));
  s.cache.v_LHD.resize(size_t(text_.num_layers));
  const int64_t H = text_.hidden_size, layer_adds = x_in_LD.size(1) / H - 1;
  at::Tensor x_LD = x_in_LD.narrow(1, 0, H).to(options_.device, options_.dtype);
  const RotaryTables rope =
      on_device(rope_tables(plan.positions, text_), x_LD.options());
  const double scale = 1.0 / std::sqrt(double(text_.head_dim));

  auto observe_hidden = [&](int64_t n, const at::Tensor& h_LD) {
    if (!options.observe_hidden) return;
    const int obs_start = timer->mark();
    options.observe_hidden(n, h_LD);
    observer_marks.emplace_back(obs_start, timer->mark());
  };
  if (options.keep_hidden_states) s.hidden_states.push_back(x_LD.to(at::kFloat));
  observe_hidden(0, x_LD);
  const AttentionPlan* layer_plan = &plan;
  RotaryTables layer_rope = rope;
  std::optional<PrefillOptions::TokenDrop> drop;
  at::Tensor kept_rows;  // the rows FastV keeps, once it dropped (DeepStack adds after that select them too)
  int after_reduction_mark = -1;
  size_t attention_marks_before_drop = 0;
  for (int64_t n = 0; n < text_.num_layers; ++n) {
    Qkv qkv = attention_inputs(n, x_LD, layer_rope);
    store_kv(s.cache, n, 0, qkv);
    if (options.observe_qk) {
      const int obs_start = timer->mark();
      options.observe_qk(n, qkv.q_LHD, qkv.k_LHD);
      observer_marks.emplace_back(obs_start, timer->mark());
    }
    if (options.reduce.select && n == options.reduce.after_layer) {
      const int red_start = timer->mark();
      drop = options.reduce.select(*layer_plan, qkv.q_LHD, qkv.k_LHD);
      check_token_drop(*drop, L);
      reduction_marks.emplace_back(red_start, timer->mark());
    }
    const int attn_start = options.split_timing ? timer->mark() : -1;
    // Static plans -> Executor::prefill; data-dependent ones run their estimator here (issue 25).
    at::Tensor attn_LHD =
        attention::run_prefill(executor, *layer_plan, {qkv.q_LHD, qkv.k_LHD, qkv.v_LHD, scale}, &s.timings.sparse);
    if (options.split_timing) attention_marks.emplace_back(attn_start, timer->mark());
    x_LD = finish_layer(n, x_LD, attn_LHD);
    if (n < layer_adds) {  // DeepStack: this layer's per-token add (zero rows add nothing), on the kept rows
      at::Tensor add_LD = x_in_LD.narrow(1, H * (n + 1), H);
      if (kept_rows.defined()) add_LD = add_LD.index_select(0, kept_rows.to(add_LD.device()));
      x_LD.add_(add_LD.to(x_LD.device(), x_LD.scalar_type()));
    }
    if (drop && layer_plan == &plan) {  // the layers after this one see the kept rows only
      kept_rows = at::tensor(drop->kept, at::kLong).to(x_LD.device());
      x_LD = x_LD.index_select(0, kept_rows);
      layer_rope = {rope.cos_LD.index_select(0, kept_rows), rope.sin_LD.index_select(0, kept_rows)};
      s.cache.reduced_from_layer = n + 1;
      s.cache.dropped_rows = L - int64_t(drop->kept.size());
      s.cache.reduced_plan = std::make_shared<const AttentionPlan>(drop->plan);
      layer_plan = s.cache.reduced_plan.get();
      s.timings.prefill_tokens_reduced = int64_t(drop->kept.size());
      after_reduction_mark = timer->mark();
      attention_marks_before_drop = attention_marks.size();
    }
    if (options.keep_hidden_states && n + 1 < text_.num_layers) s.hidden_states.push_back(x_LD.to(at::kFloat));
    observe_hidden(n + 1, x_LD);
  }
  s.cache.length = L;
  if (options.logits != LogitRows::None || options.keep_hidden_states) {
    // Only the rows that are needed go through the final norm and the (large) lm_head.
    at::Tensor rows_LD =
        options.keep_hidden_states || options.logits == LogitRows::All ? x_LD : x_LD.narrow(0, x_LD.size(0) - 1, 1);
    at::Tensor hn_LD = rms_norm(rows_LD, weights_.norm_D);
    if (options.keep_hidden_states) s.hidden_states.push_back(hn_LD.to(at::kFloat));
    if (options.logits == LogitRows::All) s.logits_LV = lm_head(hn_LD);
    if (options.logits == LogitRows::Last) s.logits_LV = lm_head(hn_LD.narrow(0, hn_LD.size(0) - 1, 1));
  }
  s.next_position = plan.positions.max_id() + 1;
  s.timings.prefill_tokens = L;
  const int end = timer->mark();
  for (const auto& [a, b] : attention_marks) s.timings.prefill_attention_ms += timer->ms(a, b);
  for (const auto& [a, b] : observer_marks) s.timings.prefill_observer_ms += timer->ms(a, b);
  for (const auto& [a, b] : reduction_marks) s.timings.prefill_reduction_ms += timer->ms(a, b);
  if (after_reduction_mark >= 0) {
    s.timings.prefill_after_reduction_ms = timer->ms(after_reduction_mark, end);
    for (size_t i = attention_marks_before_drop; i < attention_marks.size(); ++i)
      s.timings.prefill_attention_after_reduction_ms += timer->ms(attention_marks[i].first, attention_marks[i].second);
  }
  s.timings.prefill_other_ms = timer->ms(start, end) - s.timings.prefill_attention_ms - s.timings.prefill_observer_ms -
                               s.timings.prefill_reduction_ms;
  s.timings.clock = timer->kind();
  return s;
}

at::Tensor Decoder::forward_cached(KvCache& cache, const AttentionPlan& plan, attention::Executor& executor,
                                   int64_t position, const std::vector<int64_t>& ids) const {
  if (ids.empty()) throw std::invalid_argument("decode: no token ids given");
  if (cache.length < plan.length || int64_t(cache.k_LHD.size()) != text_.num_layers)
    throw std::logic_error("decode: the cache holds " + std::to_string(cache.length) + " rows, fewer than the plan's " +
                           std::to_string(plan.length) + " (or no layers)");
  const int64_t n_new = int64_t(ids.size()), past = cache.length;
  at::Tensor x_LD = embed(ids);
  const RotaryTables rope = on_device(
      rope_tables_1d(position, n_new, text_), x_LD.options());
  const double scale = 1.0 / std::sqrt(double(text_.head_dim));
  for (int64_t n = 0; n < text_.num_layers; ++n) {
    // After an in-LLM reduction the later layers hold fewer rows and their own plan (KvCache::rows).
    const int64_t layer_past = cache.rows(n);
    const bool reduced = cache.reduced_from_layer >= 0 && n >= cache.reduced_from_layer;
    const AttentionPlan& layer_plan = reduced ? *cache.reduced_plan : plan;
    Qkv qkv = attention_inputs(n, x_LD, rope);
    store_kv(cache, n, layer_past, qkv);
    // Every new token attends to the whole cache; prefill keys keep their plan.decode_keys groups.
    at::Tensor k_LHD = cache.k_LHD[size_t(n)].narrow(0, 0, layer_past + n_new);
    at::Tensor v_LHD = cache.v_LHD[size_t(n)].narrow(0, 0, layer_past + n_new);
    at::Tensor attn_LHD = executor.decode(layer_plan, {qkv.q_LHD, k_LHD, v_LHD, scale});
    x_LD = finish_layer(n, x_LD, attn_LHD);
  }
  cache.length = past + n_new;
  return lm_head(rms_norm(x_LD, weights_.norm_D));
}

at::Tensor Decoder::decode(Session& s, const std::vector<int64_t>& ids) const {
  if (s.executor == nullptr || s.cache.length == 0)
    throw std::logic_error("decode: the session has no prefill (call Decoder::prefill first)");
  if (ids.empty()) throw std::invalid_argument("decode: no token ids given");
  const auto timer = attention::DeviceTimer::make(options_.device);
  const int start = timer->mark();
  at::Tensor logits_NV = forward_cached(s.cache, s.plan, *s.executor, s.next_position, ids);
  s.next_position += int64_t(ids.size());
  s.timings.decode_ms += timer->ms(start, timer->mark());
  s.timings.decode_steps += 1;
  return logits_NV;
}

GenerationResult Decoder::generate(Session& s, const GenerationOptions& options) const {
  if (!s.logits_LV.defined() || s.logits_LV.size(0) == 0)
    throw std::logic_error("generate: the session has no prefill logits (prefill with LogitRows::Last or All)");
  if (options.max_new_tokens < 0)
    throw std::invalid_argument("generate: max_new_tokens must be >= 0, got " + std::to_string(options.max_new_tokens));
  GenerationResult result;
  std::vector<at::Tensor> kept;
  at::Tensor logits_V = s.logits_LV[s.logits_LV.size(0) - 1];
  for (int64_t i = 0; i < options.max_new_tokens; ++i) {
    const int64_t token = logits_V.argmax().item<int64_t>();  // greedy; ties -> first index, as torch
    result.tokens.push_back(token);
    if (options.keep_logits) kept.push_back(logits_V);
    const auto& stop = options.stop_ids;
    if (std::find(stop.begin(), stop.end(), token) != stop.end()) {
      result.stopped = true;
      break;
    }
    if (i + 1 == options.max_new_tokens) break;  // the last token needs no forward pass
    logits_V = decode(s, {token})[0];
  }
  if (options.keep_logits && !kept.empty()) result.logits_NV = at::stack(kept);
  return result;
}

}  // namespace pevlm::llm
