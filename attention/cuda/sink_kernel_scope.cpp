// The custom kernel's scope; see sink_kernel_scope.h.
#include "attention/cuda/sink_kernel_scope.h"

namespace pevlm::attention::cuda {

bool sink_kernel_takes_run(const batched::BlockRun& run) {
  if (run.shared.size() != 1 || run.shared[0].group != run.self_group || run.blocks.empty()) return false;
  const int64_t bs = run.blocks.front().size;
  for (size_t i = 0; i < run.blocks.size(); ++i) {
    const bool shorter_last = i + 1 == run.blocks.size() && run.blocks[i].count == 1 && run.blocks[i].size < bs;
    if (run.blocks[i].size != bs && !shorter_last) return false;
  }
  return true;
}

bool sink_kernel_takes_inputs(bool bf16, int64_t head_dim, bool head_dim_contiguous) {
  return bf16 && (head_dim == 64 || head_dim == 128) && head_dim_contiguous;
}

bool sink_kernel_takes_plan(const AttentionPlan& plan) {
  for (const batched::BlockRun& run : batched::schedule_plan(plan).runs)
    if (sink_kernel_takes_run(run)) return true;
  return false;
}

}  // namespace pevlm::attention::cuda
