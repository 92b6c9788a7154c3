// Plan executors: compute one layer's attention output for an AttentionPlan from Q, K, V.
// One dense reference (small sizes only, stays forever) and fast executors tested against it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "methods/attention_plan.h"
#include "methods/sparse_plan.h"

namespace pevlm::attention {

// Inputs of one layer, token-major as the projections produce them (views are fine):
//   q_LHD [L, Hq, D], k_LHD [L, Hkv, D], v_LHD [L, Hkv, D]; Hq % Hkv == 0 (GQA: query head h uses
//   KV head h / (Hq / Hkv)); dtype float32 or bfloat16 (all three equal).
// Positions are already applied (RoPE) by the caller. `scale` multiplies q.k (default D^-0.5).
struct AttentionInputs {
  at::Tensor q_LHD;
  at::Tensor k_LHD;
  at::Tensor v_LHD;
  double scale = 0.0;  // 0 -> 1/sqrt(D)
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Registry name ("reference", "cpu", later "cuda").
  virtual std::string name() const = 0;
  // The kernel that actually ran, recorded in every speed row (never a silent fallback).
  virtual std::string kernel() const = 0;
  // Prefill: out_LHD [L, Hq, D] in the input dtype, for every query of the plan.
  virtual at::Tensor prefill(const AttentionPlan& plan, const AttentionInputs& in) = 0;
  // Decode: queries q_LHD [n, Hq, D] of n new tokens at positions [past, past + n) attending to
  // k/v_LHD [past + n, Hkv, D]: keys of the prefill follow plan.decode_keys (their groups),
  // generated keys are in group 0 and causal among the new tokens.
  virtual at::Tensor decode(const AttentionPlan& plan, const AttentionInputs& in) = 0;
  // Prefill under a per-head block-sparse plan of a data-dependent method (issue 25): out_LHD
  // [L, Hq, D]. Executors without a sparse path throw naming themselves (no silent dense fallback).
  virtual at::Tensor prefill_sparse(const SparsePlan& plan, const AttentionInputs& in);
  // The kernel prefill_sparse runs, recorded in rows ("" when the executor has none).
  virtual std::string sparse_kernel() const { return ""; }
};

// Names accepted by make_executor, for error messages.
std::vector<std::string> executor_names();

// An executor names a kernel family; the device is separate (issue 10). Which device types each
// family runs on: reference -> cpu; cpu (the fused kernel, attention/fused/) -> cpu; cpu_pieces (libtorch's
// CPU flash kernel per piece + LSE merge) -> cpu; batched (device-agnostic
// SDPA calls) -> cpu, cuda; cuda, cuda_sink_kernel -> cuda. Throws std::invalid_argument for an
// unknown name (listing the valid ones).
std::vector<c10::DeviceType> executor_device_types(const std::string& name);
// The executor a device gets when none is named: "cpu" on the CPU, "cuda" on CUDA.
std::string default_executor_for(const c10::Device& device);
// Throws std::invalid_argument saying why when `name` cannot run on `device` (and which executors can).
void check_executor_device(const std::string& name, const c10::Device& device);
// Throws std::invalid_argument listing the valid names for an unknown one.
std::unique_ptr<Executor> make_executor(const std::string& name);

}  // namespace pevlm::attention
