// PEVLM (Kang et al., 2025; methods.md): sink = leading text + the first k frames; context blocks
// of m whole frames attend to sink + themselves (causal within); the question attends to
// everything; full-attention positions are retained. Paper settings: sys+16f/16f, sys+2f/16f.
#include "methods/method_registry.h"

namespace pevlm {
namespace {

AttentionPlan build(const TokenLayout& layout, const nlohmann::json& p) {
  ParallelSpec spec{.method = "pevlm", .params = p, .head_role = "sink"};
  spec.head_end = leading_end(layout, unit_param(p, "sink"));
  spec.blocks = cut_blocks(layout, spec.head_end, unit_param(p, "block"));
  spec.shared_end = spec.head_end;
  spec.first_context_block = 0;
  spec.reuse_positions = reuse_requested(p);
  return build_parallel_plan(layout, spec);
}

}  // namespace

MethodSpec pevlm_method() {
  return MethodSpec{"pevlm",
                    "sink (leading text + k frames) shared by blocks of m frames; full-attention positions",
                    {
                        {"sink_frames", ParamSpec::Kind::Int, 16, {}, "sink", "sink = leading text + k frames (paper: 16 or 2)"},
                        {"sink_tokens", ParamSpec::Kind::Int, nullptr, {}, "sink", "sink = the first k tokens"},
                        {"block_frames", ParamSpec::Kind::Int, 16, {}, "block", "block size in frames (paper: 16)"},
                        {"block_tokens", ParamSpec::Kind::Int, nullptr, {}, "block", "block size in tokens"},
                        positions_param("retain"),
                    },
                    build};
}

}  // namespace pevlm
