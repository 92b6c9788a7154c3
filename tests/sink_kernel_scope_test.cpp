// The custom sink+block CUDA kernel's scope (attention/cuda/sink_kernel_scope.h) on the CPU, so a GPU
// run never discovers a wrong expectation (issue 21 suspected cuda_executor_test of expecting the kernel
// where the executor refuses it; the expectation is now this rule). The layout is cuda_executor_test's
// (7 system tokens, 5 frames of 63, a 9-token question: L = 331).
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
  // Full attention: one causal range, nothing shared.
  EXPECT_FALSE(takes({{"name", "full"}}));
  // Block-Attention's context blocks share nothing, but its question sees every block before it: one
  // shared range [0, 322) in the question's group, taken by the kernel as a run of one block.
  EXPECT_TRUE(takes({{"name", "block_attention"}, {"block_tokens", 37}}));
  const auto runs = attention::batched::schedule_plan(testing::plan_for({{"name", "block_attention"}, {"block_tokens", 37}}, layout())).runs;
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_FALSE(attention::cuda::sink_kernel_takes_run(runs[0]));  // the context blocks
  EXPECT_TRUE(attention::cuda::sink_kernel_takes_run(runs[1]));   // the question
  // The sink (PEVLM), anchor (Star) or prefix (APE's context blocks) shared by every block.
  EXPECT_TRUE(takes({{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}}));
  EXPECT_TRUE(takes({{"name", "pevlm"}, {"sink_tokens", 30}, {"block_tokens", 41}, {"positions", "reuse"}}));
  EXPECT_TRUE(takes({{"name", "star"}, {"block_tokens", 45}, {"anchor_tokens", 20}}));
  // APE: its context run (prefix shared) is taken; its question sees the prefix and the context under
  // two logit groups (temperature), which one softmax cannot express.
  const nlohmann::json ape = {{"name", "ape"}, {"prefix_frames", 1}, {"block_frames", 2}, {"temperature", 0.5}, {"scale", 1.3}};
  EXPECT_TRUE(takes(ape));
  const auto ape_runs = attention::batched::schedule_plan(testing::plan_for(ape, layout())).runs;
  ASSERT_FALSE(ape_runs.empty());
  EXPECT_EQ(ape_runs.back().shared.size(), 2u);
  EXPECT_FALSE(attention::cuda::sink_kernel_takes_run(ape_runs.back()));
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
