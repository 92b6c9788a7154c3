// Sparse-to-Dense self-speculation: top-K selection at prefill, sparse drafts, dense verify,
// rollback by cache length; see std_decode.h.
#include "decoders/std_decode.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "attention/device_timer.h"
#include "decoders/speculative_common.h"

namespace pevlm::decoders {
namespace {

using speculative::is_stop;
using speculative::top_id;

// A plan for the draft cache of S gathered rows: every generated token sees all of them (plain softmax).
AttentionPlan draft_plan(int64_t rows) {
  AttentionPlan plan;
  plan.method = "std_draft";
  plan.params = nlohmann::json::object();
  plan.length = rows;
  plan.positions = PositionIds(1, rows);
  if (rows > 0) {
    plan.queries.push_back(QueryRange{0, rows, "all", -1, {KeyRange{0, rows, true, 0}}});
    plan.decode_keys = {KeyRange{0, rows, false, 0}};
  }
  return plan;
}

// The draft cache: per layer the kept prompt rows gathered per KV head, room for the generated rows.
llm::KvCache gather_draft_cache(const llm::KvCache& dense, const StdSelection& sel, int64_t room) {
  llm::KvCache draft;
  const int64_t S = sel.kept_rows();
  for (size_t n = 0; n < dense.k_LHD.size(); ++n) {
    const at::Tensor& k = dense.k_LHD[n];
    const at::Tensor idx = sel.rows_SH[n].to(k.device()).unsqueeze(-1).expand({S, k.size(1), k.size(2)});
    at::Tensor k_new = at::empty({S + room, k.size(1), k.size(2)}, k.options());
    at::Tensor v_new = at::empty_like(k_new);
    k_new.narrow(0, 0, S).copy_(k.narrow(0, 0, sel.prompt_length).gather(0, idx));
    v_new.narrow(0, 0, S).copy_(dense.v_LHD[n].narrow(0, 0, sel.prompt_length).gather(0, idx));
    draft.k_LHD.push_back(k_new);
    draft.v_LHD.push_back(v_new);
  }
  draft.length = S;
  return draft;
}

// Copies dense rows [from, from + rows) into draft rows [at, at + rows) of every layer, growing the draft.
void sync_rows(llm::KvCache& draft, int64_t at, const llm::KvCache& dense, int64_t from, int64_t rows) {
  for (size_t n = 0; n < draft.k_LHD.size(); ++n) {
    for (auto [dst, src] : {std::pair{&draft.k_LHD[n], &dense.k_LHD[n]}, std::pair{&draft.v_LHD[n], &dense.v_LHD[n]}}) {
      if (dst->size(0) < at + rows) {
        at::Tensor grown = at::empty({at + rows + std::max<int64_t>(64, (at + rows) / 8), dst->size(1), dst->size(2)},
                                     dst->options());
        grown.narrow(0, 0, at).copy_(dst->narrow(0, 0, at));
        *dst = grown;
      }
      dst->narrow(0, at, rows).copy_(src->narrow(0, from, rows));
    }
  }
  draft.length = at + rows;
}

}  // namespace

int64_t StdStats::drafted() const { return speculative::sum_rounds(rounds, &StdRound::drafted); }
int64_t StdStats::accepted() const { return speculative::sum_rounds(rounds, &StdRound::accepted); }

at::Tensor std_visual_scores(const at::Tensor& q_LHD, const at::Tensor& k_LHD, const std::vector<int64_t>& visual_rows,
                             int64_t question_begin, double scale) {
  const int64_t L = k_LHD.size(0), Hq = q_LHD.size(1), Hkv = k_LHD.size(1);
  if (q_LHD.size(0) != L || Hq % Hkv != 0)
    throw std::invalid_argument("std_visual_scores: q/k shapes " + c10::str(q_LHD.sizes()) + " / " + c10::str(k_LHD.sizes()));
  const int64_t q0 = question_begin < L ? question_begin : L - 1, nq = L - q0, group = Hq / Hkv;
  const auto opts = k_LHD.options().dtype(at::kFloat);
  at::Tensor out = at::zeros({Hkv, int64_t(visual_rows.size())}, opts);
  if (visual_rows.empty() || L == 0) return out;
  const at::Tensor vis = at::tensor(visual_rows, at::kLong).to(k_LHD.device());
  // Causal: question row q0 + i sees keys j <= q0 + i.
  const at::Tensor keys = at::arange(L, opts.dtype(at::kLong));
  const at::Tensor rows = at::arange(q0, L, opts.dtype(at::kLong));
  const at::Tensor masked_QL = keys.unsqueeze(0) > rows.unsqueeze(1);
  const at::Tensor q_QHD = q_LHD.narrow(0, q0, nq).to(at::kFloat);
  for (int64_t g = 0; g < Hkv; ++g) {
    const at::Tensor q_GQD = q_QHD.narrow(1, g * group, group).permute({1, 0, 2});  // [group, nq, D]
    const at::Tensor k_LD = k_LHD.select(1, g).to(at::kFloat);
    at::Tensor s_GQL = at::matmul(q_GQD, k_LD.t()).mul_(scale);
    s_GQL.masked_fill_(masked_QL.unsqueeze(0), -std::numeric_limits<float>::infinity());
    const at::Tensor p_GQV = at::softmax(s_GQL, -1).index_select(2, vis);
    out[g].copy_(p_GQV.mean(1).sum(0));
  }
  return out;
}

StdSelector::StdSelector(const TokenLayout& layout, int64_t k_tokens, int64_t num_layers, int64_t head_dim)
    : question_begin_(layout.question_begin()), length_(layout.length), k_tokens_(k_tokens),
      scale_(1.0 / std::sqrt(double(head_dim))) {
  if (k_tokens < 0) throw std::invalid_argument("StD: k_tokens must be >= 0, got " + std::to_string(k_tokens));
  for (const Span& s : layout.spans)
    for (int64_t i = s.begin; i < s.end; ++i) (s.kind == SpanKind::Frame ? visual_rows_ : other_rows_).push_back(i);
  selection_.prompt_length = layout.length;
  selection_.visual_tokens = int64_t(visual_rows_.size());
  selection_.kept_visual = std::min(k_tokens, selection_.visual_tokens);
  selection_.rows_SH.resize(size_t(num_layers));
}

std::function<void(int64_t, const at::Tensor&, const at::Tensor&)> StdSelector::observer() {
  return [this](int64_t layer, const at::Tensor& q, const at::Tensor& k) { observe(layer, q, k); };
}

void StdSelector::observe(int64_t layer, const at::Tensor& q_LHD, const at::Tensor& k_LHD) {
  if (k_LHD.size(0) != length_)
    throw std::invalid_argument("StD selection: the layout has " + std::to_string(length_) + " tokens, the prefill " +
                                std::to_string(k_LHD.size(0)));
  const int64_t Hkv = k_LHD.size(1), K = selection_.kept_visual;
  const int64_t S = int64_t(other_rows_.size()) + K;
  std::vector<int64_t> rows(size_t(S * Hkv));
  std::vector<int64_t> kept;
  if (K > 0 && K < selection_.visual_tokens) {
    // Stable descending sort: equal scores keep index order, so ties go to the lower index.
    const at::Tensor scores = std_visual_scores(q_LHD, k_LHD, visual_rows_, question_begin_, scale_).cpu();
    const at::Tensor order = std::get<1>(scores.sort(/*stable=*/true, /*dim=*/1, /*descending=*/true)).contiguous();
    const int64_t* o = order.data_ptr<int64_t>();
    for (int64_t h = 0; h < Hkv; ++h) {
      kept = other_rows_;
      for (int64_t i = 0; i < K; ++i) kept.push_back(visual_rows_[size_t(o[h * selection_.visual_tokens + i])]);
      std::sort(kept.begin(), kept.end());
      for (int64_t r = 0; r < S; ++r) rows[size_t(r * Hkv + h)] = kept[size_t(r)];
    }
  } else {
    kept = other_rows_;
    if (K > 0) kept.insert(kept.end(), visual_rows_.begin(), visual_rows_.end());
    std::sort(kept.begin(), kept.end());
    for (int64_t h = 0; h < Hkv; ++h)
      for (int64_t r = 0; r < S; ++r) rows[size_t(r * Hkv + h)] = kept[size_t(r)];
  }
  selection_.rows_SH.at(size_t(layer)) = at::tensor(rows, at::kLong).view({S, Hkv}).to(k_LHD.device());
}

StdSelection StdSelector::take() {
  for (size_t n = 0; n < selection_.rows_SH.size(); ++n)
    if (!selection_.rows_SH[n].defined())
      throw std::logic_error("StD selection: layer " + std::to_string(n) + " was not observed (pass observer() to prefill)");
  return std::move(selection_);
}

StdResult generate_std(const llm::Decoder& llm, llm::Session& s, const StdSelection& sel, const llm::GenerationOptions& gen,
                       const StdOptions& opt, const StdRoundHook& hook) {
  if (!s.logits_LV.defined() || s.logits_LV.size(0) == 0)
    throw std::logic_error("generate_std: the session has no prefill logits (prefill with llm::LogitRows::Last or All)");
  if (gen.max_new_tokens < 0)
    throw std::invalid_argument("generate_std: max_new_tokens must be >= 0, got " + std::to_string(gen.max_new_tokens));
  if (gen.keep_logits) throw std::invalid_argument("generate_std: keep_logits is not supported");
  if (opt.gamma < 1) throw std::invalid_argument("StD: gamma must be >= 1, got " + std::to_string(opt.gamma));
  if (int64_t(sel.rows_SH.size()) != llm.text().num_layers || sel.prompt_length != s.plan.length ||
      s.cache.length != s.plan.length)
    throw std::invalid_argument("generate_std: the selection does not belong to this freshly prefilled session");
  const auto timer = attention::DeviceTimer::make(llm.device());
  const int t_start = timer->mark();
  StdResult out;
  llm::GenerationResult& res = out.generation;
  StdStats& st = out.stats;
  auto emit = [&](int64_t token) { return speculative::emit(res, gen, token); };  // false: generation ended
  if (gen.max_new_tokens == 0) return out;
  const int64_t L = sel.prompt_length, S = sel.kept_rows();
  // Every prompt row kept (K >= visual tokens): the draft reads the dense rows under the session's own
  // plan, so it computes exactly what the dense one-token decode computes.
  const bool dense_draft = S == L;
  const AttentionPlan plan_d = dense_draft ? s.plan : draft_plan(S);
  llm::KvCache draft = gather_draft_cache(s.cache, sel, gen.max_new_tokens + opt.gamma + 2);
  int64_t pending = top_id(s.logits_LV[s.logits_LV.size(0) - 1]);
  bool going = emit(pending);
  while (going) {
    const int64_t past = s.cache.length, pos0 = s.next_position;
    const int64_t remaining = gen.max_new_tokens - int64_t(res.tokens.size());
    const int64_t budget = std::min(opt.gamma, remaining - 1);  // a round emits at most budget + 1 tokens
    // Draft: the sparse view decodes pending, d1, ... one token at a time.
    std::vector<int64_t> drafts;
    const int d0 = timer->mark();
    int64_t token = pending;
    for (int64_t i = 0; i < budget; ++i) {
      token = top_id(llm.forward_cached(draft, plan_d, *s.executor, pos0 + i, {token})[0]);
      ++st.draft_steps;
      drafts.push_back(token);
      if (is_stop(gen, token)) break;
    }
    const int d1 = timer->mark();
    // Verify densely: the longest matching prefix, then the dense model's own next token.
    int64_t accepted = 0, bonus = 0;
    if (!opt.sequential_verify) {
      std::vector<int64_t> batch = {pending};
      batch.insert(batch.end(), drafts.begin(), drafts.end());
      const at::Tensor targets = llm.decode(s, batch).argmax(-1).cpu();  // [drafts + 1]
      ++st.verify_passes;
      const int64_t* t = targets.data_ptr<int64_t>();
      while (accepted < int64_t(drafts.size()) && t[accepted] == drafts[size_t(accepted)]) ++accepted;
      bonus = t[accepted];
    } else {
      bonus = top_id(llm.decode(s, {pending})[0]);
      ++st.verify_passes;
      while (accepted < int64_t(drafts.size()) && bonus == drafts[size_t(accepted)]) {
        bonus = top_id(llm.decode(s, {drafts[size_t(accepted)]})[0]);
        ++st.verify_passes;
        ++accepted;
      }
    }
    st.verify_ms += timer->ms(d1, timer->mark());
    st.draft_ms += timer->ms(d0, d1);
    // Roll back: pending + the accepted drafts keep the rows the dense pass wrote; the rest are dead.
    s.cache.length = past + accepted + 1;
    s.next_position = pos0 + accepted + 1;
    sync_rows(draft, S + (past - L), s.cache, past, accepted + 1);
    StdRound round{int64_t(drafts.size()), accepted, 0, s.cache.length};
    for (int64_t i = 0; i < accepted && going; ++i, ++round.emitted) going = emit(drafts[size_t(i)]);
    if (going) {
      going = emit(bonus);
      ++round.emitted;
    }
    pending = bonus;
    st.rounds.push_back(round);
    if (hook) hook(round, s);
  }
  st.total_ms = timer->ms(t_start, timer->mark());
  return out;
}

}  // namespace pevlm::decoders
