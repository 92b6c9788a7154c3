// Device-agnostic batched executor ("batched"): the plan's query ranges are grouped by key
// structure (batch_grouping.h) and each group runs as few fused libtorch calls as possible
// (sdpa_backend.h), on whatever device the inputs live (CPU or CUDA), merged by log-sum-exp
// (lse_merge.h, which also applies APE's group rule). DESIGN.md: "GPU: the same plan through
// flash/fused kernels (batched blocks with the sink prepended, or two calls + LSE merge)"; this is
// the two-calls variant: rows vs shared keys in one call, blocks vs themselves in one batched call.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "attention/batched/batch_grouping.h"
#include "attention/executor.h"

namespace pevlm::attention {

class BatchedExecutor : public Executor {
 public:
  std::string name() const override { return "batched"; }
  // The kernels the last prefill/decode actually ran, "batched[k1+k2]+lse_merge"; before any call,
  // "batched[not run yet]".
  std::string kernel() const override;
  at::Tensor prefill(const AttentionPlan& plan, const AttentionInputs& in) override;
  at::Tensor decode(const AttentionPlan& plan, const AttentionInputs& in) override;
  // Per-head sparse plans (issue 25): gathered key blocks by bmm on the inputs' device (sparse_gathered.cpp).
  at::Tensor prefill_sparse(const SparsePlan& plan, const AttentionInputs& in) override;
  std::string sparse_kernel() const override { return "sparse_gathered_bmm_f32(" + sparse_device_ + ")"; }

 protected:
  // Hook for device-specific executors (cuda_executor.cpp): compute a whole run of blocks into
  // out_LHD rows [run.begin, run.end) and return true, or return false to use the fused calls.
  virtual bool run_blocks_custom(const batched::BlockRun& run, const AttentionPlan& plan, const AttentionInputs& in,
                                 double scale, at::Tensor& out_LHD) {
    return false;
  }
  void note_kernel(const std::string& kernel) { kernels_.insert(kernel); }
  // Throws std::invalid_argument when q/k/v are not all on one device.
  static void check_same_device(const AttentionInputs& in);

 private:
  std::string sparse_device_ = "none";
  void run_blocks(const batched::BlockRun& run, const AttentionPlan& plan, const AttentionInputs& in, double scale,
                  at::Tensor& out_LHD);
  void run_generic(int64_t begin, int64_t end, const std::vector<KeyRange>& keys, const AttentionPlan& plan,
                   const AttentionInputs& in, double scale, at::Tensor& out_LHD);
  std::set<std::string> kernels_;
};

std::unique_ptr<Executor> make_batched_executor();

}  // namespace pevlm::attention
