#include "attention/cuda/cuda_executor.h"

#include <ATen/ATen.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <stdexcept>

#include "attention/batched/batched_executor.h"
#include "attention/cuda/sink_kernel_scope.h"
#ifdef PEVLM_WITH_SINK_BLOCK_KERNEL
#include "attention/cuda/sink_block_attention.h"
#endif

namespace pevlm::attention {
namespace {

class CudaExecutor final : public BatchedExecutor {
 public:
  explicit CudaExecutor(bool use_kernel) : use_kernel_(use_kernel) {
#ifndef PEVLM_WITH_SINK_BLOCK_KERNEL
    if (use_kernel_)
      throw std::runtime_error("cuda executor: the custom sink+block kernel is not in this build "
                               "(configure found no CUDA compiler; pevlm_cuda_kernels missing)");
#endif
  }
  std::string name() const override { return use_kernel_ ? "cuda_sink_kernel" : "cuda"; }

  // Every entry point runs with the inputs' device current: ATen ops guard themselves, but the custom
  // kernel launches on the current device and the stream below must belong to it (cuda:N, N != 0).
  at::Tensor prefill(const AttentionPlan& plan, const AttentionInputs& in) override {
    require_cuda(in);
    const c10::cuda::CUDAGuard guard(in.q_LHD.device());
    return BatchedExecutor::prefill(plan, in);
  }
  at::Tensor decode(const AttentionPlan& plan, const AttentionInputs& in) override {
    require_cuda(in);
    const c10::cuda::CUDAGuard guard(in.q_LHD.device());
    return BatchedExecutor::decode(plan, in);
  }
  // Per-head sparse plans (issue 25): the batched executor's gathered blocks, on the inputs' device;
  // sparse_kernel() says "sparse_gathered_bmm_f32(cuda:N)".
  at::Tensor prefill_sparse(const SparsePlan& plan, const AttentionInputs& in) override {
    require_cuda(in);
    const c10::cuda::CUDAGuard guard(in.q_LHD.device());
    return BatchedExecutor::prefill_sparse(plan, in);
  }

 protected:
  bool run_blocks_custom(const batched::BlockRun& run, const AttentionPlan& plan, const AttentionInputs& in, double scale,
                         at::Tensor& out_LHD) override {
#ifdef PEVLM_WITH_SINK_BLOCK_KERNEL
    if (!use_kernel_ || !kernel_applies(run, in)) return false;
    const c10::cuda::CUDAGuard guard(in.q_LHD.device());  // also when called outside prefill/decode
    const int64_t rows = run.end - run.begin;
    at::Tensor lse_HR = at::empty({in.q_LHD.size(1), rows}, in.q_LHD.options().dtype(at::kFloat));
    cuda::SinkBlockParams p;
    p.q = in.q_LHD.data_ptr(), p.k = in.k_LHD.data_ptr(), p.v = in.v_LHD.data_ptr();
    p.out = out_LHD.data_ptr(), p.lse = lse_HR.data_ptr<float>();
    p.q_token_stride = in.q_LHD.stride(0), p.q_head_stride = in.q_LHD.stride(1);
    p.k_token_stride = in.k_LHD.stride(0), p.k_head_stride = in.k_LHD.stride(1);
    p.v_token_stride = in.v_LHD.stride(0), p.v_head_stride = in.v_LHD.stride(1);
    p.out_token_stride = out_LHD.stride(0), p.out_head_stride = out_LHD.stride(1);
    p.num_q_heads = in.q_LHD.size(1), p.num_kv_heads = in.k_LHD.size(1), p.head_dim = in.q_LHD.size(2);
    p.sink_begin = run.shared.empty() ? 0 : run.shared[0].begin;
    p.sink_len = run.shared.empty() ? 0 : run.shared[0].size();
    p.ctx_begin = run.begin, p.ctx_len = rows, p.block_size = run.blocks.front().size;
    p.scale = float(scale / plan.groups.at(size_t(run.self_group)).temperature);
    cuda::launch_sink_block_attention(p, c10::cuda::getCurrentCUDAStream(in.q_LHD.device().index()).stream());
    note_kernel(cuda::kSinkBlockKernelName);
    return true;
#else
    return false;
#endif
  }

 private:
  static void require_cuda(const AttentionInputs& in) {
    if (!in.q_LHD.defined() || !in.q_LHD.is_cuda())
      throw std::invalid_argument("cuda executor: q/k/v must be CUDA tensors (got " +
                                  (in.q_LHD.defined() ? in.q_LHD.device().str() : std::string("undefined")) +
                                  "); use the 'cpu' or 'batched' executor for CPU tensors");
  }
  // The kernel's scope (sink_kernel_scope.h): input format, then the run's shape.
  static bool kernel_applies(const batched::BlockRun& run, const AttentionInputs& in) {
    const bool contiguous = in.q_LHD.stride(2) == 1 && in.k_LHD.stride(2) == 1 && in.v_LHD.stride(2) == 1;
    return cuda::sink_kernel_takes_inputs(in.q_LHD.scalar_type() == at::kBFloat16, in.q_LHD.size(2), contiguous) &&
           cuda::sink_kernel_takes_run(run);
  }
  bool use_kernel_;
};

}  // namespace

std::unique_ptr<Executor> make_cuda_executor(bool use_sink_block_kernel) {
  return std::make_unique<CudaExecutor>(use_sink_block_kernel);
}

}  // namespace pevlm::attention
