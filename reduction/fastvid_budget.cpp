// FastVID's per-frame budgets; see fastvid_budget.h (line numbers cite the reference files named there).
#include "reduction/fastvid_budget.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace pevlm::reduction {
namespace {

// Python's // and % (floor division; the remainder takes the divisor's sign).
int64_t floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
int64_t floormod(int64_t a, int64_t b) { return a - floordiv(a, b) * b; }

// [chunk_size + (1 if i < remainder else 0) for i in range(n)] with chunk_size, remainder = total // n, total % n.
std::vector<int64_t> even_split(int64_t total, int64_t n) {
  std::vector<int64_t> out(static_cast<size_t>(n));
  const int64_t chunk = floordiv(total, n), remainder = floormod(total, n);
  for (int64_t i = 0; i < n; ++i) out[size_t(i)] = chunk + (i < remainder ? 1 : 0);
  return out;
}

// Context on every p-th entry (i % p == 0) from the even split over ceil(n / p), then reversed so the last
// entry gets the first share (both references: frm_context_num.reverse()). `cap` applies Qwen's
// min(temp_context_num[j], frm_len // 2) (L1957; the reassignment after it, L1958-1959, is never read again).
std::vector<int64_t> every_pth_reversed(int64_t total, int64_t n, int64_t p, int64_t cap) {
  const std::vector<int64_t> share = even_split(total, (n + p - 1) / p);
  std::vector<int64_t> out;
  size_t next = 0;
  for (int64_t i = 0; i < n; ++i) out.push_back(i % p == 0 ? std::min(share[next++], cap) : 0);
  std::reverse(out.begin(), out.end());
  return out;
}

FrameBudgets qwen_budgets(const FastvidParams& P, int64_t seg_len, int64_t frm_len, const std::vector<int64_t>& subs) {
  // L1927-1933
  const int64_t seg_retain = fastvid_frame_retain(P, frm_len) * seg_len;
  const int64_t seg_context = std::max<int64_t>(int64_t(double(seg_retain) * P.d), 1);
  const int64_t seg_salient = seg_retain - seg_context;
  if (seg_len == 1) return {{seg_salient}, {seg_context}};
  // L1948-1966: budgets per sub-segment, placed on its last frame.
  const int64_t valid = int64_t(subs.size());
  const std::vector<int64_t> salient = even_split(seg_salient, valid);
  const std::vector<int64_t> context = every_pth_reversed(seg_context, valid, P.p, frm_len / 2);
  FrameBudgets out;
  for (int64_t i = 0; i < valid; ++i) {
    out.salient.insert(out.salient.end(), size_t(subs[size_t(i)] - 1), 0);
    out.context.insert(out.context.end(), size_t(subs[size_t(i)] - 1), 0);
    if (context[size_t(i)] == 0) {
      out.salient.push_back(std::min(salient[size_t(i)], frm_len));
      out.context.push_back(0);
    } else {  // > 0; the reference's `else` branch (< 0) cannot be reached: shares of a total >= 1 are >= 0
      out.context.push_back(std::min(context[size_t(i)], frm_len / 2));
      out.salient.push_back(std::min(salient[size_t(i)], frm_len - out.context.back()));
    }
  }
  return out;
}

FrameBudgets llava_video_budgets(const FastvidParams& P, int64_t seg_len, int64_t frm_len) {
  // L939-965
  const int64_t seg_retain = fastvid_frame_retain(P, frm_len) * seg_len;
  const int64_t seg_context = int64_t(double(seg_retain) * P.d);
  const int64_t seg_salient = seg_retain - seg_context;
  if (seg_len == 1) return {{seg_salient}, {seg_context}};
  return {even_split(seg_salient, seg_len),
          every_pth_reversed(seg_context, seg_len, P.p, std::numeric_limits<int64_t>::max())};
}

}  // namespace

const char* fastvid_variant_name(FastvidVariant variant) {
  switch (variant) {
    case FastvidVariant::Qwen2_5VL: return "qwen2_5_vl";
    case FastvidVariant::LlavaVideo: return "llava_video";
    case FastvidVariant::LlavaOnevision: return "llava_onevision";
  }
  return "?";
}

