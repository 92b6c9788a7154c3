#include "attention/batched/batched_executor.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "attention/batched/sdpa_backend.h"
#include "attention/executors.h"
#include "attention/lse_merge.h"

namespace pevlm::attention {
namespace {

using batched::Attended;
using batched::BlockRun;
using batched::EqualBlocks;

// Rows [begin, begin + n) of a token-major tensor as a [1, H, n, D] view (no copy).
at::Tensor rows_1HnD(const at::Tensor& x_LHD, int64_t begin, int64_t n) {
  return x_LHD.narrow(0, begin, n).permute({1, 0, 2}).unsqueeze(0);
}

// Rows [begin, begin + count * size) as `count` blocks: a [count, H, size, D] view (no copy).
at::Tensor blocks_NHBD(const at::Tensor& x_LHD, int64_t begin, int64_t count, int64_t size) {
  return x_LHD.narrow(0, begin, count * size).view({count, size, x_LHD.size(1), x_LHD.size(2)}).permute({0, 2, 1, 3});
}

double group_scale(const AttentionPlan& plan, int group, double scale) {
  return scale / plan.groups.at(size_t(group)).temperature;
}

}  // namespace

void BatchedExecutor::check_same_device(const AttentionInputs& in) {
  if (in.k_LHD.device() != in.q_LHD.device() || in.v_LHD.device() != in.q_LHD.device())
    throw std::invalid_argument("batched executor: q, k, v must be on one device (q on " + in.q_LHD.device().str() +
                                ", k on " + in.k_LHD.device().str() + ", v on " + in.v_LHD.device().str() + ")");
}

std::string BatchedExecutor::kernel() const {
  std::string joined;
  for (const std::string& k : kernels_) joined += (joined.empty() ? "" : "+") + k;
  return name() + "[" + (joined.empty() ? "not run yet" : joined) + "]+lse_merge";
}

// One run: every row vs each shared key range in one call; each group of equal-size blocks vs
// itself in one batched causal call; merged per equal-size group in the [N, H, B, D] layout, where
// the shared pieces' rows are plain views (rows = N * B split into [N, B]).
void BatchedExecutor::run_blocks(const BlockRun& run, const AttentionPlan& plan, const AttentionInputs& in, double scale,
                                 at::Tensor& out_LHD) {
  if (run_blocks_custom(run, plan, in, scale, out_LHD)) return;
  const int64_t rows = run.end - run.begin;
  std::vector<Attended> shared;
  for (const KeyRange& k : run.shared) {
    shared.push_back(batched::attend(rows_1HnD(in.q_LHD, run.begin, rows), rows_1HnD(in.k_LHD, k.begin, k.size()),
                                     rows_1HnD(in.v_LHD, k.begin, k.size()), false, group_scale(plan, k.group, scale)));
    note_kernel(shared.back().kernel);
  }
  const int64_t hq = in.q_LHD.size(1), d = in.q_LHD.size(2);
  for (const EqualBlocks& eb : run.blocks) {
    Attended self = batched::attend(blocks_NHBD(in.q_LHD, eb.begin, eb.count, eb.size),
                                    blocks_NHBD(in.k_LHD, eb.begin, eb.count, eb.size),
                                    blocks_NHBD(in.v_LHD, eb.begin, eb.count, eb.size), true,
                                    group_scale(plan, run.self_group, scale));
    note_kernel(self.kernel);
    at::Tensor merged_NHBD = self.out_BHnD;
    if (!shared.empty()) {
      std::vector<PartialAttention> parts{{self.out_BHnD, self.lse_BHn, run.self_group}};
      const int64_t offset = eb.begin - run.begin;
      for (size_t i = 0; i < shared.size(); ++i) {
        at::Tensor o = shared[i].out_BHnD.squeeze(0).narrow(1, offset, eb.count * eb.size).view({hq, eb.count, eb.size, d});
        at::Tensor l = shared[i].lse_BHn.squeeze(0).narrow(1, offset, eb.count * eb.size).view({hq, eb.count, eb.size});
        parts.push_back({o.permute({1, 0, 2, 3}), l.permute({1, 0, 2}), run.shared[i].group});
      }
      merged_NHBD = merge_partials(parts, plan.groups);
    }
    blocks_NHBD(out_LHD, eb.begin, eb.count, eb.size).copy_(merged_NHBD);
  }
}

// Any other query range (the question, decode): one call per coalesced key range, merged.
void BatchedExecutor::run_generic(int64_t begin, int64_t end, const std::vector<KeyRange>& keys, const AttentionPlan& plan,
                                  const AttentionInputs& in, double scale, at::Tensor& out_LHD) {
  const int64_t n = end - begin;
  std::vector<PartialAttention> parts;
  for (const KeyRange& k : keys) {
    Attended a = batched::attend(rows_1HnD(in.q_LHD, begin, n), rows_1HnD(in.k_LHD, k.begin, k.size()),
                                 rows_1HnD(in.v_LHD, k.begin, k.size()), k.causal, group_scale(plan, k.group, scale));
    note_kernel(a.kernel);
    parts.push_back({a.out_BHnD.squeeze(0), a.lse_BHn.squeeze(0), k.group});
  }
  at::Tensor merged_HnD = parts.size() == 1 ? parts[0].out_HND : merge_partials(parts, plan.groups);
  out_LHD.narrow(0, begin, n).copy_(merged_HnD.permute({1, 0, 2}));
}

at::Tensor BatchedExecutor::prefill_sparse(const SparsePlan& plan, const AttentionInputs& in) {
  check_same_device(in);
  sparse_device_ = in.q_LHD.device().str();
  return sparse_prefill_gathered(plan, in);
}

at::Tensor BatchedExecutor::prefill(const AttentionPlan& plan, const AttentionInputs& in) {
  check_static_plan(plan, name());
    check_inputs(in, plan.length, plan.length);
  check_same_device(in);
  kernels_.clear();
  const double scale = resolved_scale(in);
  const batched::BatchSchedule schedule = batched::schedule_plan(plan);
  at::Tensor out_LHD = at::empty(in.q_LHD.sizes(), in.q_LHD.options().memory_format(at::MemoryFormat::Contiguous));
  for (const BlockRun& run : schedule.runs) run_blocks(run, plan, in, scale, out_LHD);
  for (const batched::GenericRange& g : schedule.generic) run_generic(g.begin, g.end, g.keys, plan, in, scale, out_LHD);
  // Star's anchor re-encoding (plan.redundant): run as one batch of identical copies, output dropped.
  for (const auto& rep : schedule.redundant) {
    const KeyRange& k = rep.range;
    auto copies = [&](const at::Tensor& x) {
      at::Tensor v = rows_1HnD(x, k.begin, k.size());
      return v.expand({rep.count, v.size(1), v.size(2), v.size(3)});
    };
    note_kernel(batched::attend(copies(in.q_LHD), copies(in.k_LHD), copies(in.v_LHD), true,
                                group_scale(plan, k.group, scale)).kernel);
  }
  return out_LHD;
}

at::Tensor BatchedExecutor::decode(const AttentionPlan& plan, const AttentionInputs& in) {
  const int64_t n = in.q_LHD.size(0), total = in.k_LHD.size(0), past = total - n;
  check_inputs(in, n, total);
  check_same_device(in);
  if (past < plan.length)
    throw std::invalid_argument("batched executor decode: cache has " + std::to_string(past) +
                                " past tokens, shorter than the prefill's " + std::to_string(plan.length));
  kernels_.clear();
  std::vector<KeyRange> keys = plan.decode_keys;
  if (past > plan.length) keys.push_back(KeyRange{plan.length, past, false, 0});
  keys.push_back(KeyRange{past, total, true, 0});  // the new tokens, causal among themselves
  // Queries are rows [0, n) of q (and of the output); key ranges index k/v absolutely.
  at::Tensor out_LHD = at::empty(in.q_LHD.sizes(), in.q_LHD.options().memory_format(at::MemoryFormat::Contiguous));
  run_generic(0, n, batched::coalesce_keys(keys), plan, in, resolved_scale(in), out_LHD);
  return out_LHD;
}

std::unique_ptr<Executor> make_batched_executor() { return std::make_unique<BatchedExecutor>(); }

}  // namespace pevlm::attention
