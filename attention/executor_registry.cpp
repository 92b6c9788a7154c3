#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "attention/batched/batched_executor.h"
#include "attention/executors.h"
#ifdef PEVLM_WITH_CUDA
#include "attention/cuda/cuda_executor.h"
#endif

namespace pevlm::attention {

std::vector<std::string> executor_names() {
#ifdef PEVLM_WITH_CUDA
  return {"reference", "cpu", "cpu_pieces", "batched", "cuda", "cuda_sink_kernel"};
#else
  return {"reference", "cpu", "cpu_pieces", "batched"};
#endif
}

std::vector<c10::DeviceType> executor_device_types(const std::string& name) {
  if (name == "reference" || name == "cpu" || name == "cpu_pieces") return {c10::DeviceType::CPU};
  if (name == "batched") return {c10::DeviceType::CPU, c10::DeviceType::CUDA};
  if (name == "cuda" || name == "cuda_sink_kernel") return {c10::DeviceType::CUDA};
  make_executor(name);  // throws the unknown-name error listing the valid names
  return {};
}

std::string default_executor_for(const c10::Device& device) { return device.is_cuda() ? "cuda" : "cpu"; }

void check_executor_device(const std::string& name, const c10::Device& device) {
  const auto types = executor_device_types(name);
  if (std::find(types.begin(), types.end(), device.type()) != types.end()) return;
  std::string fits;
  for (const std::string& n : {std::string("reference"), std::string("cpu"), std::string("cpu_pieces"), std::string("batched"), std::string("cuda"),
                               std::string("cuda_sink_kernel")}) {
    const auto t = executor_device_types(n);
    if (std::find(t.begin(), t.end(), device.type()) != t.end()) fits += (fits.empty() ? "" : ", ") + n;
  }
  std::string runs_on;
  for (auto t : types) runs_on += (runs_on.empty() ? "" : ", ") + c10::DeviceTypeName(t, /*lower_case=*/true);
  throw std::invalid_argument("executor '" + name + "' runs on " + runs_on + " only, not on device " + device.str() +
                              "; executors for " + device.str() + ": " + fits);
}

std::unique_ptr<Executor> make_executor(const std::string& name) {
  if (name == "reference") return make_reference_executor();
  if (name == "cpu") return make_fused_cpu_executor();
  if (name == "cpu_pieces") return make_cpu_pieces_executor();
  if (name == "batched") return make_batched_executor();
#ifdef PEVLM_WITH_CUDA
  if (name == "cuda") return make_cuda_executor(/*use_sink_block_kernel=*/false);
  if (name == "cuda_sink_kernel") return make_cuda_executor(/*use_sink_block_kernel=*/true);
#endif
  std::string valid;
  for (const auto& n : executor_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown executor '" + name + "'; valid executors: " + valid +
                              " (cuda needs a CUDA build: -DPEVLM_CUDA=ON)");
}

void check_inputs(const AttentionInputs& in, int64_t queries, int64_t keys) {
  auto shape = [](const at::Tensor& t) { return t.defined() ? t.sizes().vec() : std::vector<int64_t>{}; };
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument("attention inputs: " + what + " (q " + c10::str(shape(in.q_LHD)) + ", k " +
                                c10::str(shape(in.k_LHD)) + ", v " + c10::str(shape(in.v_LHD)) + ")");
  };
  if (!in.q_LHD.defined() || !in.k_LHD.defined() || !in.v_LHD.defined()) fail("q, k and v must all be given");
  if (in.q_LHD.dim() != 3 || in.k_LHD.dim() != 3 || in.v_LHD.dim() != 3) fail("expected [L, heads, head_dim] tensors");
  if (in.q_LHD.size(0) != queries) fail("q has " + std::to_string(in.q_LHD.size(0)) + " rows, expected " + std::to_string(queries));
  if (in.k_LHD.size(0) != keys || in.v_LHD.size(0) != keys) fail("k/v must have " + std::to_string(keys) + " rows");
  if (in.k_LHD.sizes() != in.v_LHD.sizes()) fail("k and v shapes differ");
  if (in.q_LHD.size(2) != in.k_LHD.size(2)) fail("head_dim of q and k differ");
  if (in.k_LHD.size(1) == 0 || in.q_LHD.size(1) % in.k_LHD.size(1) != 0) fail("query heads must be a multiple of KV heads");
  const auto dt = in.q_LHD.scalar_type();
  if (dt != at::kFloat && dt != at::kBFloat16) fail("dtype must be float32 or bfloat16");
  if (in.k_LHD.scalar_type() != dt || in.v_LHD.scalar_type() != dt) fail("q, k, v dtypes differ");
}

at::Tensor Executor::prefill_sparse(const SparsePlan& plan, const AttentionInputs&) {
  throw std::invalid_argument("executor '" + name() + "' has no per-head sparse path for method '" + plan.method +
                              "'; use 'cpu', 'reference', 'batched' or 'cuda'");
}

void check_static_plan(const AttentionPlan& plan, const std::string& executor) {
  if (plan.data_dependent)
    throw std::invalid_argument("executor '" + executor + "': plan of '" + plan.method +
                                "' is data-dependent; its prefill must run the estimator (attention::run_prefill)");
}

double resolved_scale(const AttentionInputs& in) {
  return in.scale != 0.0 ? in.scale : 1.0 / std::sqrt(double(in.q_LHD.size(2)));
}

}  // namespace pevlm::attention