OnevisionBudget fastvid_onevision_budget(const FastvidParams& P, const std::vector<int64_t>& segment_sizes,
                                         int64_t frame_tokens) {
  if (P.p < 1) throw std::invalid_argument("reduction 'fastvid' parameter 'p': expected >= 1");
  // L926-937
  const int64_t retain = fastvid_frame_retain(P, frame_tokens);
  OnevisionBudget out;
  out.salient = retain - int64_t(double(retain) * P.d);
  out.frame_context = retain - out.salient;
  // L939-951: anchors at seg_indices (len - 1 .. 0) % p == 0, i.e. the last frame and every p-th before it.
  for (int64_t len : segment_sizes) {
    const int64_t per_anchor = floordiv(out.frame_context * len, (len + P.p - 1) / P.p);
    for (int64_t j = 0; j < len; ++j) out.context.push_back(floormod(len - 1 - j, P.p) == 0 ? per_anchor : 0);
  }
  return out;
}

FastvidParams fastvid_defaults(FastvidVariant variant) {
  FastvidParams p;
  p.variant = variant;
  if (variant != FastvidVariant::Qwen2_5VL) {
    p.retention = 0.10;
    p.tau = 0.9;
  }
  return p;
}

FastvidParams fastvid_params(const std::string& family, const nlohmann::json& params) {
  FastvidParams p;
  if (family == "qwen2_5_vl") p = fastvid_defaults(FastvidVariant::Qwen2_5VL);
  else if (family == "llava_video") p = fastvid_defaults(FastvidVariant::LlavaVideo);
  else if (family == "llava_onevision") p = fastvid_defaults(FastvidVariant::LlavaOnevision);
  else
    throw std::invalid_argument("reduction 'fastvid': no reference code for family '" + family +
                                "'; FastVID's reference covers qwen2_5_vl, llava_video (its LLaVA-Video and LLaVA-OneVision code)");
  for (auto it = params.begin(); it != params.end(); ++it) {
    const std::string& k = it.key();
    if (k == "retention") p.retention = it->get<double>();
    else if (k == "c") p.c = it->get<int64_t>();
    else if (k == "tau") p.tau = it->get<double>();
    else if (k == "ignore") p.ignore = it->get<double>();
    else if (k == "d") p.d = it->get<double>();
    else if (k == "p") p.p = it->get<int64_t>();
    else if (k == "beta") p.beta = it->get<double>();
    else if (k == "seed") p.seed = it->get<uint64_t>();
    else
      throw std::invalid_argument("reduction 'fastvid': unknown parameter '" + k +
                                  "'; valid: retention, c, tau, ignore, d, p, beta, seed");
  }
  if (!(p.retention > 0.0 && p.retention <= 1.0))
    throw std::invalid_argument("reduction 'fastvid' parameter 'retention': expected a value in (0, 1]");
  if (p.c < 1) throw std::invalid_argument("reduction 'fastvid' parameter 'c': expected >= 1");
  if (p.p < 1) throw std::invalid_argument("reduction 'fastvid' parameter 'p': expected >= 1");
  return p;
}

nlohmann::json fastvid_params_json(const FastvidParams& p) {
  nlohmann::json j = {{"variant", fastvid_variant_name(p.variant)}, {"retention", p.retention}, {"c", p.c}, {"tau", p.tau},
                      {"d", p.d}, {"p", p.p}, {"beta", p.beta}, {"seed", p.seed}};
  if (p.variant == FastvidVariant::Qwen2_5VL) j["ignore"] = p.ignore;
  return j;
}

int64_t fastvid_frame_retain(const FastvidParams& params, int64_t frame_tokens) {
  return int64_t(double(frame_tokens) * params.retention);
}

FrameBudgets fastvid_frame_budgets(const FastvidParams& params, int64_t segment_frames, int64_t frame_tokens,
                                   const std::vector<int64_t>& sub_segments) {
  if (params.p < 1) throw std::invalid_argument("fastvid: p must be >= 1, got " + std::to_string(params.p));
  if (segment_frames < 1) throw std::invalid_argument("fastvid: a segment needs at least one frame");
  if (params.variant == FastvidVariant::LlavaVideo) return llava_video_budgets(params, segment_frames, frame_tokens);
  if (params.variant == FastvidVariant::LlavaOnevision)
    throw std::logic_error("fastvid: the LLaVA-OneVision variant budgets the whole video (fastvid_onevision_budget)");
  if (segment_frames > 1 &&
      (sub_segments.empty() ||
       std::accumulate(sub_segments.begin(), sub_segments.end(), int64_t(0)) != segment_frames ||
       *std::min_element(sub_segments.begin(), sub_segments.end()) < 1))
    throw std::invalid_argument("fastvid: the ignore sub-segments must be positive and sum to the segment's " +
                                std::to_string(segment_frames) + " frames");
  return qwen_budgets(params, segment_frames, frame_tokens, sub_segments);
}

}  // namespace pevlm::reduction
