// Block-Attention (Ma et al.; TemporaryLoRA/Block-Attention, methods.md): the context is cut into
// blocks that attend only to themselves (no sink); the first block holds the system prompt; the
// question attends to everything. The reference encodes blocks at local positions and re-rotates
// keys, which equals "retain" for a block that sees only itself, so retain is the default.
#include <stdexcept>

#include "methods/method_registry.h"

namespace pevlm {
namespace {

AttentionPlan build(const TokenLayout& layout, const nlohmann::json& p) {
  const UnitSize block = unit_param(p, "block");
  ParallelSpec spec{.method = "block_attention", .params = p};
  if (block.unit == UnitSize::Unit::Frames) {
    // Block 0 = leading text + the first frames (methods.md: "the first block contains the system prompt").
    spec.blocks = cut_blocks(layout, layout.video_begin(), block);
    if (spec.blocks.empty() && layout.question_begin() > 0) spec.blocks.push_back({0, layout.question_begin()});
    if (!spec.blocks.empty()) spec.blocks.front().begin = 0;
  } else {
    spec.blocks = cut_blocks(layout, 0, block);
  }
  spec.first_context_block = 0;
  spec.reuse_positions = reuse_requested(p);
  return build_parallel_plan(layout, spec);
}

}  // namespace

MethodSpec block_attention_method() {
  return MethodSpec{"block_attention",
                    "context blocks attend only to themselves (no sink); question sees everything",
                    {
                        {"block_tokens", ParamSpec::Kind::Int, 4096, {}, "block", "block size in tokens (paper: 4096)"},
                        {"block_frames", ParamSpec::Kind::Int, nullptr, {}, "block", "block size in frames"},
                        positions_param("retain"),
                    },
                    build};
}

}  // namespace pevlm
