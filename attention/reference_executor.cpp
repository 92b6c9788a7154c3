// Dense reference executor: materialises the plan's mask and logit groups and computes softmax
// attention in float64 per head. Slow and obviously correct (llm.c style): every fast executor is
// tested against it. Small sizes only.
#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>

#include "attention/executors.h"

namespace pevlm::attention {
namespace {

constexpr int64_t kMaxReferenceTokens = 8192;

// groups_QK [n, K] int8: group of key j for query i, -1 = masked.
at::Tensor dense_attention(const at::Tensor& q_LHD, const at::Tensor& k_LHD, const at::Tensor& v_LHD,
                           const at::Tensor& groups_QK, const std::vector<LogitGroup>& groups, double scale) {
  const int64_t hq = q_LHD.size(1), hkv = k_LHD.size(1);
  at::Tensor q = q_LHD.to(at::kDouble).permute({1, 0, 2});  // [Hq, n, D]
  at::Tensor k = k_LHD.to(at::kDouble).permute({1, 0, 2}).repeat_interleave(hq / hkv, 0);
  at::Tensor v = v_LHD.to(at::kDouble).permute({1, 0, 2}).repeat_interleave(hq / hkv, 0);
  at::Tensor s = at::matmul(q, k.transpose(1, 2)) * scale;  // [Hq, n, K]
  const double neg_inf = -std::numeric_limits<double>::infinity();
  at::Tensor total;
  std::vector<std::pair<at::Tensor, at::Tensor>> per_group;  // (weight log, normalised output)
  for (size_t g = 0; g < groups.size(); ++g) {
    at::Tensor in_g = (groups_QK == int64_t(g)).unsqueeze(0);  // [1, n, K]
    at::Tensor sg = at::where(in_g, s / groups[g].temperature, at::full({}, neg_inf, s.options()));
    at::Tensor lse = at::logsumexp(sg, -1, true);  // [Hq, n, 1]; -inf where the group is empty
    at::Tensor has = at::isfinite(lse);
    at::Tensor p = at::where(has, at::exp(sg - at::where(has, lse, at::zeros_like(lse))), at::zeros_like(sg));
    at::Tensor out = at::matmul(p, v);
    at::Tensor w = at::where(has, lse * groups[g].weight_exponent, at::full({}, neg_inf, lse.options()));
    total = total.defined() ? at::logaddexp(total, w) : w;
    per_group.emplace_back(w, out);
  }
  at::Tensor result = at::zeros_like(q);
  for (auto& [w, out] : per_group) result += at::where(at::isfinite(w), at::exp(w - total), at::zeros_like(w)) * out;
  return result.permute({1, 0, 2}).contiguous();  // [n, Hq, D]
}

class ReferenceExecutor final : public Executor {
 public:
  std::string name() const override { return "reference"; }
  std::string kernel() const override { return "dense_float64"; }

  at::Tensor prefill(const AttentionPlan& plan, const AttentionInputs& in) override {
    check_static_plan(plan, name());
    check_inputs(in, plan.length, plan.length);
    if (plan.length > kMaxReferenceTokens)
      throw std::invalid_argument("reference executor: " + std::to_string(plan.length) + " tokens is too many (max " +
                                  std::to_string(kMaxReferenceTokens) + "); use the 'cpu' executor");
    const std::vector<int8_t> g = plan.dense_groups();
    at::Tensor groups_QK = at::from_blob(const_cast<int8_t*>(g.data()), {plan.length, plan.length}, at::kChar).to(at::kLong);
    return dense_attention(in.q_LHD, in.k_LHD, in.v_LHD, groups_QK, plan.groups, resolved_scale(in))
        .to(in.q_LHD.scalar_type());
  }

  std::string sparse_kernel() const override { return "dense_mask_per_head_float64"; }
  at::Tensor prefill_sparse(const SparsePlan& plan, const AttentionInputs& in) override {
    return sparse_prefill_reference(plan, in);
  }

  at::Tensor decode(const AttentionPlan& plan, const AttentionInputs& in) override {
    const int64_t n = in.q_LHD.size(0), total = in.k_LHD.size(0), past = total - n;
    check_inputs(in, n, total);
    if (past < plan.length) throw std::invalid_argument("decode: cache shorter than the prefill");
    at::Tensor groups_QK = at::full({n, total}, -1, at::kLong);
    for (const KeyRange& k : plan.decode_keys) groups_QK.narrow(1, k.begin, k.size()).fill_(k.group);
    if (past > plan.length) groups_QK.narrow(1, plan.length, past - plan.length).fill_(0);
    for (int64_t i = 0; i < n; ++i) groups_QK.select(0, i).narrow(0, past, i + 1).fill_(0);
    return dense_attention(in.q_LHD, in.k_LHD, in.v_LHD, groups_QK, plan.groups, resolved_scale(in))
        .to(in.q_LHD.scalar_type());
  }
};

}  // namespace

std::unique_ptr<Executor> make_reference_executor() { return std::make_unique<ReferenceExecutor>(); }

}  // namespace pevlm::attention
