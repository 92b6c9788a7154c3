// The custom sink+block CUDA kernel's scope (attention/cuda/sink_kernel_scope.h) on the CPU, so a
// GPU run never discovers a wrong expectation (issue 21: cuda_executor_test expected the kernel for
// Block-Attention, whose runs have no shared key range). The layout is cuda_executor_test's.
#include <gtest/gtest.h>

#include "attention/cuda/sink_kernel_scope.h"
#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

TokenLayout layout() { return make_synthetic_layout(SyntheticLayoutSpec{7, 5, 63, 9, false, 1, 63, 1}); }

bool takes(const nlohmann::json& method) {
  return attention::cuda::sink_kernel_takes_plan(testing::plan_for(method, layout()));
}

TEST(SinkKernelScope, PlansWithOneSharedRangeInTheBlocksGroupAndNoOthers) {
  // Full attention: one causal range, nothing shared. Block-Attention: blocks see only themselves and
  // the question attends causally to everything (not a block run).
  EXPECT_FALSE(takes({{"name", "full"}}));
  EXPECT_FALSE(takes({{"name", "block_attention"}, {"block_tokens", 37}}));
  // The sink (PEVLM) or anchor (Star) shared by every block, in the blocks' logit group.
  EXPECT_TRUE(takes({{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}}));
  EXPECT_TRUE(takes({{"name", "pevlm"}, {"sink_tokens", 30}, {"block_tokens", 41}, {"positions", "reuse"}}));
  EXPECT_TRUE(takes({{"name", "star"}, {"block_tokens", 45}, {"anchor_tokens", 20}}));
}

TEST(SinkKernelScope, RunShapes) {
  using attention::batched::BlockRun;
  using attention::batched::EqualBlocks;
  BlockRun run;
  run.begin = 10, run.end = 100, run.self_group = 0;
  run.blocks = {EqualBlocks{10, 40, 2}, EqualBlocks{90, 10, 1}};  // equal blocks, a shorter last one
  EXPECT_FALSE(attention::cuda::sink_kernel_takes_run(run)) << "no shared range";
  run.shared = {KeyRange{0, 10, false, 0}};
  EXPECT_TRUE(attention::cuda::sink_kernel_takes_run(run));
  run.shared[0].group = 1;
  EXPECT_FALSE(attention::cuda::sink_kernel_takes_run(run)) << "shared range in another logit group";
  run.shared[0].group = 0;
  run.shared.push_back(KeyRange{5, 8, false, 0});
  EXPECT_FALSE(attention::cuda::sink_kernel_takes_run(run)) << "two shared ranges";
  run.shared.pop_back();
  run.blocks = {EqualBlocks{10, 40, 1}, EqualBlocks{50, 50, 1}};
  EXPECT_FALSE(attention::cuda::sink_kernel_takes_run(run)) << "a longer last block";
}

TEST(SinkKernelScope, InputFormat) {
  EXPECT_TRUE(attention::cuda::sink_kernel_takes_inputs(true, 128, true));
  EXPECT_TRUE(attention::cuda::sink_kernel_takes_inputs(true, 64, true));
  EXPECT_FALSE(attention::cuda::sink_kernel_takes_inputs(false, 128, true)) << "fp32";
  EXPECT_FALSE(attention::cuda::sink_kernel_takes_inputs(true, 80, true)) << "head_dim 80";
  EXPECT_FALSE(attention::cuda::sink_kernel_takes_inputs(true, 128, false)) << "strided head_dim";
}

}  // namespace
}  // namespace pevlm
