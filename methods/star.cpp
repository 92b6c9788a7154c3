// Star Attention (NVIDIA, Acharya et al.; NVIDIA/Star-Attention, methods.md): the context is cut
// into blocks; the anchor is the first A tokens (default A = block size); every block but the
// first attends to anchor + itself, the first block to itself; original positions are global
// ("retain"). Phase 2 (question, decode) is exact attention over everything. The original
// re-encodes the anchor with every block: recompute_anchor adds that work (outputs discarded).
#include <stdexcept>

#include "methods/method_registry.h"

namespace pevlm {
namespace {

AttentionPlan build(const TokenLayout& layout, const nlohmann::json& p) {
  const UnitSize block = unit_param(p, "block");
  std::vector<TokenRange> blocks;
  if (block.unit == UnitSize::Unit::Frames) {
    blocks = cut_blocks(layout, layout.video_begin(), block);
    if (blocks.empty() && layout.question_begin() > 0) blocks.push_back({0, layout.question_begin()});
    if (!blocks.empty()) blocks.front().begin = 0;  // block 0 holds the leading text
  } else {
    blocks = cut_blocks(layout, 0, block);
  }
  const UnitSize anchor = has_unit_param(p, "anchor") ? unit_param(p, "anchor") : UnitSize{block.unit, block.count, "anchor"};
  if (anchor.unit == block.unit && anchor.count > block.count)
    throw std::invalid_argument("method 'star': the anchor (" + std::to_string(anchor.count) +
                                ") must not be larger than a block (" + std::to_string(block.count) + ")");
  ParallelSpec spec{.method = "star", .params = p, .head_role = "anchor"};
  if (!blocks.empty()) {
    spec.head_end = blocks.front().end;  // the anchor block: sees only itself
    spec.shared_end = leading_end(layout, anchor);
    if (spec.shared_end > spec.head_end)
      throw std::invalid_argument("method 'star': the anchor (" + std::to_string(spec.shared_end) +
                                  " tokens) is longer than the first block (" + std::to_string(spec.head_end) + " tokens)");
    blocks.erase(blocks.begin());
  }
  spec.blocks = blocks;
  spec.first_context_block = 0;  // the first block after the anchor block
  spec.reuse_positions = reuse_requested(p);
  if (p["recompute_anchor"].get<bool>()) spec.recompute_end = spec.shared_end;
  return build_parallel_plan(layout, spec);
}

}  // namespace

MethodSpec star_method() {
  return MethodSpec{"star",
                    "blocks attend to the anchor (first block's first A tokens) + themselves; question sees everything",
                    {
                        {"anchor_tokens", ParamSpec::Kind::Int, nullptr, {}, "anchor", "anchor size in tokens (default: block size)"},
                        {"anchor_frames", ParamSpec::Kind::Int, nullptr, {}, "anchor", "anchor = leading text + k frames"},
                        {"block_tokens", ParamSpec::Kind::Int, 4096, {}, "block", "block size in tokens (paper: 4096)"},
                        {"block_frames", ParamSpec::Kind::Int, nullptr, {}, "block", "block size in frames"},
                        positions_param("retain"),
                        {"recompute_anchor", ParamSpec::Kind::Bool, true, {}, "",
                         "re-encode the anchor with every block as the original does (cost only; same outputs)"},
                    },
                    build};
}

}  // namespace pevlm
