// Prefix reuse (issue 24 item 7): a prompt's question suffix prefilled on top of a copy of a prefix's
// KV cache; see decoder.h (prefill_suffix) and methods/prefix_plan.h. The suffix rows go through the same
// layer pieces as prefill(); their attention is Executor::decode on the prefix plan (keys before the
// prefix end by its decode_keys, the suffix causal among itself), which is what the whole plan's last
// query range computes. Results equal a whole prefill up to the executors' summation order and the
// row count of the projections (tests/prefix_reuse_test.cpp).
#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "attention/device_timer.h"
#include "models/llm/decoder.h"

namespace pevlm::llm {
namespace {

constexpr int64_t kDecodeHeadroom = 256;  // as prefill(): rows reserved for the decoded tokens

void check_suffix_input(const TextConfig& text, const Session& prefix, const at::Tensor& suffix_SD,
                        const AttentionPlan& plan, const PrefillOptions& options) {
  const int64_t P = prefix.plan.length;
  if (prefix.executor == nullptr || prefix.cache.length != P || P == 0 || int64_t(prefix.cache.k_LHD.size()) != text.num_layers)
    throw std::logic_error("prefill_suffix: the prefix session holds " + std::to_string(prefix.cache.length) +
                           " cached rows for a plan of " + std::to_string(P) + " (it must be a fresh prefill of the prefix)");
  // [S, hidden], or [S, hidden * (1 + k)] with per-token adds after layers 0..k-1 (DeepStack), as prefill().
  const int64_t H = text.hidden_size;
  const bool width_ok = suffix_SD.defined() && suffix_SD.dim() == 2 && suffix_SD.size(0) > 0 && suffix_SD.size(1) % H == 0 &&
                        suffix_SD.size(1) / H >= 1 && suffix_SD.size(1) / H - 1 <= text.num_layers;
  if (!width_ok)
    throw std::invalid_argument("prefill_suffix: suffix embeddings must be [S > 0, " + std::to_string(H) +
                                " * (1 + k)], k <= layers, got " + (suffix_SD.defined() ? c10::str(suffix_SD.sizes()) : "undefined"));
  if (plan.length != P + suffix_SD.size(0) || plan.positions.length != plan.length)
    throw std::invalid_argument("prefill_suffix: plan '" + plan.method + "' has length " + std::to_string(plan.length) +
                                " but prefix + suffix have " + std::to_string(P) + " + " + std::to_string(suffix_SD.size(0)) +
                                " tokens");
  if (options.keep_hidden_states || options.observe_qk || options.observe_hidden || options.logits == LogitRows::All)
    throw std::invalid_argument("prefill_suffix: hidden states, observers and all-row logits need a whole prefill");
  // An in-LLM reduction (FastV) picks its rows by the last prompt token's attention: neither a reduced
  // prefix nor a reduction of the suffix alone computes what a whole prefill does.
  if (options.reduce.select || prefix.cache.reduced_from_layer >= 0)
    throw std::invalid_argument("prefill_suffix: an in-LLM reduction (PrefillOptions::reduce) needs a whole prefill");
}

}  // namespace

Session Decoder::prefill_suffix(const Session& prefix, const at::Tensor& suffix_in_SD, const AttentionPlan& plan,
                                   const PrefillOptions& options) const {
  check_suffix_input(text_, prefix, suffix_in_SD, plan, options);
  const auto timer = attention::DeviceTimer::make(options_.device);
  const int start = timer->mark();
  std::vector<std::pair<int, int>> attention_marks;
  const int64_t P = prefix.plan.length, S = suffix_in_SD.size(0), L = P + S;
  Session s;
  s.plan = plan;
  s.executor = prefix.executor;
  // The copy of the prefix's rows, with room for the suffix and the decoded tokens.
  s.cache.k_LHD.resize(size_t(text_.num_layers));
  s.cache.v_LHD.resize(size_t(text_.num_layers));
  for (size_t n = 0; n < size_t(text_.num_layers); ++n) {
    const at::Tensor& k = prefix.cache.k_LHD[n];
    s.cache.k_LHD[n] = at::empty({L + kDecodeHeadroom, k.size(1), k.size(2)}, k.options());
    s.cache.v_LHD[n] = at::empty_like(s.cache.k_LHD[n]);
    s.cache.k_LHD[n].narrow(0, 0, P).copy_(k.narrow(0, 0, P));
    s.cache.v_LHD[n].narrow(0, 0, P).copy_(prefix.cache.v_LHD[n].narrow(0, 0, P));
  }
  const int64_t H = text_.hidden_size, layer_adds = suffix_in_SD.size(1) / H - 1;
  at::Tensor x_SD = suffix_in_SD.narrow(1, 0, H).to(options_.device, options_.dtype);
  PositionIds positions(plan.positions.axes, S);
  for (int a = 0; a < positions.axes; ++a)
    for (int64_t i = 0; i < S; ++i) positions.at(a, i) = plan.positions.at(a, P + i);
  const RotaryTables tables = rope_tables(positions, text_);  // the variant's RoPE (chunked or interleaved M-RoPE)
  const RotaryTables rope{tables.cos_LD.to(x_SD.options()), tables.sin_LD.to(x_SD.options())};
  const double scale = 1.0 / std::sqrt(double(text_.head_dim));
  for (int64_t n = 0; n < text_.num_layers; ++n) {
    Qkv qkv = attention_inputs(n, x_SD, rope);
    store_kv(s.cache, n, P, qkv);
    at::Tensor k_LHD = s.cache.k_LHD[size_t(n)].narrow(0, 0, L);
    at::Tensor v_LHD = s.cache.v_LHD[size_t(n)].narrow(0, 0, L);
    const int attn_start = options.split_timing ? timer->mark() : -1;
    at::Tensor attn_SHD = prefix.executor->decode(prefix.plan, {qkv.q_LHD, k_LHD, v_LHD, scale});
    if (options.split_timing) attention_marks.emplace_back(attn_start, timer->mark());
    x_SD = finish_layer(n, x_SD, attn_SHD);
    if (n < layer_adds)  // DeepStack: this layer's per-token add, as prefill()
      x_SD.add_(suffix_in_SD.narrow(1, H * (n + 1), H).to(x_SD.device(), x_SD.scalar_type()));
  }
  s.cache.length = L;
  if (options.logits == LogitRows::Last) s.logits_LV = lm_head(rms_norm(x_SD.narrow(0, S - 1, 1), weights_.norm_D));
  s.next_position = plan.positions.max_id() + 1;
  s.timings.prefill_tokens = S;
  const int end = timer->mark();
  for (const auto& [a, b] : attention_marks) s.timings.prefill_attention_ms += timer->ms(a, b);
  s.timings.prefill_other_ms = timer->ms(start, end) - s.timings.prefill_attention_ms;
  s.timings.clock = timer->kind();
  return s;
}

}  // namespace pevlm::llm
